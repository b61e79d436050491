import { randomUUID } from 'node:crypto';
import type { KafkaOptions } from '../kafka-client';
import { createKafka } from '../kafka-client';
import { headerText } from '../cloud-event-binary';

export interface RawMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly headers: Record<string, string>;
  readonly value: string;
}

/** Messages in a topic, counted from its partitions' offsets (no consumer, no waiting). */
export async function topicSize(kafka: KafkaOptions, topic: string): Promise<number> {
  const admin = createKafka(kafka).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads the first `count` messages of a topic as a throw-away consumer group would. */
export async function readTopic(
  kafka: KafkaOptions,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<RawMessage[]> {
  const consumer = createKafka(kafka).consumer({ groupId: `reader-${randomUUID()}` });
  const messages: RawMessage[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`read ${String(messages.length)} of ${String(count)} from ${topic}`));
      }, timeoutMs);
      void consumer.run({
        eachMessage: ({ partition, message }) => {
          const text = headerText(message.headers ?? {});
          const headers: Record<string, string> = {};
          for (const name of Object.keys(message.headers ?? {})) headers[name] = text(name) ?? '';
          messages.push({
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            headers,
            value: message.value?.toString() ?? '',
          });
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
