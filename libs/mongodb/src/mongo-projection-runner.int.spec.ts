import type { StoredDocument } from '@crm/events';
import type { Connection } from 'mongoose';
import { MongoReadModelStore } from './mongo-read-model-store';
import { type Counter, CounterLog, counters, incremented } from './testing/counters';
import { describeWithMongo, TestDatabases } from './testing/mongo-test-database';

/** A store that stops once after writing a batch's documents, before the checkpoint. */
class CrashBeforeCheckpoint extends MongoReadModelStore {
  crashes = 0;

  override async commit(
    key: string,
    changes: readonly StoredDocument<unknown>[],
    checkpoint: number,
  ): Promise<void> {
    if (this.crashes > 0 || changes.length === 0) return super.commit(key, changes, checkpoint);
    await super.commit(key, changes, await this.checkpoint(key));
    this.crashes++;
    throw new Error('crashed between the documents and the checkpoint');
  }
}

describeWithMongo('ProjectionRunner on MongoDB', (url) => {
  const databases = new TestDatabases(url);
  let connection: Connection;
  let readModels: MongoReadModelStore;
  let log: CounterLog;

  beforeEach(async () => {
    connection = await databases.connect();
    readModels = new MongoReadModelStore(connection);
    log = new CounterLog();
  });
  afterEach(async () => {
    await log.stopRunners();
    await connection.close();
    await databases.dropAll();
  });

  const all = () => readModels.find<Counter>('counters_v1', { limit: 100 });
  const expected: Counter[] = [
    { counterId: 'counter-a', owner: 'ann', count: 5 },
    { counterId: 'counter-b', owner: 'bob', count: 5 },
  ];

  it('given a history, when the runner catches up, then the counts, owner query and checkpoint match the log', async () => {
    const head = await log.history();
    const runner = log.runner(readModels, counters().projection);

    await runner.start();

    expect(await runner.waitFor(head)).toBe(true);
    expect(await all()).toEqual(expected);
    expect(await readModels.find('counters_v1', { where: { owner: 'ann' }, limit: 10 })).toEqual([
      expected[0],
    ]);
    expect((await readModels.load('counters_v1', ['counter-c'])).get('counter-c')).toEqual({
      id: 'counter-c',
      doc: null,
      position: head,
    });
    expect(await readModels.checkpoint('counters_v1')).toBe(head);
  });

  it('given a restart that redelivers every event (checkpoint lost, documents kept), then no count changes twice and new events still count', async () => {
    const before = await log.history();
    const first = log.runner(readModels, counters().projection);
    await first.start();
    expect(await first.waitFor(before)).toBe(true);
    await first.stop();
    await connection.collection<{ _id: string }>('checkpoints').deleteOne({ _id: 'counters_v1' });
    const after = await log.append('counter-b', incremented(10));

    const { projection, evolved } = counters();
    const restarted = log.runner(readModels, projection);
    await restarted.start();

    expect(await restarted.waitFor(after)).toBe(true);
    expect(evolved).toEqual([after]);
    expect(await all()).toEqual([expected[0], { ...expected[1], count: 15 }]);
    expect(await readModels.checkpoint('counters_v1')).toBe(after);
  });

  it('given a crash after the documents but before the checkpoint, then the retried batch is not counted twice', async () => {
    const head = await log.history();
    const crashing = new CrashBeforeCheckpoint(connection);
    const runner = log.runner(crashing, counters().projection);

    await runner.start();

    expect(await runner.waitFor(head)).toBe(true);
    expect(crashing.crashes).toBe(1);
    expect(await all()).toEqual(expected);
  });
});
