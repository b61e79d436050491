import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { NewEvent, RecordedEvent } from '@crm/events';
import {
  type BusMessage,
  cloudEventOf,
  createKafka,
  ensureTopics,
  EventRelay,
  InMemoryRelayCheckpointStore,
  KafkaPublisher,
  type KafkaOptions,
  toBinaryMessage,
} from '@crm/kafka';
import { describeByContract, topicSize, unique } from '@crm/kafka/testing';
import { SqliteEventStore } from '@crm/sqlite';
import { CompressionTypes, Partitioners } from 'kafkajs';
import { metadata, progress, secondsSince, withTempDir } from './fixtures';
import { type BenchResult, result, round } from './report';

/** Contact streams; each gets a ContactRegistered and RENAMES ContactRenamed events. */
const STREAMS = 5_000;
const RENAMES = 3;
const EVENTS = STREAMS * (1 + RENAMES);
/** The relay's default batch size; the raw producer sends batches of the same size. */
const BATCH = 500;
const PARTITIONS = 3;
const WARMUP = 2_000;
/** Raw and relay alternate in rounds, so a burst of load on the shared machine hits both. */
const ROUNDS = 2;
const WRITERS = 16;
const TIMEOUT_MS = 120_000;
const TARGET = 0.5;

export function kafkaOptions(clientId: string): KafkaOptions {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers) {
    throw new Error(
      'KAFKA_BROKERS is not set: run `bash scripts/engines/kafka.sh start` and `source .engines/kafka.env`',
    );
  }
  return {
    brokers: brokers.split(','),
    clientId,
    logLevel: 'warn',
    log: (level, message) => progress(`kafkajs ${level}: ${message}`),
  };
}

/** A contact's life as the contact fixtures write it: registered, then renamed. */
function streamEvents(n: number, contactId: string): NewEvent[] {
  const at = new Date(Date.parse('2026-03-02T08:00:00.000Z') + n);
  const registered: NewEvent = {
    id: randomUUID(),
    type: 'ContactRegistered',
    data: {
      contactId,
      kind: 'person',
      relationship: 'b2c',
      name: `Ada ${String(n)}`,
      primaryEmail: `ada${String(n)}@example.com`,
      primaryPhone: null,
    },
    metadata: metadata(n, at),
  };
  const renames = Array.from({ length: RENAMES }, (_, r): NewEvent => ({
    id: randomUUID(),
    type: 'ContactRenamed',
    data: { contactId, name: `Ada ${String(n)} r${String(r)}` },
    metadata: metadata(n, at, registered.id),
  }));
  return [registered, ...renames];
}

/** Appends every stream with a few writers in parallel, so group commit keeps this short. */
async function fillStore(store: SqliteEventStore): Promise<void> {
  let next = 0;
  const writer = async (): Promise<void> => {
    for (let n = next++; n < STREAMS; n = next++) {
      const contactId = randomUUID();
      await store.append(`contact-${contactId}`, streamEvents(n, contactId), 'no_stream');
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
}

async function readEverything(store: SqliteEventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll((events[events.length - 1]?.position ?? 0) + 1, 5_000);
    if (page.length === 0) return events;
    events.push(...page);
  }
}

/** The floor: a plain idempotent kafkajs producer sending precomputed messages, 500 per batch. */
async function rawSend(
  kafka: KafkaOptions,
  topic: string,
  messages: readonly BusMessage[],
): Promise<number> {
  const producer = createKafka(kafka).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const start = process.hrtime.bigint();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += BATCH) {
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [
          {
            topic,
            messages: messages
              .slice(i, i + BATCH)
              .map(({ key, value, headers }) => ({ key, value, headers: { ...headers } })),
          },
        ],
      });
    }
    return secondsSince(start);
  } finally {
    await producer.disconnect();
  }
}

/** A relay from position 0 to the head of the store, timed until its checkpoint is the head. */
async function relayRun(
  kafka: KafkaOptions,
  store: SqliteEventStore,
  topic: string,
  head: number,
): Promise<{ seconds: number; errors: number }> {
  let reached: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (reached = resolve));
  class Watched extends InMemoryRelayCheckpointStore {
    override async save(relay: string, position: number): Promise<void> {
      await super.save(relay, position);
      if (position >= head) reached();
    }
  }
  let errors = 0;
  const publisher = new KafkaPublisher(kafka);
  const relay = new EventRelay(store, publisher, new Watched(), {
    name: 'bench',
    topicFor: () => topic,
    describe: describeByContract,
    batchSize: BATCH,
    onError: (error) => {
      errors += 1;
      progress(`relay: publish failed, retrying: ${String(error)}`);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`relay reached ${String(relay.position)} of ${String(head)}`));
    }, TIMEOUT_MS);
  });
  const start = process.hrtime.bigint();
  try {
    await relay.start();
    await Promise.race([done, timeout]);
    return { seconds: secondsSince(start), errors };
  } finally {
    clearTimeout(timer);
    await relay.stop();
    await publisher.close();
  }
}

/**
 * EventRelay events/s (SQLite store → describe → binary CloudEvent → KafkaPublisher, one
 * batch of 500 in flight, acks from all replicas) ÷ a plain idempotent kafkajs producer
 * sending the same messages, precomputed, in batches of the same size. Both include the
 * producer's connect; each round gets fresh 3-partition topics.
 */
export async function relayBench(): Promise<BenchResult> {
  const kafka = kafkaOptions('crm-bench-relay');
  return withTempDir('relay', async (dir) => {
    const store = new SqliteEventStore(join(dir, 'store.db'));
    try {
      progress(`relay: appending ${String(EVENTS)} events`);
      await fillStore(store);
      const head = await store.headPosition();
      const events = await readEverything(store);
      if (events.length !== EVENTS) throw new Error(`store holds ${String(events.length)} events`);
      const messagesFor = (topic: string): BusMessage[] =>
        events.map((event) =>
          toBinaryMessage(topic, cloudEventOf(event, describeByContract(event))),
        );

      const warmupTopic = unique('bench.relay.warmup');
      await ensureTopics(kafka, [{ topic: warmupTopic, partitions: PARTITIONS }]);
      await rawSend(kafka, warmupTopic, messagesFor(warmupTopic).slice(0, WARMUP));

      let rawSeconds = 0;
      let relaySeconds = 0;
      let relayErrors = 0;
      const topics: string[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const rawTopic = unique('bench.relay.raw');
        const relayTopic = unique('bench.relay.relay');
        await ensureTopics(kafka, [
          { topic: rawTopic, partitions: PARTITIONS },
          { topic: relayTopic, partitions: PARTITIONS },
        ]);
        const messages = messagesFor(rawTopic);
        rawSeconds += await rawSend(kafka, rawTopic, messages);
        const relayed = await relayRun(kafka, store, relayTopic, head);
        relaySeconds += relayed.seconds;
        relayErrors += relayed.errors;
        topics.push(rawTopic, relayTopic);
        progress(
          `relay round ${String(r + 1)}/${String(ROUNDS)}: raw ${rawSeconds.toFixed(2)} s, relay ${relaySeconds.toFixed(2)} s`,
        );
      }
      for (const topic of topics) {
        const size = await topicSize(kafka, topic);
        if (size !== EVENTS) throw new Error(`${topic} holds ${String(size)} of ${String(EVENTS)}`);
      }
      const rawRate = (EVENTS * ROUNDS) / rawSeconds;
      const relayRate = (EVENTS * ROUNDS) / relaySeconds;
      return result('relay', relayRate / rawRate, TARGET, {
        eventsPerSide: EVENTS * ROUNDS,
        eventsPerRound: EVENTS,
        rounds: ROUNDS,
        streams: STREAMS,
        batchSize: BATCH,
        partitions: PARTITIONS,
        relayEventsPerSecond: round(relayRate),
        rawEventsPerSecond: round(rawRate),
        relaySeconds: round(relaySeconds, 3),
        rawSeconds: round(rawSeconds, 3),
        relayPublishErrors: relayErrors,
        meanValueBytes: round(
          events.reduce((sum, e) => sum + JSON.stringify(e.data).length, 0) / events.length,
        ),
      });
    } finally {
      await store.close();
    }
  });
}
