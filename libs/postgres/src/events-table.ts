import type { EventMetadata, RecordedEvent } from '@crm/events';
import type { Pool, PoolClient } from 'pg';

// data and metadata are `json`, not `jsonb`: the log keeps exactly the text written
// (jsonb would reorder keys and reject \u0000), and nobody queries inside it.
// transaction_id is what readers compare with the snapshot horizon (see PostgresEventStore).
export const eventsDdl = (schema: string): string => `
  CREATE TABLE IF NOT EXISTS ${schema}.events (
    position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id xid8   NOT NULL DEFAULT pg_current_xact_id(),
    id             text   NOT NULL UNIQUE,
    stream_id      text   NOT NULL,
    revision       bigint NOT NULL,
    type           text   NOT NULL,
    data           json   NOT NULL,
    metadata       json   NOT NULL,
    CONSTRAINT events_stream_revision UNIQUE (stream_id, revision)
  )`;

export const EVENT_COLUMNS = 'position, id, stream_id, revision, type, data, metadata';

/** A row as node-postgres returns it: bigint as string, json already parsed. */
export interface EventRow {
  position: string;
  id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: Number(row.position),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
  };
}

/** The stream's current revision, -1 when it has no events. */
export async function revisionOf(
  db: Pool | PoolClient,
  schema: string,
  streamId: string,
): Promise<number> {
  const { rows } = await db.query<{ revision: string | null }>(
    `SELECT max(revision) AS revision FROM ${schema}.events WHERE stream_id = $1`,
    [streamId],
  );
  return Number(rows[0]?.revision ?? -1);
}
