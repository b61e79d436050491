import type { EventCodec } from '../crypto/event-codec';
import type { DecodedEvent, DomainEvent, RecordedEvent } from '../store/event';
import type { EventStore, Subscription } from '../store/event-store.port';
import { applyEvent, type Projection, projectionKey } from './projection';
import type { ReadModelStore, StoredDocument } from './read-model-store.port';

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  /**
   * While catching up, changed documents stay in memory across batches and are committed
   * with the checkpoint once this many are pending (or when caught up): far fewer writes
   * during a rebuild. Crash-safe because the checkpoint is written with them.
   */
  readonly maxPendingDocuments?: number;
  /** Reported when a batch fails; the runner retries it after a growing delay. */
  readonly onError?: (error: unknown, projection: string) => void;
  readonly maxRetryDelayMs?: number;
}

/**
 * Keeps one read model up to date: a catch-up subscription from the stored checkpoint,
 * batches folded in memory and committed together with the new checkpoint. Every
 * document remembers the position of the last event applied to it, so an event delivered
 * twice changes nothing.
 */
export class ProjectionRunner<D, E extends DomainEvent = DomainEvent> {
  readonly key: string;
  private subscription: Subscription | null = null;
  private running = false;
  private checkpoint = 0;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly handled: ReadonlySet<string>;
  private readonly waiters = new Set<{ position: number; resolve: () => void }>();
  /** Folded but not yet committed, up to `pendingPosition`. */
  private readonly pending = new Map<string, StoredDocument<D>>();
  private pendingPosition = 0;

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

  async start(): Promise<void> {
    await this.readModels.ensure({ key: this.key, indexes: this.projection.indexes ?? [] });
    this.checkpoint = await this.readModels.checkpoint(this.key);
    this.running = true;
    this.settleWaiters();
    this.subscribe();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.subscription?.stop();
    this.subscription = null;
    await this.flush();
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
    if (this.checkpoint >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { position, resolve: () => resolve(true) };
      this.waiters.add(waiter);
      setTimeout(() => {
        if (this.waiters.delete(waiter)) resolve(false);
      }, timeoutMs).unref();
    });
  }

  private subscribe(): void {
    this.subscription = this.store.subscribe(this.checkpoint, (batch) => this.apply(batch), {
      batchSize: this.options.batchSize ?? 1000,
      onCaughtUp: () => this.flush(),
      onError: (error) => this.retryLater(error),
    });
  }

  private retryLater(error: unknown): void {
    this.options.onError?.(error, this.key);
    this.subscription = null;
    // What was folded since the last commit is dropped and folded again from the checkpoint.
    this.pending.clear();
    this.pendingPosition = 0;
    const delay = Math.min(100 * 2 ** this.failures++, this.options.maxRetryDelayMs ?? 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.readModels.checkpoint(this.key).then(
        (checkpoint) => {
          // stop() may have run while the checkpoint was being read.
          if (!this.running) return;
          this.checkpoint = checkpoint;
          this.subscribe();
        },
        (e: unknown) => {
          if (this.running) this.retryLater(e);
        },
      );
    }, delay);
    this.retryTimer.unref();
  }

  private async apply(batch: readonly RecordedEvent[]): Promise<void> {
    const last = batch[batch.length - 1];
    if (!last) return;
    const handled = batch.filter((e) => this.handled.has(e.type));
    const events =
      this.projection.personalData === 'revealed'
        ? await this.codec.decode<E>(handled)
        : this.codec.decodeSealed<E>(handled);
    const ids = [...new Set(events.map((e) => this.projection.documentId(e)))];
    const docs = await this.readModels.load<D>(
      this.key,
      ids.filter((id) => !this.pending.has(id)),
    );
    for (const [id, doc] of this.pending) docs.set(id, doc);
    for (const event of events) this.fold(docs, event);
    this.pendingPosition = last.position;
    if (this.pending.size >= (this.options.maxPendingDocuments ?? 20_000)) await this.flush();
    // While catching up every read resolves at once; yield so HTTP, health checks and
    // timers of the process keep running during a long rebuild.
    else await new Promise((resolve) => setImmediate(resolve));
  }

  private async flush(): Promise<void> {
    if (this.pendingPosition <= this.checkpoint) return;
    await this.readModels.commit(this.key, [...this.pending.values()], this.pendingPosition);
    this.pending.clear();
    this.checkpoint = this.pendingPosition;
    this.failures = 0;
    this.settleWaiters();
  }

  private settleWaiters(): void {
    for (const waiter of this.waiters) {
      if (waiter.position <= this.checkpoint) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private fold(docs: Map<string, StoredDocument<D>>, event: DecodedEvent<E>): void {
    const id = this.projection.documentId(event);
    const next = applyEvent(this.projection, docs.get(id), event);
    if (!next) return;
    docs.set(id, next);
    this.pending.set(id, next);
  }
}
