import type { EventCodec } from '../crypto/event-codec';
import type { DecodedEvent, DomainEvent, RecordedEvent } from '../store/event';
import type { EventStore, Subscription } from '../store/event-store.port';
import { batchTick } from './batch-tick';
import { PendingDocuments, type PendingEntry } from './pending-documents';
import { PositionWaiters, type ReadModelProgress } from './position-waiters';
import { applyEvent, definitionOf, type Projection, projectionKey } from './projection';
import type { ReadModelStore, StoredDocument } from './read-model-store.port';

/** Beyond this many ids, a rebuild stops remembering which it wrote and loads like any run. */
const MAX_WRITTEN_IDS = 1_000_000;
/** Tries to prepare the read model at start before the start fails (about 3 s in all). */
const START_ATTEMPTS = 5;

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  /**
   * While catching up, changed documents stay in memory across batches and are committed
   * with the checkpoint once this many are pending (or when caught up): far fewer writes
   * during a rebuild. Crash-safe because the checkpoint is written with them. Up to a
   * quarter of them, the most recently changed, may stay in memory past such a commit
   * (its checkpoint then stops before their first change).
   */
  readonly maxPendingDocuments?: number;
  /** Reported when a batch fails; the runner retries it after a growing delay. */
  readonly onError?: (error: unknown, projection: string) => void;
  readonly maxRetryDelayMs?: number;
  /** Told the position waiters count as applied each time it changes (another thread's waiters). */
  readonly onProgress?: (position: number) => void;
  /**
   * Live and under load, how long to wait after a commit before reading on: events keep
   * arriving meanwhile, and more of them fold in one transaction (a commit writes each
   * index's last page once, however many documents it holds). Under load means that more
   * than one event came since the last commit; a single event at a time is folded and
   * committed at once, so light traffic sees its writes in the read models without the
   * wait. Runners waiting at the same time wake together (see batchTick). 0 (the default):
   * no wait.
   */
  readonly batchDelayMs?: number;
}

/**
 * Keeps one read model up to date: a catch-up subscription from the stored checkpoint,
 * batches folded in memory and committed together with the new checkpoint. Every
 * document remembers the position of the last event applied to it, so an event delivered
 * twice changes nothing.
 *
 * While catching up, one commit may be in flight while the next batches are folded; the
 * checkpoint (`position`) moves when the store has committed.
 */
export class ProjectionRunner<D, E extends DomainEvent = DomainEvent> implements ReadModelProgress {
  readonly key: string;
  private subscription: Subscription | null = null;
  private running = false;
  private checkpoint = 0;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly handled: ReadonlySet<string>;
  private readonly waiters = new PositionWaiters();
  private readonly pending = new PendingDocuments<D>();
  /**
   * The documents of the last commit while it is in flight (what the store holds for them
   * once it lands, so they need no load), and after it landed if it was made live.
   */
  private committed = new Map<string, StoredDocument<D>>();
  private inFlight: Promise<void> | null = null;
  /** The last commit was made while catching up: the store may have work put off. */
  private storeCatchingUp = false;
  /**
   * Set while the subscription runs from an empty read model: the ids given to the store
   * since then. Any other id has nothing stored to load.
   */
  private written: Set<string> | null = null;
  /** Events read since the subscription last caught up: more than one means load. */
  private readSinceCaughtUp = 0;

  constructor(
    private readonly store: EventStore,
    private readonly codec: EventCodec,
    private readonly readModels: ReadModelStore,
    private readonly projection: Projection<D, E>,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.key = projectionKey(projection);
    this.handled = new Set(projection.handles);
  }

  /**
   * Prepares the read model and subscribes from its checkpoint. A store that fails to
   * prepare it (unreachable for a moment, or a server still settling a dropped collection
   * during a rebuild) is tried again after a growing delay, each failure reported, before
   * the start fails: a rebuild must not leave a read model stopped for one refused call.
   */
  async start(): Promise<void> {
    const { checkpoint, empty } = await this.prepare();
    this.checkpoint = checkpoint;
    this.running = true;
    this.settleWaiters();
    this.subscribe(empty);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.subscription?.stop();
    this.subscription = null;
    await this.flush(false);
  }

  private async prepare(attempt = 1): Promise<{ checkpoint: number; empty: boolean }> {
    try {
      await this.readModels.ensure(definitionOf(this.projection));
      return await this.resumePoint();
    } catch (error) {
      if (attempt >= START_ATTEMPTS) throw error;
      this.options.onError?.(error, this.key);
      await new Promise((resolve) => setTimeout(resolve, this.backoff(attempt)));
      return this.prepare(attempt + 1);
    }
  }

  /** Drops the read model and folds the whole log again from position 0. */
  async rebuild(): Promise<void> {
    await this.stop();
    await this.readModels.reset(this.key);
    await this.start();
  }

  get position(): number {
    return this.checkpoint;
  }

  /** Resolves once the read model has applied everything up to `position`. */
  waitFor(position: number, timeoutMs = 5000): Promise<boolean> {
    return this.waiters.wait(position, timeoutMs);
  }

  /** Where to go on from: the stored checkpoint, and whether the read model is still empty. */
  private async resumePoint(): Promise<{ checkpoint: number; empty: boolean }> {
    const checkpoint = await this.readModels.checkpoint(this.key);
    return { checkpoint, empty: checkpoint === 0 && (await this.readModels.isEmpty(this.key)) };
  }

  /** `empty`: the read model holds nothing yet, so no document needs loading until written. */
  private subscribe(empty: boolean): void {
    // What this runner committed before may since have been reset or rewritten.
    this.committed = new Map();
    this.written = empty ? new Set() : null;
    this.readSinceCaughtUp = 0;
    this.subscription = this.store.subscribe(this.checkpoint, (batch) => this.apply(batch), {
      batchSize: this.options.batchSize ?? 1000,
      onCaughtUp: async () => {
        const busy = this.readSinceCaughtUp > 1;
        this.readSinceCaughtUp = 0;
        await this.flush(false);
        const delay = this.options.batchDelayMs ?? 0;
        if (delay > 0 && busy) await batchTick(delay);
      },
      onError: (error) => this.retryLater(error),
    });
  }

  private retryLater(error: unknown): void {
    this.options.onError?.(error, this.key);
    this.subscription = null;
    // What was folded since the last commit is dropped and folded again from the checkpoint.
    this.pending.clear();
    // A commit still in flight decides where the checkpoint is: whatever comes next waits
    // for it, and its failure, if it fails too, is not reported a second time.
    this.inFlight = this.inFlight?.catch(() => undefined) ?? null;
    const delay = this.backoff(this.failures++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.landed()
        .then(() => this.resumePoint())
        .then(
          ({ checkpoint, empty }) => {
            // stop() may have run while the checkpoint was being read.
            if (!this.running) return;
            this.checkpoint = checkpoint;
            this.subscribe(empty);
          },
          (e: unknown) => {
            if (this.running) this.retryLater(e);
          },
        );
    }, delay);
    this.retryTimer.unref();
  }

  /** How long to wait before trying again after `failures` failures in a row. */
  private backoff(failures: number): number {
    return Math.min(100 * 2 ** failures, this.options.maxRetryDelayMs ?? 30_000);
  }

  private async apply(batch: readonly RecordedEvent[]): Promise<void> {
    const last = batch[batch.length - 1];
    if (!last) return;
    this.readSinceCaughtUp += batch.length;
    const handled = batch.filter((e) => this.handled.has(e.type));
    const events =
      this.projection.personalData === 'revealed'
        ? await this.codec.decode<E>(handled)
        : this.codec.decodeSealed<E>(handled);
    // Folded in memory up to the first event whose document may only be in the store; a
    // rebuild never gets there, as it knows which documents it has written.
    let folded = 0;
    for (const event of events) {
      const id = this.projection.documentId(event);
      const entry = this.pending.entry(id);
      const current = entry?.doc ?? this.committed.get(id);
      if (current === undefined && this.mayBeStored(id)) break;
      this.fold(current, event, entry);
      folded += 1;
    }
    if (folded < events.length) await this.loadAndFold(events.slice(folded));
    this.pending.position = last.position;
    if (this.pending.size >= this.maxPending) await this.flush(true);
    // While catching up every read resolves at once; yield so HTTP, health checks and
    // timers of the process keep running during a long rebuild.
    else await new Promise((resolve) => setImmediate(resolve));
  }

  private mayBeStored(id: string): boolean {
    return this.written === null || this.written.has(id);
  }

  /** Folds the events after loading, once each and all at once, what they need from the store. */
  private async loadAndFold(events: readonly DecodedEvent<E>[]): Promise<void> {
    const ids = events.map((event) => this.projection.documentId(event));
    const toLoad = new Set<string>();
    for (const id of ids) {
      if (!this.pending.has(id) && !this.committed.has(id) && this.mayBeStored(id)) toLoad.add(id);
    }
    const stored = await this.readModels.load<D>(this.key, [...toLoad]);
    for (let i = 0; i < events.length; i++) {
      const id = ids[i] as string;
      const current = this.pending.get(id) ?? this.committed.get(id) ?? stored.get(id);
      this.fold(current, events[i] as DecodedEvent<E>);
    }
  }

  /** `entry`: the document's pending entry, when the caller has it at hand. */
  private fold(
    current: StoredDocument<D> | undefined,
    event: DecodedEvent<E>,
    entry?: PendingEntry<D>,
  ): void {
    const next = applyEvent(this.projection, current, event);
    if (next) this.pending.set(next, entry);
  }

  /**
   * Commits what is pending. `catchingUp`: more batches follow right away, so the commit is
   * left in flight (the next flush waits for it), the store may put off index upkeep, and
   * a quarter of the limit of the most recently changed documents may stay pending;
   * otherwise all is committed and has landed when this resolves.
   */
  private async flush(catchingUp: boolean): Promise<void> {
    await this.landed();
    if (this.pending.position <= this.checkpoint) {
      // Nothing new, but the store may still have to finish what it put off.
      if (!catchingUp && this.storeCatchingUp) await this.commit([], this.checkpoint, false);
      return;
    }
    const keep = catchingUp ? Math.floor(this.maxPending / 4) : 0;
    const { changes, checkpoint } = this.pending.take(keep);
    if (this.written) {
      // Before the commit: a commit that fails half way may still have stored some of them.
      for (const id of changes.keys()) this.written.add(id);
      if (this.written.size > MAX_WRITTEN_IDS) this.written = null;
    }
    this.committed = changes;
    const commit = this.commit([...changes.values()], checkpoint, catchingUp);
    if (!catchingUp) return commit;
    // Landed, its documents are loaded like any other stored one should they change again
    // before the next commit: during a rebuild, kept till then they would outlive young-
    // generation collections and be copied into the old one (ADR 18). Its failure
    // surfaces when the next flush awaits it; until then it is not unhandled.
    commit.then(
      () => {
        if (this.committed === changes) this.committed = new Map();
      },
      () => undefined,
    );
    this.inFlight = commit;
  }

  private get maxPending(): number {
    return this.options.maxPendingDocuments ?? 20_000;
  }

  private async commit(
    changes: StoredDocument<D>[],
    position: number,
    catchingUp: boolean,
  ): Promise<void> {
    this.storeCatchingUp ||= catchingUp;
    await this.readModels.commit(this.key, changes, position, { catchingUp });
    if (!catchingUp) this.storeCatchingUp = false;
    this.checkpoint = Math.max(this.checkpoint, position);
    this.failures = 0;
    this.settleWaiters();
  }

  /** Waits for the commit in flight, if any; rejects if it failed. */
  private async landed(): Promise<void> {
    const inFlight = this.inFlight;
    this.inFlight = null;
    await inFlight;
  }

  /**
   * The position waiters count as applied. Right after a commit made while catching up,
   * the store may still owe work (its indexes): the read model is complete up to that
   * commit but only usable as before past it, so its own position waits for the next one.
   */
  private reached(): number {
    return this.storeCatchingUp ? this.checkpoint - 1 : this.checkpoint;
  }

  private settleWaiters(): void {
    const reached = this.reached();
    this.waiters.reach(reached);
    this.options.onProgress?.(reached);
  }
}
