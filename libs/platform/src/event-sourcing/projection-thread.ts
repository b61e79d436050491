import { PositionWaiters, type ReadModelProgress } from '@crm/events';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

// The read models of a service can run in a thread of their own (PROJECTION_THREAD=worker):
// the service's main script started again as a worker thread, whose modules run without
// HTTP and whose Projections runs the runners. See docs/adr/0014-projection-thread.md.

const ROLE = 'crm-projections';
/** How long the main thread waits for the projection thread to close its stores. */
const STOP_TIMEOUT_MS = 10_000;

type ToThread = { readonly type: 'stop' } | { readonly type: 'rebuild' };
type FromThread =
  | { readonly type: 'progress'; readonly positions: readonly [key: string, position: number][] }
  | { readonly type: 'forgot'; readonly subject: string }
  | { readonly type: 'started' }
  | { readonly type: 'rebuilt'; readonly error: string | null };

/** True in the projection thread of a service. */
export function isProjectionThread(): boolean {
  return !isMainThread && (workerData as { role?: unknown } | null)?.role === ROLE;
}

/** Positions reported in this turn of the event loop, sent together at its end. */
let progress: Map<string, number> | null = null;

/** In the projection thread: the position up to which a read model is applied and readable. */
export function reportProgress(key: string, position: number): void {
  if (!progress) {
    progress = new Map();
    setImmediate(() => {
      const positions = [...(progress ?? [])];
      progress = null;
      parentPort?.postMessage({ type: 'progress', positions } satisfies FromThread);
    });
  }
  progress.set(key, position);
}

/** How much lower than the HTTP thread's the projection thread's scheduling priority is. */
const NICENESS = 10;

/**
 * In the projection thread: gives way to the HTTP thread when the cores are busy, so
 * folding takes spare CPU and requests do not wait behind it. Linux only (a thread's id is
 * in /proc/thread-self); elsewhere the thread keeps the process's priority.
 */
export function yieldToRequests(): void {
  try {
    const thread = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(thread)) setPriority(thread, NICENESS);
  } catch {
    // not Linux, or not allowed: the same priority as the HTTP thread
  }
}

/** In the projection thread: a subject whose key its codec forgot (the key was destroyed). */
export function reportForgotten(subject: string): void {
  parentPort?.postMessage({ type: 'forgot', subject } satisfies FromThread);
}

/**
 * In the projection thread, once its modules are up: tells the main thread so, then serves
 * its requests until it says stop.
 */
export function serveMainThread(actions: {
  rebuild(): Promise<void>;
  stop(): Promise<void>;
}): void {
  const port = parentPort;
  if (!port) throw new Error('the projection thread runs as a worker thread');
  const onMessage = (message: ToThread): void => {
    if (message.type === 'rebuild') {
      void actions.rebuild().then(
        () => port.postMessage({ type: 'rebuilt', error: null } satisfies FromThread),
        (error: unknown) =>
          port.postMessage({ type: 'rebuilt', error: String(error) } satisfies FromThread),
      );
      return;
    }
    // With no listener left, the port no longer holds the thread open once stopped.
    port.off('message', onMessage);
    void actions.stop();
  };
  port.on('message', onMessage);
  port.postMessage({ type: 'started' } satisfies FromThread);
}

/** A read model whose runner is in the projection thread, as far as that thread reported. */
export class ReadModelInThread implements ReadModelProgress {
  private reached = 0;
  private readonly waiters = new PositionWaiters();

  constructor(readonly key: string) {}

  get position(): number {
    return this.reached;
  }

  waitFor(position: number, timeoutMs = 5000): Promise<boolean> {
    return this.waiters.wait(position, timeoutMs);
  }

  progressed(position: number): void {
    this.reached = position;
    this.waiters.reach(position);
  }
}

/** The main thread's handle on the projection thread. */
export class ProjectionThread {
  private stopping = false;
  private alive = true;
  private rebuilt: ((error: string | null) => void) | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly exited: Promise<number>,
  ) {
    void exited.then(() => (this.alive = false));
  }

  /**
   * Starts `entry` (the service's main script) as the projection thread; resolves once its
   * read models are started. `forgot`: a key the thread's codec forgot, for this thread's
   * to forget too; `failed`: the thread died later on, not asked to.
   */
  static start(
    entry: string,
    readModels: ReadonlyMap<string, ReadModelInThread>,
    on: { forgot(subject: string): void; failed(error: Error): void },
    youngGenerationMb: number,
  ): Promise<ProjectionThread> {
    const worker = new Worker(entry, {
      workerData: { role: ROLE },
      // A rebuild keeps the documents it folds until they are committed (ADR 17).
      resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb },
    });
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    return new Promise((resolve, reject) => {
      let thread: ProjectionThread | null = null;
      worker.on('message', (message: FromThread) => {
        if (message.type === 'progress') {
          for (const [key, position] of message.positions)
            readModels.get(key)?.progressed(position);
        } else if (message.type === 'forgot') on.forgot(message.subject);
        else if (message.type === 'rebuilt') thread?.rebuilt?.(message.error);
        else {
          thread = new ProjectionThread(worker, exited);
          resolve(thread);
        }
      });
      let failure: Error | null = null;
      worker.once('error', (error) => (failure = error));
      void exited.then((code) => {
        const error = failure ?? new Error(`the projection thread exited with code ${code}`);
        if (!thread) reject(error);
        else if (!thread.stopping) on.failed(error);
      });
    });
  }

  get running(): boolean {
    return this.alive;
  }

  /** Rebuilds every read model of the thread from the start of the log. */
  rebuild(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.rebuilt = (error) => {
        this.rebuilt = null;
        if (error === null) resolve();
        else reject(new Error(error));
      };
      this.worker.postMessage({ type: 'rebuild' } satisfies ToThread);
    });
  }

  /** Asks the thread to stop its runners and close its stores; resolves once it has exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.worker.postMessage({ type: 'stop' } satisfies ToThread);
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref(),
    );
    if ((await Promise.race([this.exited, timeout])) === 'timeout') await this.worker.terminate();
  }
}
