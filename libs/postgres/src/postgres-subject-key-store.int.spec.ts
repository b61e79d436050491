import { describeWithPostgres, POSTGRES_URL, testSchemas, withClient } from '../test/test-database';
import { subjectKeyStoreContract } from '@crm/events/testing';
import { PostgresSubjectKeyStore } from './postgres-subject-key-store';

describeWithPostgres('PostgreSQL subject key store', () => {
  const schemas = testSchemas();
  let schema = '';
  let store: PostgresSubjectKeyStore;
  const open = () => PostgresSubjectKeyStore.open(POSTGRES_URL, { schema });

  beforeEach(async () => {
    schema = schemas.next();
    store = await open();
  });
  afterEach(() => store.close());
  afterAll(() => schemas.dropAll());

  describe('contract', () => {
    subjectKeyStoreContract(open);
  });

  it('given concurrent first uses from two processes, then every caller gets the same key', async () => {
    const other = await open();
    try {
      const keys = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).getOrCreate('contact-1')),
      );
      expect(new Set(keys.map((key) => key?.toString('hex'))).size).toBe(1);
      expect(keys[0]).toHaveLength(32);
    } finally {
      await other.close();
    }
  });

  it('given a destroyed key, then it is gone for good and a tombstone keeps it from coming back', async () => {
    await store.getOrCreate('contact-1');
    await store.destroy('contact-1');
    expect(await store.find('contact-1')).toBeNull();
    expect(await store.getOrCreate('contact-1')).toBeNull();
    const rows = await withClient(async (client) => {
      const result = await client.query<{ key: Buffer | null; destroyed_at: Date | null }>(
        `SELECT key, destroyed_at FROM ${schema}.subject_keys WHERE subject = $1`,
        ['contact-1'],
      );
      return result.rows;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.key).toBeNull();
    expect(rows[0]?.destroyed_at).toBeInstanceOf(Date);
  });
});
