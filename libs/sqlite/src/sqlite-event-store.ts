import {
  AppendSignal,
  assertExpectedRevision,
  type AppendResult,
  type BatchHandler,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  startCatchUp,
} from '@crm/events';
import type { Statement } from 'better-sqlite3';
import { resolve } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { GroupCommit } from './group-commit';
import { literalLimit } from './literal-limit';
import { CatchUpReads } from './catch-up-reads';
import { LogReader } from './log-reader';
import { driverPath, openDatabase, type SqliteDatabase } from './open-database';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position   INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE,
    stream_id  TEXT    NOT NULL,
    revision   INTEGER NOT NULL,
    type       TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    metadata   TEXT    NOT NULL,
    UNIQUE (stream_id, revision)
  );
  CREATE TABLE IF NOT EXISTS streams (
    stream_id TEXT PRIMARY KEY,
    revision  INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

/** A row of `COLUMNS` as an array: better-sqlite3 builds arrays far faster than objects. */
type RawRow = [number, string, string, number, string, string, string];
const COLUMNS = 'position, id, stream_id, revision, type, data, metadata';

function fromRaw(row: RawRow): RecordedEvent {
  return {
    id: row[1],
    streamId: row[2],
    revision: row[3],
    position: row[0],
    type: row[4],
    data: JSON.parse(row[5]) as unknown,
    metadata: JSON.parse(row[6]) as RecordedEvent['metadata'],
  };
}

/**
 * The embedded event store: one SQLite file, one writer connection, concurrent appends
 * group-committed. Positions come from the rowid of a single writer, so they are assigned
 * in commit order and a reader can never see a later position before an earlier one.
 *
 * Subscriptions wake on appends made through any instance on the same file in this process,
 * whatever its thread (the projection thread reads what the HTTP thread appends).
 */
export class SqliteEventStore implements EventStore {
  private readonly db: SqliteDatabase;
  private readonly writes: GroupCommit;
  private readonly signal: AppendSignal;
  /** Appends of the other instances on this file, in any thread; null for `:memory:`. */
  private appends: BroadcastChannel | null;
  private announced = false;
  /**
   * What readAll answered in this turn of the event loop, by its arguments, until an append
   * is heard of: subscribers woken together (the read models) read the log once.
   */
  private readThisTurn: Map<string, readonly RecordedEvent[]> | null = null;
  private readonly readAllStatements = new Map<number, Statement<[number], RawRow>>();
  /** Reads the log ahead of subscriptions far behind; null for `:memory:`. */
  private readonly reader: LogReader | null;
  private readonly readAheadAfter: number;
  /** Subscriptions reading full batches: while more than one, none reads ahead. */
  private readonly catchingUp = new Set<CatchUpReads>();
  private readonly sql: {
    revision: Statement<[string], { revision: number }>;
    insert: Statement<[string, string, number, string, string, string]>;
    setRevision: Statement<[string, number]>;
    stream: Statement<[string, number], RawRow>;
    head: Statement<[], { head: number | null }>;
  };

  /**
   * `readAheadAfter`: full batches in a row after which a subscription reads ahead on the
   * reader thread (ADR 18); 0 never.
   */
  constructor(file: string, options: { pollIntervalMs?: number; readAheadAfter?: number } = {}) {
    this.db = openDatabase(file);
    this.readAheadAfter = options.readAheadAfter ?? 8;
    this.reader =
      file === ':memory:' || this.readAheadAfter === 0 ? null : new LogReader(file, driverPath());
    this.db.exec(SCHEMA);
    this.writes = new GroupCommit(this.db);
    this.signal = new AppendSignal(options.pollIntervalMs ?? 1000);
    this.appends =
      file === ':memory:' ? null : new BroadcastChannel(`crm-sqlite-appends:${resolve(file)}`);
    if (this.appends) {
      this.appends.onmessage = () => this.appended();
      this.appends.unref();
    }
    this.sql = {
      revision: this.db.prepare('SELECT revision FROM streams WHERE stream_id = ?'),
      insert: this.db.prepare(
        'INSERT INTO events (id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      setRevision: this.db.prepare(
        'INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision',
      ),
      stream: this.db
        .prepare<[string, number], RawRow>(
          `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision`,
        )
        .raw(),
      head: this.db.prepare('SELECT max(position) AS head FROM events'),
    };
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const rows = events.map(
      (e) => [e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata)] as const,
    );
    const result = await this.writes.run(() => {
      const current = this.sql.revision.get(streamId)?.revision ?? -1;
      assertExpectedRevision(streamId, expected, current);
      let revision = current;
      let lastPosition = 0;
      for (const [id, type, data, metadata] of rows) {
        revision += 1;
        lastPosition = Number(
          this.sql.insert.run(id, streamId, revision, type, data, metadata).lastInsertRowid,
        );
      }
      this.sql.setRevision.run(streamId, revision);
      return { nextRevision: revision, lastPosition };
    });
    this.appended();
    this.announce();
    return result;
  }

  private appended(): void {
    this.readThisTurn = null;
    this.signal.notify();
  }

  /** Tells the other instances once for all the appends of this turn of the event loop. */
  private announce(): void {
    if (!this.appends || this.announced) return;
    this.announced = true;
    setImmediate(() => {
      this.announced = false;
      this.appends?.postMessage(null);
    });
  }

  /** Batches read ahead on the reader thread, and whether it runs (diagnostics, tests). */
  get readAhead(): { readonly batches: number; readonly running: boolean } {
    return { batches: this.reader?.batchesRead ?? 0, running: this.reader?.running ?? false };
  }

  readStream(streamId: string, fromRevision = 0): Promise<RecordedEvent[]> {
    return Promise.resolve(this.sql.stream.all(streamId, fromRevision).map(fromRaw));
  }

  readAll(fromPosition: number, maxCount: number): Promise<RecordedEvent[]> {
    const key = `${fromPosition}/${maxCount}`;
    const read = this.readThisTurn?.get(key);
    if (read) return Promise.resolve([...read]);
    const events = this.read(fromPosition, maxCount);
    if (!this.readThisTurn) {
      const reads = new Map<string, readonly RecordedEvent[]>();
      this.readThisTurn = reads;
      setImmediate(() => {
        if (this.readThisTurn === reads) this.readThisTurn = null;
      });
    }
    this.readThisTurn.set(key, events);
    return Promise.resolve([...events]);
  }

  private read(fromPosition: number, maxCount: number): RecordedEvent[] {
    let all = this.readAllStatements.get(maxCount);
    if (!all) {
      // One statement per batch size, the LIMIT written in (see literalLimit).
      all = this.db
        .prepare<[number], RawRow>(
          `SELECT ${COLUMNS} FROM events WHERE position >= ? ORDER BY position LIMIT ${literalLimit(maxCount)}`,
        )
        .raw();
      this.readAllStatements.set(maxCount, all);
    }
    return all.all(fromPosition).map(fromRaw);
  }

  headPosition(): Promise<number> {
    return Promise.resolve(this.sql.head.get()?.head ?? 0);
  }

  subscribe(
    afterPosition: number,
    handler: BatchHandler,
    options?: SubscribeOptions,
  ): Subscription {
    const reads = new CatchUpReads(
      this.reader,
      (from, max) => this.readAll(from, max),
      this.readAheadAfter,
      this.catchingUp,
    );
    const onError = options?.onError;
    const subscription = startCatchUp(
      { readAll: (from, max) => reads.read(from, max), waitForAppend: (s) => this.signal.wait(s) },
      afterPosition,
      handler,
      {
        ...options,
        // A failed subscription ends without being stopped: its cursor goes with it.
        ...(onError && {
          onError: (error: unknown) => {
            reads.release();
            onError(error);
          },
        }),
      },
    );
    return {
      stop: async () => {
        await subscription.stop();
        reads.release();
      },
    };
  }

  async close(): Promise<void> {
    await this.writes.drain();
    this.writes.close();
    this.appends?.close();
    this.appends = null;
    this.reader?.close();
    this.signal.notify();
    if (this.db.open) this.db.close();
  }
}
