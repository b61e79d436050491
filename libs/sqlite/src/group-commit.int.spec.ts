import { GroupCommit } from './group-commit';
import { openDatabase } from './open-database';

describe('group commit', () => {
  const keysDb = openDatabase(':memory:');
  const eventsDb = openDatabase(':memory:');
  const keys = new GroupCommit(keysDb, 'first');
  const events = new GroupCommit(eventsDb);
  keysDb.exec('CREATE TABLE keys (subject TEXT PRIMARY KEY)');
  eventsDb.exec('CREATE TABLE events (subject TEXT NOT NULL)');
  afterAll(() => {
    keys.close();
    events.close();
  });

  it('given a write queued once a `first` write committed, then it commits in the same turn', async () => {
    const committed: string[] = [];
    const appended = keys
      .run(() => keysDb.prepare('INSERT INTO keys VALUES (?)').run('contact-1'))
      .then(() => {
        committed.push('key');
        return events.run(() => eventsDb.prepare('INSERT INTO events VALUES (?)').run('contact-1'));
      })
      .then(() => committed.push('event'));

    // Queued after both flushes of this turn: it runs once they ran.
    await new Promise((resolve) => setImmediate(resolve));

    expect(committed).toEqual(['key', 'event']);
    await appended;
  });

  it('given writes that fail, then each is rejected alone and the others commit', async () => {
    const insert = (subject: string) =>
      keys.run(() => keysDb.prepare('INSERT INTO keys VALUES (?)').run(subject));
    const outcomes = await Promise.allSettled([insert('a'), insert('a'), insert('b')]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(keysDb.prepare("SELECT subject FROM keys WHERE subject IN ('a', 'b')").all()).toEqual([
      { subject: 'a' },
      { subject: 'b' },
    ]);
  });

  it('given a write that fails after it wrote, then none of its rows stay and every other write is committed exactly once', async () => {
    const append = (subject: string) =>
      events.run(() => eventsDb.prepare('INSERT INTO events VALUES (?)').run(subject));
    const outcomes = await Promise.allSettled([
      append('x'),
      events.run(() => {
        eventsDb.prepare('INSERT INTO events VALUES (?)').run('y');
        throw new Error('refused after writing');
      }),
      append('z'),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(outcomes[1]).toMatchObject({ reason: new Error('refused after writing') });
    expect(
      eventsDb
        .prepare("SELECT subject FROM events WHERE subject IN ('x', 'y', 'z') ORDER BY subject")
        .all(),
    ).toEqual([{ subject: 'x' }, { subject: 'z' }]);
  });
});
