import { CompressionTypes, type Kafka, Partitioners, type Producer } from 'kafkajs';
import type { BusMessage, BusPublisher } from './bus.port';
import { createKafka, type KafkaOptions } from './kafka-client';
import { SocketTracker } from './kafka-sockets';

/**
 * BusPublisher on a kafkajs idempotent producer: the broker drops the duplicates that
 * the producer's own retries would create, and one request in flight keeps the order of
 * a partition even across retries.
 */
export class KafkaPublisher implements BusPublisher {
  private readonly kafka: Kafka;
  private readonly sockets = new SocketTracker();
  private producer: Promise<Producer> | null = null;

  constructor(options: KafkaOptions) {
    this.kafka = createKafka(options, this.sockets);
  }

  async publish(messages: readonly BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.connected();
    try {
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: byTopic(messages),
      });
    } catch (error) {
      // After a failed send the producer's sequence numbers may no longer match the
      // broker's; a new producer (new producer id) starts clean. The caller resends.
      await this.reset();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.reset();
  }

  private connected(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Java-compatible murmur2, so other clients put the same key in the same partition.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      const pending = producer.connect().then(() => producer);
      // A failed connect is retried by the next publish, not cached.
      pending.catch(() => {
        if (this.producer === pending) this.producer = null;
      });
      this.producer = pending;
    }
    return this.producer;
  }

  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    if (!producer) return;
    await producer.then((p) => p.disconnect()).catch(() => undefined);
    // Publishes run one at a time, so every socket left belongs to the old producer.
    this.sockets.destroyAll();
  }
}

/** Groups messages per topic, keeping their order within each topic. */
function byTopic(messages: readonly BusMessage[]) {
  const topics = new Map<
    string,
    { key: string; value: string | Buffer; headers: Record<string, string> }[]
  >();
  for (const message of messages) {
    const list = topics.get(message.topic) ?? [];
    list.push({ key: message.key, value: message.value, headers: { ...message.headers } });
    topics.set(message.topic, list);
  }
  return [...topics].map(([topic, list]) => ({ topic, messages: list }));
}
