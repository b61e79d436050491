import type { EventStore, RecordedEvent, Subscription } from '@crm/events';
import type { BusMessage, BusPublisher, PublishedForm } from '../bus.port';
import { cloudEventOf, toBinaryMessage } from '../cloud-event-binary';
import type { RelayCheckpointStore } from './relay-checkpoint-store';

export interface EventRelayOptions {
  /** Names the checkpoint; one relay per store and bus. */
  readonly name: string;
  /** Topic of a stream's category, e.g. `contact-…` → `crm.contacts.contact.v1`. */
  readonly topicFor: (streamId: string) => string;
  /**
   * The published form of an event (from its contract); null leaves the event out, e.g.
   * an internal event no contract publishes. Its position still counts as relayed.
   */
  readonly describe: (event: RecordedEvent) => PublishedForm | null | Promise<PublishedForm | null>;
  readonly batchSize?: number;
  /** Reported on every failed batch; the relay retries from its checkpoint. */
  readonly onError?: (error: unknown) => void;
  readonly maxRetryDelayMs?: number;
}

/**
 * The outbox of an event-sourced service: tails the store from its checkpoint and
 * publishes every event to its category topic, keyed by stream id. The checkpoint moves
 * only after the broker acknowledged the batch, so nothing is lost; a crash between the
 * ack and the save republishes that batch, which consumers drop by revision
 * (at-least-once, in order per stream).
 */
export class EventRelay {
  private subscription: Subscription | null = null;
  private running = false;
  /** Counts starts and stops, so a start that a stop overtook does not subscribe. */
  private runs = 0;
  private checkpoint = 0;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly publisher: BusPublisher,
    private readonly checkpoints: RelayCheckpointStore,
    private readonly options: EventRelayOptions,
  ) {}

  /**
   * Publishes from the saved checkpoint, not from what this instance remembers: a relay
   * started again (say, on the replica that just became the leader) resumes where the
   * last acknowledged batch of any replica ended.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const run = ++this.runs;
    let checkpoint: number;
    try {
      checkpoint = await this.checkpoints.load(this.options.name);
    } catch (error) {
      if (run === this.runs) this.running = false;
      throw error;
    }
    // Stopped (and perhaps started again) while the checkpoint was loading.
    if (run !== this.runs) return;
    this.checkpoint = checkpoint;
    this.subscribe();
  }

  /** Stops after the batch in flight was acknowledged and checkpointed (or failed). */
  async stop(): Promise<void> {
    this.running = false;
    this.runs++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.subscription?.stop();
    this.subscription = null;
  }

  /** Global position of the last event the broker acknowledged. */
  get position(): number {
    return this.checkpoint;
  }

  private subscribe(): void {
    this.subscription = this.store.subscribe(this.checkpoint, (batch) => this.relay(batch), {
      batchSize: this.options.batchSize ?? 500,
      onError: (error) => this.retryLater(error),
    });
  }

  private async relay(batch: readonly RecordedEvent[]): Promise<void> {
    const last = batch[batch.length - 1];
    if (!last) return;
    const messages: BusMessage[] = [];
    for (const event of batch) {
      const form = await this.options.describe(event);
      if (!form) continue;
      const topic = this.options.topicFor(event.streamId);
      messages.push(toBinaryMessage(topic, cloudEventOf(event, form)));
    }
    await this.publisher.publish(messages);
    await this.checkpoints.save(this.options.name, last.position);
    this.checkpoint = last.position;
    this.failures = 0;
  }

  /** The catch-up subscription ends on a failed batch; start a new one from the checkpoint. */
  private retryLater(error: unknown): void {
    this.options.onError?.(error);
    this.subscription = null;
    if (!this.running) return;
    const delay = Math.min(100 * 2 ** this.failures++, this.options.maxRetryDelayMs ?? 10_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      // The in-memory checkpoint is the saved one: it moves only after a save succeeded.
      if (this.running) this.subscribe();
    }, delay);
    this.retryTimer.unref();
  }
}
