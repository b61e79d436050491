import type { EventCodec } from '../crypto/event-codec';
import type { DecodedEvent, DomainEvent, RecordedEvent } from '../store/event';
import type { EventStore, Subscription } from '../store/event-store.port';
import { applyEvent, type Projection, projectionKey } from './projection';
import type { ReadModelStore, StoredDocument } from './read-model-store.port';

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
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
      onError: (error) => this.retryLater(error),
    });
  }

  private retryLater(error: unknown): void {
    this.options.onError?.(error, this.key);
    this.subscription = null;
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
    const events = await this.codec.decode<E>(batch.filter((e) => this.handled.has(e.type)));
    const ids = [...new Set(events.map((e) => this.projection.documentId(e)))];
    const docs = await this.readModels.load<D>(this.key, ids);
    const changed = new Map<string, StoredDocument<D>>();
    for (const event of events) this.fold(docs, changed, event);
    await this.readModels.commit(this.key, [...changed.values()], last.position);
    this.checkpoint = last.position;
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

  private fold(
    docs: Map<string, StoredDocument<D>>,
    changed: Map<string, StoredDocument<D>>,
    event: DecodedEvent<E>,
  ): void {
    const id = this.projection.documentId(event);
    const next = applyEvent(this.projection, docs.get(id), event);
    if (!next) return;
    docs.set(id, next);
    changed.set(id, next);
  }
}
