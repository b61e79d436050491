import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Set by `source .engines/postgres.env` after `bash scripts/engines/postgres.sh start`. */
export const POSTGRES_URL = process.env['POSTGRES_URL'] ?? '';

/**
 * A describe block that needs a real PostgreSQL. Without POSTGRES_URL it is reported as
 * skipped, and says so loudly, rather than passing with nothing checked.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  if (POSTGRES_URL) {
    describe(name, body);
    return;
  }
  // Straight to stderr: jest's default reporter hides console output of a skipped file.
  process.stderr.write(
    `\n[SKIPPED] ${name}: PostgreSQL suite skipped: POSTGRES_URL is not set ` +
      '(scripts/engines/postgres.sh starts one: bash scripts/engines/postgres.sh start && ' +
      'source .engines/postgres.env)\n',
  );
  describe.skip(name, body);
}

export async function withClient<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Fresh schemas for isolation; call `dropAll` in afterAll to leave the database clean. */
export function testSchemas(): { next(): string; dropAll(): Promise<void> } {
  const created: string[] = [];
  return {
    next() {
      const schema = `test_${randomBytes(6).toString('hex')}`;
      created.push(schema);
      return schema;
    },
    async dropAll() {
      if (created.length === 0) return;
      await withClient(async (client) => {
        for (const schema of created.splice(0)) {
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        }
      });
    },
  };
}
