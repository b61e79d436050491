import {
  AppendSignal,
  type AppendResult,
  type BatchHandler,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  subscribeWith,
} from '@crm/events';
import type { Pool } from 'pg';
import { appendEvents, type AppendTarget } from './append-events';
import { EVENT_COLUMNS, eventsDdl, type EventRow, toRecorded } from './events-table';
import { NotificationListener } from './notification-listener';
import { openWithSchema, type PostgresOptions } from './schema';

export interface PostgresEventStoreOptions extends PostgresOptions {
  /** Polling fallback for subscriptions when no notification arrives (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /**
   * Test seam: runs inside the append transaction just before COMMIT, so a test can hold
   * transactions open and make them commit out of position order.
   */
  readonly beforeCommit?: () => Promise<void>;
}

/**
 * Event store on PostgreSQL, for services that run several replicas.
 *
 * The global order is the `position` identity, but identities are handed out at insert
 * and transactions commit in any order: a reader that saw position 6 could later see 5
 * appear and skip it forever. Two measures make that impossible:
 * 1. Each event stores its transaction id (`pg_current_xact_id()`), and readers only return
 *    events whose transaction is older than the oldest one still running
 *    (`pg_snapshot_xmin(pg_current_snapshot())`, the technique Emmett uses). Everything
 *    below that horizon has finished, so nothing can still appear there.
 * 2. Transaction ids and positions are allocated in the same order: the first write of an
 *    append (which assigns its transaction id) and its position allocation happen under a
 *    short session lock, released before COMMIT so commits still overlap. Without it an
 *    append could take an older transaction id but a newer position than a concurrent one,
 *    and (1) alone would order by position but let the lower position through later.
 * A transaction left open anywhere in the cluster therefore delays readers, never skips.
 * Expected revisions are checked under a per-stream transaction lock: exactly one of two
 * concurrent appends with the same expectation wins.
 */
export class PostgresEventStore implements EventStore {
  private readonly signal: AppendSignal;
  private readonly listener: NotificationListener;
  private readonly target: AppendTarget;

  private constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    connectionString: string,
    options: PostgresEventStoreOptions,
  ) {
    this.signal = new AppendSignal(options.pollIntervalMs ?? 1000);
    // One channel per schema: stores of other services in the same database stay quiet.
    const channel = `crm_events_${schema}`;
    this.target = { pool, schema, channel, beforeCommit: options.beforeCommit };
    this.listener = new NotificationListener(connectionString, channel, () => {
      this.signal.notify();
    });
  }

  /** Connects, creates the schema and tables if missing, and starts listening. */
  static async open(
    connectionString: string,
    options: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    const { pool, schema } = await openWithSchema(connectionString, options, eventsDdl);
    const store = new PostgresEventStore(pool, schema, connectionString, options);
    try {
      await store.listener.start();
    } catch (error) {
      await pool.end();
      throw error;
    }
    return store;
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const result = await appendEvents(this.target, streamId, events, expected);
    // Subscribers in this process need not wait for the notification's round trip.
    this.signal.notify();
    return result;
  }

  async readStream(streamId: string, fromRevision = 0): Promise<RecordedEvent[]> {
    // A stream's own events need no horizon: its appends are serialised by the stream lock,
    // and a command handler must see the latest committed revision.
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.schema}.events
        WHERE stream_id = $1 AND revision >= $2 ORDER BY revision`,
      [streamId, fromRevision],
    );
    return rows.map(toRecorded);
  }

  async readAll(fromPosition: number, maxCount: number): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.schema}.events
        WHERE position >= $1 AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY position LIMIT $2`,
      [fromPosition, maxCount],
    );
    return rows.map(toRecorded);
  }

  async headPosition(): Promise<number> {
    // Below the same horizon as readAll: subscribing "after the head" must not skip an
    // event that commits later with a lower position.
    const { rows } = await this.pool.query<{ position: string }>(
      `SELECT position FROM ${this.schema}.events
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY position DESC LIMIT 1`,
    );
    return Number(rows[0]?.position ?? 0);
  }

  subscribe(
    afterPosition: number,
    handler: BatchHandler,
    options?: SubscribeOptions,
  ): Subscription {
    return subscribeWith(this, this.signal, afterPosition, handler, options);
  }

  /** Stop subscriptions first: a subscription that outlives its store fails on its next read. */
  async close(): Promise<void> {
    await this.listener.close();
    await this.pool.end();
  }
}
