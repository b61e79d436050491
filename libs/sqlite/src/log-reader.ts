import type { RecordedEvent } from '@crm/events';
import type { Statement } from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

/** Batches a cursor keeps on their way: read on the thread while the subscriber handles one. */
const DEPTH = 3;

/**
 * One batch of the log as JSON text built by SQLite: an array of rows, each
 * `[position, id, stream_id, revision, type, data, metadata]`, where data and metadata are
 * the stored JSON as they are. Handing over one text per batch costs a copy of its bytes;
 * handing over the rows' strings would cost creating each of them again on this side,
 * which is what reading them costs in the first place (ADR 18).
 */
export function batchSql(max: number): string {
  // Checked here rather than with literalLimit: the thread gets this function's source only.
  if (!Number.isSafeInteger(max) || max <= 0) throw new Error(`invalid batch size ${max}`);
  const row = `concat('[', position, ',', json_quote(id), ',', json_quote(stream_id), ',',
    revision, ',', json_quote(type), ',', data, ',', metadata, ']')`;
  return `SELECT CAST('[' || group_concat(${row}, ',') || ']' AS BLOB) AS text,
    count(*) AS count, max(position) AS last
    FROM (SELECT * FROM events WHERE position >= ? ORDER BY position LIMIT ${max})`;
}

interface Request {
  readonly cursor: number;
  /** Set when the cursor starts (again) from `from`: batches of an older start are dropped. */
  readonly start?: { readonly generation: number; readonly from: number; readonly max: number };
  readonly credits: number;
  /** The cursor is done: the thread forgets it. */
  readonly release?: true;
}
interface Reply {
  readonly cursor: number;
  readonly generation: number;
  readonly from: number;
  /** null: nothing at or after `from`. */
  readonly text: Uint8Array | null;
  readonly count: number;
  readonly error?: string;
}

/* istanbul ignore next */
/**
 * The reader thread's main function, started from its source text (see RebuildWriter's):
 * each cursor reads on from where its last batch ended while it has credits, one batch
 * per credit, and stops at a short batch (it caught up with the log).
 */
function readerThread(require: NodeJS.Require, sqlOf: typeof batchSql): void {
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const port = threads.parentPort;
  const { driver, file } = threads.workerData as { driver: string; file: string };
  const Database = require(driver) as typeof import('better-sqlite3');
  const db = new Database(file, { readonly: true });
  const statements = new Map<number, Statement>();
  const cursors = new Map<
    number,
    { generation: number; next: number | null; max: number; credits: number }
  >();
  port?.on('message', (request: Request | 'close') => {
    if (request === 'close') {
      db.close();
      port.close();
      return;
    }
    const { start } = request;
    if (request.release) {
      cursors.delete(request.cursor);
      return;
    }
    if (start) cursors.set(request.cursor, { ...start, next: start.from, credits: 0 });
    const cursor = cursors.get(request.cursor);
    if (!cursor) return;
    cursor.credits += request.credits;
    let statement = statements.get(cursor.max);
    if (!statement) statements.set(cursor.max, (statement = db.prepare(sqlOf(cursor.max))));
    while (cursor.credits > 0 && cursor.next !== null) {
      const from = cursor.next;
      const reply = { cursor: request.cursor, generation: cursor.generation, from };
      try {
        const { text, count, last } = statement.get(from) as {
          text: Buffer | null;
          count: number;
          last: number | null;
        };
        cursor.credits -= 1;
        cursor.next = count < cursor.max || last === null ? null : last + 1;
        port.postMessage({ ...reply, text, count }, text ? [text.buffer as ArrayBuffer] : []);
      } catch (error) {
        cursor.next = null;
        port.postMessage({ ...reply, text: null, count: 0, error: String(error) });
      }
    }
  });
}

type Row = [number, string, string, number, string, unknown, RecordedEvent['metadata']];

function eventsOf(text: Uint8Array): RecordedEvent[] {
  const rows = JSON.parse(
    Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8'),
  ) as Row[];
  const events = rows.map((row): RecordedEvent => ({
    id: row[1],
    streamId: row[2],
    revision: row[3],
    position: row[0],
    type: row[4],
    data: row[5],
    metadata: row[6],
  }));
  // SQLite hands the aggregate its rows in the subquery's order; should it ever not, the
  // positions put them back in order rather than a subscriber seeing them out of it.
  for (let i = 1; i < events.length; i++) {
    if ((events[i] as RecordedEvent).position <= (events[i - 1] as RecordedEvent).position) {
      return events.sort((a, b) => a.position - b.position);
    }
  }
  return events;
}

/**
 * A thread that reads the log ahead of subscriptions far behind it (ADR 18): while a
 * subscriber handles one batch, the next ones are read on a connection of its own and
 * handed over as JSON text. Started with the first cursor, stopped when none is left.
 * Should it fail to start or die, reads go to `direct` from then on.
 */
export class LogReader {
  private worker: Worker | null = null;
  private broken = false;
  private nextCursor = 0;
  private readonly cursors = new Map<number, ReadAheadCursor>();
  private batches = 0;

  constructor(
    private readonly file: string,
    private readonly driver: string | null,
  ) {}

  /** Batches read on the thread so far (diagnostics, tests). */
  get batchesRead(): number {
    return this.batches;
  }

  /** Whether the thread runs (it does while a cursor is open). */
  get running(): boolean {
    return this.worker !== null;
  }

  /** A cursor for one subscriber; null where no thread can run. */
  cursor(direct: (from: number, max: number) => Promise<RecordedEvent[]>): ReadAheadCursor | null {
    if (this.broken || this.driver === null) return null;
    const worker = this.worker ?? this.start(this.driver);
    const id = this.nextCursor++;
    const cursor = new ReadAheadCursor(
      (request) => worker.postMessage({ ...request, cursor: id }),
      direct,
      () => this.release(id),
    );
    this.cursors.set(id, cursor);
    worker.ref();
    return cursor;
  }

  private release(id: number): void {
    if (!this.cursors.delete(id) || !this.worker) return;
    this.worker.postMessage({ cursor: id, credits: 0, release: true } satisfies Request);
    if (this.cursors.size === 0) this.stop();
  }

  private start(driver: string): Worker {
    const source = `(${readerThread.toString()})(require, ${batchSql.toString()})`;
    const worker = new Worker(source, { eval: true, workerData: { driver, file: this.file } });
    worker.on('message', (reply: Reply) => {
      this.batches += 1;
      this.cursors.get(reply.cursor)?.received(reply);
    });
    const failed = (): void => {
      this.broken = true;
      this.worker = null;
      for (const cursor of this.cursors.values()) cursor.fallBack();
      this.cursors.clear();
    };
    worker.on('error', failed);
    worker.on('exit', failed);
    this.worker = worker;
    return worker;
  }

  private stop(): void {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    // It may still be starting, and fail to (its file removed meanwhile): that is no
    // longer anyone's concern, and an 'error' event without a listener would throw here.
    worker.removeAllListeners('error').removeAllListeners('exit');
    worker.on('error', () => undefined);
    worker.postMessage('close');
    worker.unref();
  }

  /** Stops the thread; cursors still open read directly from then on. */
  close(): void {
    for (const cursor of this.cursors.values()) cursor.fallBack();
    this.cursors.clear();
    this.stop();
  }
}

/**
 * One subscriber's reads ahead: it asks for `from` and `max`; the batches the thread read
 * ahead answer if they start there, else the cursor starts again from `from`.
 */
export class ReadAheadCursor {
  private generation = 0;
  /** Where the next batch read ahead starts, while it reads on. */
  private expected: { from: number; max: number } | null = null;
  private readonly arrived = new Map<number, Reply>();
  private waiter: { from: number; resolve: (reply: Reply | null) => void } | null = null;
  private fallenBack = false;

  constructor(
    private readonly send: (request: Omit<Request, 'cursor'>) => void,
    private readonly direct: (from: number, max: number) => Promise<RecordedEvent[]>,
    readonly release: () => void,
  ) {}

  async read(from: number, max: number): Promise<RecordedEvent[]> {
    if (this.fallenBack) return this.direct(from, max);
    if (this.expected?.from === from && this.expected.max === max) {
      this.send({ credits: 1 });
    } else {
      this.generation += 1;
      this.arrived.clear();
      this.send({ start: { generation: this.generation, from, max }, credits: DEPTH });
    }
    const reply = this.arrived.get(from) ?? (await this.next(from));
    this.arrived.delete(from);
    // The thread is gone, or its read failed: read here, which reports any error itself.
    if (!reply || reply.error !== undefined) {
      this.expected = null;
      return this.direct(from, max);
    }
    const events = reply.text ? eventsOf(reply.text) : [];
    const last = events[events.length - 1];
    this.expected = reply.count === max && last ? { from: last.position + 1, max } : null;
    return events;
  }

  private next(from: number): Promise<Reply | null> {
    return new Promise((resolve) => (this.waiter = { from, resolve }));
  }

  received(reply: Reply): void {
    if (reply.generation !== this.generation) return;
    if (this.waiter?.from === reply.from) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(reply);
    } else this.arrived.set(reply.from, reply);
  }

  /** From now on every read is direct; a read waiting on the thread is made directly. */
  fallBack(): void {
    this.fallenBack = true;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve(null);
  }
}
