import { subjectKeyStoreContract } from '@crm/events/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteSubjectKeyStore } from './sqlite-subject-key-store';

describe('SQLite subject key store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crm-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('contract', () => {
    subjectKeyStoreContract(() => Promise.resolve(new SqliteSubjectKeyStore(join(dir, 'keys.db'))));
  });
});
