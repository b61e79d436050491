import type { CloudEvent } from '@crm/events';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { BusMessage, Delivery, EventHandler } from '../bus.port';
import { fromBinaryMessage } from '../cloud-event-binary';
import { createKafka, type KafkaOptions } from '../kafka-client';
import { KafkaPublisher } from '../kafka-publisher';
import { SocketTracker } from '../kafka-sockets';
import { deadLetterTopic, ensureTopics } from '../topics';
import { deadLetterOf } from './dead-letter';
import { InMemoryProcessedRevisions, type ProcessedRevisions } from './processed-revisions';
import { attempt, DEFAULT_RETRY, type RetryPolicy } from './retry-policy';

export interface EventConsumerOptions {
  /** One group per consuming service (and purpose): the group shares the partitions. */
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: EventHandler;
  /** Defaults to memory: fine when the handler's effects are in memory too. */
  readonly processed?: ProcessedRevisions;
  readonly retry?: Partial<RetryPolicy>;
  /** A new group starts at the beginning: event topics keep every event. Default true. */
  readonly fromBeginning?: boolean;
  /** Creates `<topic>.dlq` at start when missing. Default true. */
  readonly createDeadLetterTopics?: boolean;
  readonly sessionTimeoutMs?: number;
  /** Observability hooks: a message dead-lettered, a redelivery skipped, a client crash. */
  readonly onDeadLetter?: (message: BusMessage) => void;
  readonly onSkip?: (event: CloudEvent) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Delivers CloudEvents from Kafka to a handler, one partition in offset order (so one
 * stream in revision order), idempotently: an event at or below the stream's last
 * applied revision is skipped. A failing event is retried with backoff, then copied to
 * `<topic>.dlq` with the error in its headers and committed, so no partition stalls.
 */
export class EventConsumer {
  private readonly kafka: Kafka;
  private readonly sockets = new SocketTracker();
  private readonly deadLetters: KafkaPublisher;
  private readonly processed: ProcessedRevisions;
  private readonly retry: RetryPolicy;
  private consumer: Consumer | null = null;
  private assigned: Readonly<Record<string, readonly number[]>> = {};

  constructor(
    private readonly kafkaOptions: KafkaOptions,
    private readonly options: EventConsumerOptions,
  ) {
    this.kafka = createKafka(kafkaOptions, this.sockets);
    this.deadLetters = new KafkaPublisher(kafkaOptions);
    this.processed = options.processed ?? new InMemoryProcessedRevisions();
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** Resolves once subscribed; joining the group and the first fetch follow in the background. */
  async start(): Promise<void> {
    if (this.consumer) return;
    if (this.options.createDeadLetterTopics ?? true) {
      const topics = this.options.topics.map((t) => ({ topic: deadLetterTopic(t), partitions: 1 }));
      await ensureTopics(this.kafkaOptions, topics);
    }
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      maxWaitTimeInMs: 1000,
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned = payload.memberAssignment;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => this.options.onError?.(payload.error));
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: [...this.options.topics],
        fromBeginning: this.options.fromBeginning ?? true,
      });
      await consumer.run({
        autoCommit: true,
        // Offsets of handled messages are committed at the end of every fetched batch, on
        // stop, and at least every second or hundred messages in between.
        autoCommitInterval: 1000,
        autoCommitThreshold: 100,
        eachMessage: (payload) => this.receive(payload),
      });
    } catch (error) {
      // Leave the consumer startable again.
      this.consumer = null;
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Stops fetching, lets the message in hand finish (its retries included), commits,
   * leaves the group (its partitions move to the other members at once) and disconnects.
   */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    this.assigned = {};
    await consumer?.disconnect();
    this.sockets.destroyAll();
    await this.deadLetters.close();
  }

  /** Partitions this member holds since its last join, by topic. */
  get assignment(): Readonly<Record<string, readonly number[]>> {
    return this.assigned;
  }

  private async receive(payload: EachMessagePayload): Promise<void> {
    const { topic, partition, message } = payload;
    const delivery: Delivery = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString() ?? null,
    };
    let event: CloudEvent;
    try {
      event = fromBinaryMessage(message.headers ?? {}, message.value);
    } catch (error) {
      // Unreadable now means unreadable on every retry: dead-letter it at once.
      await this.deadLetter(delivery, message, error, 0);
      return;
    }
    if (event.streamrevision <= (await this.processed.lastApplied(event.subject))) {
      this.options.onSkip?.(event);
      return;
    }
    const outcome = await attempt(
      () => this.options.handler(event, delivery),
      this.retry,
      () => payload.heartbeat(),
    );
    if (outcome.ok) await this.processed.markApplied(event.subject, event.streamrevision);
    else await this.deadLetter(delivery, message, outcome.error, outcome.attempts);
  }

  /** Throws when the dead-letter topic cannot be written: the message is then redelivered. */
  private async deadLetter(
    delivery: Delivery,
    message: EachMessagePayload['message'],
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const copy = deadLetterOf(delivery, message.headers ?? {}, message.value, {
      error,
      attempts,
      group: this.options.groupId,
    });
    await this.deadLetters.publish([copy]);
    this.options.onDeadLetter?.(copy);
  }
}
