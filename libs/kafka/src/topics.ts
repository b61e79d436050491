import { createKafka, type KafkaOptions } from './kafka-client';

export interface TopicSpec {
  readonly topic: string;
  /** Explicit, because the partition count bounds a consumer group's parallelism. */
  readonly partitions: number;
  /** 1 on a single broker; 3 in production. */
  readonly replicationFactor?: number;
  /** Milliseconds; -1 keeps events forever so a new consumer can start from the beginning. */
  readonly retentionMs?: number;
  /** Further topic configs (`min.insync.replicas`, `cleanup.policy`, ...). */
  readonly config?: Readonly<Record<string, string>>;
}

/** Dead-letter topic of a topic: poison messages of every consumer group of that topic. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

/**
 * Creates the topics that do not exist yet, and waits until they have leaders. Existing
 * topics are left as they are: changing partitions or retention is an operation to do
 * deliberately, not a side effect of a deploy.
 */
export async function ensureTopics(
  options: KafkaOptions,
  specs: readonly TopicSpec[],
): Promise<void> {
  const admin = createKafka(options).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor ?? 1,
        configEntries: Object.entries({
          'retention.ms': String(spec.retentionMs ?? -1),
          ...spec.config,
        }).map(([name, value]) => ({ name, value })),
      })),
    });
  } finally {
    await admin.disconnect();
  }
}
