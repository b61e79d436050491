import { generateDataKey, type SubjectKeyStore } from '@crm/events';
import type { Pool } from 'pg';
import { openWithSchema, type PostgresOptions } from './schema';

// A destroyed key stays as a tombstone row (key NULL) so it is never created again.
const ddl = (schema: string): string => `
  CREATE TABLE IF NOT EXISTS ${schema}.subject_keys (
    subject      text        PRIMARY KEY,
    key          bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz
  )`;

/**
 * Data keys for crypto-shredding, next to the event store. PostgreSQL does not overwrite a
 * row in place: the old key bytes linger in the dead row version until VACUUM reclaims it,
 * and in WAL and backups for their retention. Keep those short where erasure matters.
 */
export class PostgresSubjectKeyStore implements SubjectKeyStore {
  private constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  /** Connects and creates the table if missing. */
  static async open(
    connectionString: string,
    options: PostgresOptions = {},
  ): Promise<PostgresSubjectKeyStore> {
    const { pool, schema } = await openWithSchema(connectionString, options, ddl);
    return new PostgresSubjectKeyStore(pool, schema);
  }

  async getOrCreate(subject: string): Promise<Buffer | null> {
    const existing = await this.row(subject);
    if (existing) return existing.key;
    // Two callers racing: the loser's insert waits for the winner's commit and does nothing,
    // then a fresh statement reads the winner's key, so both return the same key.
    const { rows } = await this.pool.query<{ key: Buffer }>(
      `INSERT INTO ${this.schema}.subject_keys (subject, key) VALUES ($1, $2)
       ON CONFLICT (subject) DO NOTHING RETURNING key`,
      [subject, generateDataKey()],
    );
    return rows[0]?.key ?? (await this.row(subject))?.key ?? null;
  }

  async find(subject: string): Promise<Buffer | null> {
    return (await this.row(subject))?.key ?? null;
  }

  async destroy(subject: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.schema}.subject_keys (subject, key, destroyed_at) VALUES ($1, NULL, now())
       ON CONFLICT (subject) DO UPDATE SET key = NULL, destroyed_at = excluded.destroyed_at`,
      [subject],
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async row(subject: string): Promise<{ key: Buffer | null } | undefined> {
    const { rows } = await this.pool.query<{ key: Buffer | null }>(
      `SELECT key FROM ${this.schema}.subject_keys WHERE subject = $1`,
      [subject],
    );
    return rows[0];
  }
}
