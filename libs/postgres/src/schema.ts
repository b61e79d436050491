import { Pool } from 'pg';

/** Connection settings shared by the PostgreSQL adapters. */
export interface PostgresOptions {
  /**
   * Schema holding the adapter's tables (created if missing). One per service, or one per
   * test for isolation. Lower-case letters, digits and `_` only: it is spliced into SQL.
   */
  readonly schema?: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,39}$/;

/** The schema name, checked: identifiers cannot be bound as parameters. */
export function schemaName(options: PostgresOptions): string {
  const schema = options.schema ?? 'public';
  if (!IDENTIFIER.test(schema)) throw new Error(`invalid PostgreSQL schema name ${schema}`);
  return schema;
}

export function openPool(connectionString: string, options: PostgresOptions): Pool {
  const pool = new Pool({ connectionString, max: options.poolSize ?? 10 });
  // An idle connection that dies (server restart) is dropped by the pool; the next query
  // fails loudly. Without a listener the error event would crash the process instead.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Runs idempotent DDL once per schema at a time: two processes creating the same tables
 * concurrently can otherwise collide on PostgreSQL's catalog (duplicate key in pg_type).
 */
export async function ensureSchema(pool: Pool, schema: string, ddl: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `crm-ddl:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(ddl);
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    client.release(true);
    throw error;
  }
}

/** Opens a pool and creates the tables, closing the pool again if that fails. */
export async function openWithSchema(
  connectionString: string,
  options: PostgresOptions,
  ddl: (schema: string) => string,
): Promise<{ pool: Pool; schema: string }> {
  const schema = schemaName(options);
  const pool = openPool(connectionString, options);
  try {
    await ensureSchema(pool, schema, ddl(schema));
    return { pool, schema };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
