// A process that rebuilds a read model through the writer thread, closes the store and has
// nothing else to do: it must still get past the close (see rebuild-writer.int.spec.ts).
import { SqliteReadModelStore } from '../src/sqlite-read-model-store';

async function main(file: string): Promise<void> {
  const store = new SqliteReadModelStore(file);
  const key = 'notes_v1';
  await store.ensure({ key, indexes: ['owner'] });
  const note = (n: number) => ({ id: `n-${n}`, doc: { owner: `e-${n % 3}` }, position: n });
  await store.commit(key, [note(1), note(2)], 2, { catchingUp: true });
  await store.commit(key, [note(3)], 3, { catchingUp: true });
  await store.commit(key, [note(4)], 4);
  await store.close();
  process.stdout.write(`closed after ${store.writerCommits} commits on the writer\n`);
}

void main(process.argv[2] ?? '');
