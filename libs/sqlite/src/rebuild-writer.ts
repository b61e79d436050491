import type { Statement } from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { driverPath } from './open-database';
import type { Param } from './read-model-schema';

/**
 * Writes to a document table by rowid while a rebuild keeps the rowids (ADR 13): runs of
 * new rows, each run one INSERT of up to a few hundred rows laid out as rowid, id,
 * position, doc and the field columns' values; and replaced rows as position, doc, the
 * field columns' values and the rowid. In the order given.
 */
export interface RowidWrites {
  readonly table: string;
  /** The field columns, after the fixed ones. */
  readonly columns: readonly string[];
  readonly ops: readonly RowidOp[];
}
export type RowidOp = { readonly insert: Param[] } | { readonly update: Param[] };

// Not instrumented for coverage: sent as source text, its counters would be names the
// writer thread lacks (and it would never start under `jest --coverage`).
/* istanbul ignore next */
/**
 * Runs `writes` through `prepare`d statements. Also the writer thread's code, sent to it
 * as source (see writerThread): it may use nothing from outside its body.
 */
export function applyRowidWrites(prepare: (sql: string) => Statement, writes: RowidWrites): void {
  const { table, columns, ops } = writes;
  const width = 4 + columns.length;
  const row = `(${Array<string>(width).fill('?').join(', ')})`;
  for (const op of ops) {
    if ('update' in op) {
      const set = ['position', 'doc', ...columns].map((column) => `${column} = ?`).join(', ');
      prepare(`UPDATE ${table} SET ${set} WHERE rowid = ?`).run(op.update);
    } else {
      const names = ['rowid', 'id', 'position', 'doc', ...columns].join(', ');
      const rows = Array<string>(op.insert.length / width).fill(row);
      prepare(`INSERT INTO ${table} (${names}) VALUES ${rows.join(', ')}`).run(op.insert);
    }
  }
}

/** A commit of a rebuild for the writer thread: its writes and the checkpoint. */
export interface RebuildCommit {
  readonly writes: RowidWrites;
  /** `secure_delete` for this read model (see SqliteReadModelStore.secureDelete). */
  readonly secureDelete: 'FAST' | 'OFF';
  readonly checkpoint: { readonly key: string; readonly position: number };
}

interface Request extends RebuildCommit {
  readonly id: number;
}
interface Reply {
  readonly id: number;
  readonly error: string | null;
}

// Not instrumented for coverage either (see applyRowidWrites).
/* istanbul ignore next */
/**
 * The writer thread's main function, started from its source text so that it needs no
 * file of its own in a bundled service. `require` and `apply` are handed to it; nothing
 * else from this module exists there. Its inner functions are all passed inline: a
 * transpiler that keeps function names (tsx) wraps named ones in a helper of its module.
 */
function writerThread(require: NodeJS.Require, apply: typeof applyRowidWrites): void {
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const port = threads.parentPort;
  const { driver, file, pragmas } = threads.workerData as {
    driver: string;
    file: string;
    pragmas: readonly string[];
  };
  const Database = require(driver) as typeof import('better-sqlite3');
  const db = new Database(file);
  for (const pragma of pragmas) db.pragma(pragma);
  const statements = new Map<string, Statement>();
  const commit = db.transaction((request: Request) => {
    apply((sql) => {
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = db.prepare(sql)));
      return statement;
    }, request.writes);
    db.prepare(
      `INSERT INTO checkpoints (read_model, position) VALUES (?, ?)
       ON CONFLICT (read_model) DO UPDATE SET position = excluded.position`,
    ).run(request.checkpoint.key, request.checkpoint.position);
  });
  port?.on('message', (request: Request | 'close') => {
    if (request === 'close') {
      db.close();
      port.close();
      return;
    }
    let error: string | null = null;
    try {
      db.pragma(`secure_delete = ${request.secureDelete}`);
      commit(request);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    port.postMessage({ id: request.id, error } satisfies Reply);
  });
  port?.postMessage('ready');
}

/** The writer thread died with the commit on its way: whether it landed is not known. */
export class RebuildWriterDiedError extends Error {}

/** The writer thread could not run the commit: nothing of it was written. */
export class RebuildWriterUnavailableError extends Error {}

/**
 * The thread that runs a rebuild's commits on a connection of its own, so that the thread
 * folding the log goes on folding meanwhile (ADR 17). Started for a rebuild and closed
 * after it. Should it fail to start, `ready` answers false from then on and the store
 * writes on its own connection as before. Commits run in the order given.
 */
export class RebuildWriter {
  private worker: Worker | null = null;
  private started: Promise<boolean> | null = null;
  private broken = false;
  private next = 0;
  private readonly waiting = new Map<
    number,
    { resolve: () => void; reject: (error: Error) => void }
  >();
  private drained: Promise<void> = Promise.resolve();
  private drain: (() => void) | null = null;
  /** A close under way; commits wait for it. */
  private closing: Promise<void> | null = null;
  private landedCount = 0;

  /** `driver`: the module the thread opens the file with (better-sqlite3). */
  constructor(
    private readonly file: string,
    private readonly pragmas: readonly string[],
    private readonly driver = driverPath(),
  ) {}

  /** Commits that landed through the thread, for diagnostics and tests. */
  get landed(): number {
    return this.landedCount;
  }

  /** False where the thread cannot run (it failed to start once). */
  get available(): boolean {
    return !this.broken && this.driver !== null;
  }

  /** Starts the thread if it is not running; whether it runs. */
  ready(): Promise<boolean> {
    if (this.broken || this.driver === null) return Promise.resolve(false);
    this.started ??= this.start(this.driver);
    return this.started;
  }

  /**
   * Runs the commit on the thread, started for it if need be (after a close under way).
   * Rejects with RebuildWriterUnavailableError, nothing written, if the thread cannot run.
   */
  async commit(request: RebuildCommit): Promise<void> {
    await this.closing;
    const worker = (await this.ready()) ? this.worker : null;
    if (!worker) throw new RebuildWriterUnavailableError('the rebuild writer cannot run');
    const id = this.next++;
    if (this.waiting.size === 0) {
      this.drained = new Promise((resolve) => (this.drain = resolve));
      // Commits on their way keep the process alive, as writes on this thread would.
      worker.ref();
    }
    const landed = new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
    });
    worker.postMessage({ ...request, id } satisfies Request);
    return landed;
  }

  /**
   * Stops the thread once its commits have landed, those sent while it waits included; a
   * commit that comes during the close waits for it and starts another thread.
   */
  close(): Promise<void> {
    this.closing ??= this.closeWhenDrained().finally(() => {
      this.closing = null;
    });
    return this.closing;
  }

  private async closeWhenDrained(): Promise<void> {
    await this.started;
    while (this.waiting.size > 0) await this.drained;
    const worker = this.worker;
    this.worker = null;
    this.started = null;
    if (!worker) return;
    worker.removeAllListeners('error').removeAllListeners('exit');
    // A failure while it closes is no one's concern; without a listener it would throw here.
    worker.on('error', () => undefined);
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    // Kept alive until its connection is closed: a process with nothing else to do would
    // otherwise end before `close` resolves.
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  private start(driver: string): Promise<boolean> {
    const source = `(${writerThread.toString()})(require, ${applyRowidWrites.toString()})`;
    const worker = new Worker(source, {
      eval: true,
      workerData: {
        driver,
        file: this.file,
        pragmas: this.pragmas,
      },
    });
    worker.unref();
    return new Promise((resolve) => {
      worker.on('message', (reply: Reply | 'ready') => {
        if (reply !== 'ready') this.settle(reply.id, reply.error);
        else {
          this.worker = worker;
          resolve(true);
        }
      });
      // Failed to start, or died: this store writes on its own connection from now on.
      const failed = (error: Error): void => {
        this.broken = true;
        this.worker = null;
        resolve(false);
        const died = new RebuildWriterDiedError(error.message);
        for (const id of [...this.waiting.keys()]) this.settle(id, died);
      };
      worker.on('error', failed);
      worker.on('exit', (code) => {
        failed(new Error(`the rebuild writer exited with code ${code}`));
      });
    });
  }

  private settle(id: number, error: string | Error | null): void {
    const waiter = this.waiting.get(id);
    this.waiting.delete(id);
    if (error === null) {
      this.landedCount += 1;
      waiter?.resolve();
    } else waiter?.reject(typeof error === 'string' ? new Error(error) : error);
    if (this.waiting.size === 0) {
      this.worker?.unref();
      this.drain?.();
    }
  }
}
