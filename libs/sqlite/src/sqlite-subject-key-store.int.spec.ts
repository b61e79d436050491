import { subjectKeyStoreContract } from '@crm/events/testing';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

  it('given a destroyed key, then its bytes are not left in the database file', async () => {
    const file = join(dir, 'keys.db');
    const store = new SqliteSubjectKeyStore(file);
    const key = await store.getOrCreate('contact-1');
    await store.destroy('contact-1');
    await store.close();
    const bytes = Buffer.concat([readFileSync(file), readWal(file)]);
    expect(key).not.toBeNull();
    expect(bytes.includes(key!)).toBe(false);
  });
});

function readWal(file: string): Buffer {
  try {
    return readFileSync(`${file}-wal`);
  } catch {
    return Buffer.alloc(0);
  }
}
