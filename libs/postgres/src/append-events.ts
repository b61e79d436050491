import {
  assertExpectedRevision,
  type AppendResult,
  type ExpectedRevision,
  type NewEvent,
  WrongExpectedRevision,
} from '@crm/events';
import { DatabaseError, type Pool, type PoolClient } from 'pg';
import { revisionOf } from './events-table';

export interface AppendTarget {
  readonly pool: Pool;
  readonly schema: string;
  /** NOTIFY channel, told inside the transaction so listeners hear only of commits. */
  readonly channel: string;
  readonly beforeCommit?: () => Promise<void>;
}

const lockKey = (key: string) => `hashtextextended(${key}, 0)`;

/**
 * One append, in the order that keeps readers from skipping events:
 * 1. a transaction lock on the stream, then its revision is read and checked: appends to
 *    one stream are serialised, so exactly one of two with the same expectation wins;
 * 2. a session lock on the store, around the INSERT only: the INSERT is the transaction's
 *    first write, so its transaction id and its positions are allocated together and in
 *    the same order as every other append's (nothing before it assigns a transaction id;
 *    locks and reads don't);
 * 3. unlock and NOTIFY, then COMMIT outside the session lock, so commits overlap.
 */
export async function appendEvents(
  target: AppendTarget,
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
): Promise<AppendResult> {
  const { pool, schema } = target;
  const allocationKey = `${schema}/allocate-positions`;
  const client = await pool.connect();
  let allocating = false;
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(${lockKey('$1')})`, [
      `${schema}/stream/${streamId}`,
    ]);
    const current = await revisionOf(client, schema, streamId);
    assertExpectedRevision(streamId, expected, current);
    if (events.length === 0) {
      await client.query('COMMIT');
      client.release();
      return { nextRevision: current, lastPosition: 0 };
    }
    allocating = true;
    await client.query(`SELECT pg_advisory_lock(${lockKey('$1')})`, [allocationKey]);
    const { rows } = await client.query<{ position: string }>(
      `INSERT INTO ${schema}.events (id, stream_id, revision, type, data, metadata)
       SELECT e.id, $1, $2::bigint + e.n, e.type, e.data, e.metadata
         FROM unnest($3::text[], $4::text[], $5::json[], $6::json[])
              WITH ORDINALITY AS e(id, type, data, metadata, n)
        ORDER BY e.n
       RETURNING position`,
      [
        streamId,
        current,
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data)),
        events.map((e) => JSON.stringify(e.metadata)),
      ],
    );
    await client.query(`SELECT pg_advisory_unlock(${lockKey('$1')}), pg_notify($2, '')`, [
      allocationKey,
      target.channel,
    ]);
    allocating = false;
    await target.beforeCommit?.();
    await client.query('COMMIT');
    client.release();
    const lastPosition = Math.max(...rows.map((row) => Number(row.position)));
    return { nextRevision: current + events.length, lastPosition };
  } catch (error) {
    await abandon(client, allocating ? allocationKey : null);
    // Only a writer that bypasses the stream lock (another tool) can get here; a conflict.
    if (error instanceof DatabaseError && error.constraint === 'events_stream_revision') {
      const actual = await revisionOf(pool, schema, streamId);
      throw new WrongExpectedRevision(streamId, expected, actual === -1 ? 'no_stream' : actual);
    }
    throw error;
  }
}

/** Rolls back and frees the session lock; a connection that cannot is discarded. */
async function abandon(client: PoolClient, allocationKey: string | null): Promise<void> {
  try {
    await client.query('ROLLBACK');
    if (allocationKey !== null)
      await client.query(`SELECT pg_advisory_unlock(${lockKey('$1')})`, [allocationKey]);
    client.release();
  } catch {
    // Ending the session releases its locks on the server.
    client.release(true);
  }
}
