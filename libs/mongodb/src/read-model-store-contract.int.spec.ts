import { InMemoryReadModelStore } from '@crm/events';
import { SqliteReadModelStore } from '@crm/sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelStoreContract } from './testing/read-model-store-contract';

// The stores without an engine to start, on the suite that lives here until it moves next
// to the port (MongoDB runs it in mongo-read-model-store.int.spec.ts).
readModelStoreContract('in-memory', {
  create: () => Promise.resolve(new InMemoryReadModelStore()),
});

let dir: string | null = null;
readModelStoreContract('SQLite', {
  create: () => {
    dir = mkdtempSync(join(tmpdir(), 'crm-read-model-contract-'));
    return Promise.resolve(new SqliteReadModelStore(join(dir, 'read-models.db')));
  },
  cleanUp: () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
    return Promise.resolve();
  },
});
