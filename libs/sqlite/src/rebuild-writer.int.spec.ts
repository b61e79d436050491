import type { StoredDocument } from '@crm/events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { RebuildWriter, RebuildWriterDiedError } from './rebuild-writer';
import { SqliteReadModelStore } from './sqlite-read-model-store';
import { notesFileContents } from '../test/notes-file';

interface Note {
  readonly text: string;
  readonly owner: string;
  readonly tags: readonly string[];
}

const READ_MODEL = { key: 'notes_v1', indexes: ['owner'], multiValued: ['tags'] };
const note = (n: number, position: number, text = `note ${n}`): StoredDocument<Note> => ({
  id: `n-${n}`,
  doc: { text, owner: `e-${n % 3}`, tags: n % 2 ? ['call'] : [] },
  position,
});

/** A rebuild of 40 notes in four commits while catching up, each changing some of the last. */
async function rebuild(store: SqliteReadModelStore): Promise<void> {
  for (let batch = 0; batch < 4; batch++) {
    const changes = [];
    for (let n = batch * 10; n < batch * 10 + 10; n++) changes.push(note(n, n + 1));
    if (batch > 0) changes.push(note(batch * 10 - 1, batch * 10 + 10, 'changed'));
    if (batch === 3) changes.push({ id: 'n-0', doc: null, position: 41 });
    await store.commit(READ_MODEL.key, changes, batch * 10 + 11, { catchingUp: true });
  }
  await store.commit(READ_MODEL.key, [note(5, 42, 'last')], 42);
}

describe('rebuild writer thread', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crm-rebuild-writer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs `body` on a store of the read model in a file of its own, closed afterwards. */
  async function withStore<T>(
    name: string,
    body: (store: SqliteReadModelStore, file: string) => Promise<T>,
    writerThread = true,
  ): Promise<T> {
    const file = join(dir, name);
    const store = new SqliteReadModelStore(file, { writerThread });
    try {
      await store.ensure(READ_MODEL);
      return await body(store, file);
    } finally {
      await store.close();
    }
  }

  const rebuilt = (name: string, writerThread: boolean): Promise<[unknown, number]> =>
    withStore(
      name,
      async (store, file) => {
        await rebuild(store);
        return [notesFileContents(file), store.writerCommits];
      },
      writerThread,
    );

  it('given a rebuild into an empty read model, when it commits while catching up, then all of them run on the writer thread and the file ends as one written without it', async () => {
    const [withWriter, onWriter] = await rebuilt('with.db', true);
    const [without, onNone] = await rebuilt('without.db', false);

    expect(onWriter).toBe(4);
    expect(onNone).toBe(0);
    expect(withWriter).toEqual(without);
    expect(withWriter).toMatchObject({ checkpoint: [{ position: 42 }] });
  });

  it('given commits on their way to the writer thread, when the store is reset and written here, then those come after them', async () => {
    await withStore('order.db', async (store) => {
      await store.commit(READ_MODEL.key, [note(1, 1)], 1, { catchingUp: true });
      const onWriter = store.commit(READ_MODEL.key, [note(2, 2)], 2, { catchingUp: true });
      const reset = store.reset(READ_MODEL.key);
      const here = store.commit(READ_MODEL.key, [note(3, 3)], 3);
      await Promise.all([onWriter, reset, here]);

      expect(store.writerCommits).toBe(2);
      expect((await store.load<Note>(READ_MODEL.key, ['n-1', 'n-2', 'n-3'])).size).toBe(1);
      expect(await store.checkpoint(READ_MODEL.key)).toBe(3);
    });
  });

  it("given another read model's commit on its way to the writer thread, when a rebuild starts, then its first commit is made here and the next on the writer", async () => {
    const other = { key: 'calls_v1', indexes: ['owner'] };
    await withStore('two.db', async (store, file) => {
      await store.ensure(other);
      await store.commit(other.key, [note(1, 1)], 1, { catchingUp: true });
      const onItsWay = store.commit(other.key, [note(2, 2)], 2, { catchingUp: true });
      const first = store.commit(READ_MODEL.key, [note(3, 3)], 3, { catchingUp: true });
      await Promise.all([onItsWay, first]);
      expect(store.writerCommits).toBe(2);

      await store.commit(READ_MODEL.key, [note(4, 4)], 4, { catchingUp: true });
      await store.commit(READ_MODEL.key, [], 4);
      await store.commit(other.key, [], 2);

      expect(store.writerCommits).toBe(3);
      expect(notesFileContents(file)).toMatchObject({
        rows: [
          { id: 'n-3', position: 3 },
          { id: 'n-4', position: 4 },
        ],
        checkpoint: [{ position: 2 }, { position: 4 }],
      });
    });
  });

  it('given a writer thread that dies with a commit on its way, then the commit fails, and the rebuild goes on finding documents by id whether it landed or not', async () => {
    await withStore('died.db', async (store, file) => {
      await store.commit(READ_MODEL.key, [note(1, 1)], 1, { catchingUp: true });
      await store.commit(READ_MODEL.key, [note(2, 2)], 2, { catchingUp: true });
      const onItsWay = store.commit(READ_MODEL.key, [note(3, 3), note(1, 4, 'changed')], 4, {
        catchingUp: true,
      });
      // The thread itself, killed as an out-of-memory error in it would end it.
      const thread = (store as unknown as { writer: { worker: Worker } }).writer.worker;
      await thread.terminate();
      await expect(onItsWay).rejects.toThrow(RebuildWriterDiedError);

      // What a runner does next: fold again from the stored checkpoint, then catch up.
      await store.commit(READ_MODEL.key, [note(3, 3), note(1, 4, 'changed')], 4, {
        catchingUp: true,
      });
      await store.commit(READ_MODEL.key, [note(4, 5)], 5);

      expect(notesFileContents(file)).toMatchObject({
        rows: [
          { id: 'n-1', position: 4 },
          { id: 'n-2', position: 2 },
          { id: 'n-3', position: 3 },
          { id: 'n-4', position: 5 },
        ],
        checkpoint: [{ position: 5 }],
      });
    });
  });

  it('given the writer thread closing, when commits come before, during and after the close, then each lands, on a thread started again where need be', async () => {
    await withStore('closing.db', async (store, file) => {
      await store.commit(READ_MODEL.key, [note(1, 1)], 1, { catchingUp: true });
      const writer = (store as unknown as { writer: RebuildWriter }).writer;
      // Note n as a new row with rowid n, as the store would plan it.
      const commit = (n: number): Promise<void> => {
        const { id, position, doc } = note(n, n);
        return writer.commit({
          writes: {
            table: 'rm_notes_v1',
            columns: ['"doc.owner"'],
            ops: [{ insert: [n, id, position, JSON.stringify(doc), doc?.owner ?? null] }],
          },
          secureDelete: 'OFF',
          checkpoint: { key: READ_MODEL.key, position: n },
        });
      };

      const closing = writer.close();
      const during = [commit(2)];
      await Promise.resolve();
      during.push(commit(3));
      await closing;
      const after = commit(4);
      await Promise.all([...during, after]);

      expect(writer.landed).toBe(4);
      await store.commit(READ_MODEL.key, [], 4);
      expect(notesFileContents(file)).toMatchObject({
        rows: [{ id: 'n-1' }, { id: 'n-2' }, { id: 'n-3' }, { id: 'n-4' }],
        checkpoint: [{ position: 4 }],
      });
    });
  });

  it('given a process with nothing else to do, when it closes a store after a rebuild, then it gets past the close', () => {
    const script = join(__dirname, '../test/rebuild-then-close.ts');
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', script, join(dir, 'exit.db')],
      {
        cwd: join(__dirname, '../../..'),
        encoding: 'utf8',
      },
    );

    expect(output).toBe('closed after 2 commits on the writer\n');
  });

  it('given a writer thread that cannot open its driver, then it says so and is not used again', async () => {
    const writer = new RebuildWriter(join(dir, 'none.db'), [], join(dir, 'no-such-driver.js'));

    expect(await writer.ready()).toBe(false);
    expect(writer.available).toBe(false);
    expect(await writer.ready()).toBe(false);
  });
});
