import { InMemoryEventStore, type EventStore } from '@crm/events';
import { eventually } from '@crm/events/testing';
import { EventConsumer, type EventConsumerOptions } from './consumer/event-consumer';
import { InMemoryProcessedRevisions } from './consumer/processed-revisions';
import type { KafkaOptions } from './kafka-client';
import { KafkaPublisher } from './kafka-publisher';
import { EventRelay } from './relay/event-relay';
import { InMemoryRelayCheckpointStore } from './relay/relay-checkpoint-store';
import {
  AppliedEffects,
  appendContacts,
  appendRenames,
  describeByContract,
  describeWithKafka,
  readTopic,
  Running,
  unique,
} from './testing';
import { deadLetterTopic, ensureTopics } from './topics';

jest.setTimeout(120_000);

describeWithKafka('event consumer on Kafka', (kafka: KafkaOptions) => {
  const running = new Running();
  afterEach(() => running.stopAll());

  /** A topic fed by a relay from a fresh store, as a producing service would feed it. */
  async function relayedTopic(partitions: number): Promise<{ topic: string; store: EventStore }> {
    const topic = unique('crm.test.contact');
    await ensureTopics(kafka, [{ topic, partitions }]);
    const store = new InMemoryEventStore();
    const publisher = running.add(new KafkaPublisher(kafka));
    const relay = new EventRelay(store, publisher, new InMemoryRelayCheckpointStore(), {
      name: 'contacts',
      topicFor: () => topic,
      describe: describeByContract,
    });
    await running.add(relay).start();
    return { topic, store };
  }

  async function startConsumer(options: EventConsumerOptions): Promise<EventConsumer> {
    const consumer = running.add(new EventConsumer(kafka, options));
    await consumer.start();
    return consumer;
  }

  it('given a consumer stopped mid-stream, when another one starts in the same group, then the effects have every event once, in order per stream', async () => {
    const { topic, store } = await relayedTopic(3);
    const groupId = unique('test.handover');
    const effects = new AppliedEffects();
    const processed = new InMemoryProcessedRevisions();
    const streams = await appendContacts(store, 10, 10);

    // Stop from inside the 30th event, so the stop lands mid-stream with 70 events left.
    let stopping = null as Promise<void> | null;
    const apply = effects.handler('first');
    const first: EventConsumer = await startConsumer({
      groupId,
      topics: [topic],
      processed,
      handler: async (event, delivery) => {
        await apply(event, delivery);
        if (effects.count === 30) stopping = first.stop();
      },
    });
    await eventually(() => expect(stopping).not.toBeNull(), 60_000);
    await stopping;
    expect(effects.calls.filter((c) => c.by === 'first')).toHaveLength(30);
    await appendRenames(store, streams, 5);
    await startConsumer({
      groupId,
      topics: [topic],
      processed,
      handler: effects.handler('second'),
    });

    await eventually(() => expect(effects.count).toBe(150), 60_000);
    expect(effects.byStream()).toEqual(AppliedEffects.expected(streams, 15));
    expect(effects.calls.filter((c) => c.by === 'second')).toHaveLength(120);
  });

  it('given an event the handler always fails on (or a message that is no CloudEvent), then it lands in the dead-letter topic with the error and later events still flow', async () => {
    const { topic, store } = await relayedTopic(2);
    const groupId = unique('test.poison');
    const effects = new AppliedEffects();
    const streams = await appendContacts(store, 3, 4);
    const poison = streams[0]!;
    const isPoison = (e: { subject: string; streamrevision: number }) =>
      e.subject === poison && e.streamrevision === 1;
    const stranger = running.add(new KafkaPublisher(kafka));
    await stranger.publish([{ topic, key: 'stranger', headers: {}, value: 'not an event' }]);

    await startConsumer({
      groupId,
      topics: [topic],
      handler: effects.handler('consumer', isPoison),
      retry: { attempts: 3, initialDelayMs: 20 },
    });

    await eventually(() => expect(effects.count).toBe(11), 60_000);
    expect(effects.byStream()).toEqual({
      ...AppliedEffects.expected(streams, 4),
      [poison]: [0, 2, 3],
    });
    expect(effects.calls.filter((c) => isPoison(c.event))).toHaveLength(3);
    const deadLetters = await readTopic(kafka, deadLetterTopic(topic), 2);
    const dead = deadLetters.find((m) => m.key === poison);
    const original = effects.calls.find((c) => isPoison(c.event))!;
    expect(dead).toMatchObject({
      key: poison,
      headers: {
        ce_id: original.event.id,
        ce_streamrevision: '1',
        dlq_error: `Error: cannot apply ${original.event.id}`,
        dlq_attempts: '3',
        dlq_original_topic: topic,
        dlq_original_partition: String(original.delivery.partition),
        dlq_original_offset: original.delivery.offset,
        dlq_consumer_group: groupId,
      },
    });
    expect(JSON.parse(dead!.value)).toEqual(original.event.data);
    expect(deadLetters.find((m) => m.key === 'stranger')).toMatchObject({
      value: 'not an event',
      headers: {
        dlq_error: 'MalformedCloudEventError: missing header ce_specversion',
        dlq_attempts: '0',
      },
    });
  });

  it('given two consumers in one group, then they share the partitions: both apply some events and none is applied twice', async () => {
    const { topic, store } = await relayedTopic(4);
    const groupId = unique('test.shared');
    const effects = new AppliedEffects();
    const processed = new InMemoryProcessedRevisions();
    const a = await startConsumer({
      groupId,
      topics: [topic],
      processed,
      handler: effects.handler('a'),
    });
    const b = await startConsumer({
      groupId,
      topics: [topic],
      processed,
      handler: effects.handler('b'),
    });
    await eventually(() => {
      const mine = [...(a.assignment[topic] ?? []), ...(b.assignment[topic] ?? [])];
      expect(mine.sort()).toEqual([0, 1, 2, 3]);
    }, 60_000);

    const streams = await appendContacts(store, 40, 3);

    await eventually(() => expect(effects.count).toBe(120), 60_000);
    expect(effects.byStream()).toEqual(AppliedEffects.expected(streams, 3));
    const ids = effects.calls.map((c) => c.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    const by = (who: string) => effects.calls.filter((c) => c.by === who).length;
    expect(by('a')).toBeGreaterThan(0);
    expect(by('b')).toBeGreaterThan(0);
    expect(by('a') + by('b')).toBe(120);
  });
});
