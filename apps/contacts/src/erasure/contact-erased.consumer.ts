import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  EventCodec,
  type EventStore,
  type ReadModelStore,
  type RecordedEvent,
  type SubjectKeyStore,
  type Subscription,
} from '@crm/events';
import { EVENT_STORE, Projections, READ_MODELS, SUBJECT_KEYS } from '@crm/platform';

/** Its checkpoint, next to the read models' ones. */
export const ERASURE_CHECKPOINT = 'erasure_keys';
/** How far the checkpoint may lag behind when no erasure moved it: what a restart re-reads. */
const CHECKPOINT_EVERY = 1000;
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Runs on every replica and follows the log: for each ContactErased it destroys the party's
 * key (again: destroying is idempotent) and drops it from this replica's EventCodec cache.
 * So no replica keeps revealing a party another replica erased, and an erasure whose key
 * was not destroyed (a crash right after the event) is completed from the log.
 *
 * Destroy before forget: a replica that forgot first could look the key up again, still
 * alive, and cache it for good.
 */
@Injectable()
export class ContactErasedConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ContactErasedConsumer');
  private subscription: Subscription | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private running = false;
  private failures = 0;
  /** Every event up to here was handled; `committed` is what the store knows. */
  private position = 0;
  private committed = 0;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    @Inject(SUBJECT_KEYS) private readonly keys: SubjectKeyStore,
    private readonly codec: EventCodec,
    private readonly projections: Projections,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // With the read models in the projection thread, this runs there (its checkpoint is
    // written where theirs are) and the keys it forgets are forgotten here too.
    if (!this.projections.foldHere) return;
    await this.readModels.ensure({ key: ERASURE_CHECKPOINT, indexes: [] });
    this.committed = this.position = await this.readModels.checkpoint(ERASURE_CHECKPOINT);
    this.running = true;
    this.subscribe();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.subscription?.stop();
    this.subscription = null;
  }

  private subscribe(): void {
    this.subscription = this.store.subscribe(this.position, (batch) => this.apply(batch), {
      onCaughtUp: () => this.commit(CHECKPOINT_EVERY),
      onError: (error) => {
        this.retryLater(error);
      },
    });
  }

  private async apply(batch: readonly RecordedEvent[]): Promise<void> {
    const last = batch[batch.length - 1];
    if (!last) return;
    let erased = false;
    for (const event of batch) {
      if (event.type !== 'ContactErased') continue;
      await this.keys.destroy(event.streamId);
      this.codec.forget(event.streamId);
      erased = true;
    }
    this.position = last.position;
    this.failures = 0;
    if (erased) await this.commit(1);
  }

  private async commit(atLeast: number): Promise<void> {
    if (this.position - this.committed < atLeast) return;
    await this.readModels.commit(ERASURE_CHECKPOINT, [], this.position);
    this.committed = this.position;
  }

  /** The batch that failed is read again from the last position handled. */
  private retryLater(error: unknown): void {
    this.subscription = null;
    this.logger.error(
      `destroying erased keys failed, retrying: ${error instanceof Error ? error.message : String(error)}`,
    );
    const delay = Math.min(100 * 2 ** this.failures++, MAX_RETRY_DELAY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) this.subscribe();
    }, delay);
    this.retryTimer.unref();
  }
}
