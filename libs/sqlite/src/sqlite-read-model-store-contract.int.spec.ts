import { readModelStoreContract } from '@crm/events/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadModelStore } from './sqlite-read-model-store';

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
