import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventStore, type EventStore } from '@crm/events';
import { eventually } from '@crm/events/testing';
import { cloudEventOf } from './cloud-event-binary';
import { EventConsumer } from './consumer/event-consumer';
import type { KafkaOptions } from './kafka-client';
import { KafkaPublisher } from './kafka-publisher';
import { EventRelay } from './relay/event-relay';
import { FileRelayCheckpointStore } from './relay/file-relay-checkpoint-store';
import {
  InMemoryRelayCheckpointStore,
  type RelayCheckpointStore,
} from './relay/relay-checkpoint-store';
import {
  AppliedEffects,
  appendContacts,
  describeByContract,
  describeWithKafka,
  readTopic,
  Running,
  topicSize,
  unique,
} from './testing';
import { ensureTopics } from './topics';

jest.setTimeout(120_000);

const CE_HEADERS = [
  'ce_specversion',
  'ce_id',
  'ce_source',
  'ce_type',
  'ce_subject',
  'ce_time',
  'ce_dataschema',
  'ce_streamrevision',
  'ce_correlationid',
  'ce_actorid',
  'ce_actorteam',
  'ce_happenedat',
  'ce_recordedat',
  'content-type',
];

describeWithKafka('event relay to Kafka', (kafka: KafkaOptions) => {
  const running = new Running();
  afterEach(() => running.stopAll());

  function startRelay(store: EventStore, topic: string, checkpoints: RelayCheckpointStore) {
    const publisher = running.add(new KafkaPublisher(kafka));
    const relay = running.add(
      new EventRelay(store, publisher, checkpoints, {
        name: 'contacts',
        topicFor: () => topic,
        describe: describeByContract,
      }),
    );
    return relay.start().then(() => relay);
  }

  it('given events appended to the store, then a consumer receives them as binary CloudEvents keyed by stream id, each stream in revision order', async () => {
    const topic = unique('crm.test.contact');
    await ensureTopics(kafka, [{ topic, partitions: 3 }]);
    const store = new InMemoryEventStore();
    const streams = await appendContacts(store, 6, 4);
    const effects = new AppliedEffects();

    await startRelay(store, topic, new InMemoryRelayCheckpointStore());
    await running
      .add(
        new EventConsumer(kafka, {
          groupId: unique('test.delivery'),
          topics: [topic],
          handler: effects.handler('consumer'),
        }),
      )
      .start();

    await eventually(() => expect(effects.count).toBe(24), 60_000);
    expect(effects.byStream()).toEqual(AppliedEffects.expected(streams, 4));
    const stored = await store.readAll(1, 100);
    const byId = new Map(effects.calls.map((c) => [c.event.id, c]));
    for (const event of stored) {
      const call = byId.get(event.id);
      expect(call?.event).toEqual(cloudEventOf(event, describeByContract(event)));
      expect(call?.delivery.key).toBe(event.streamId);
    }
    const [raw] = await readTopic(kafka, topic, 1);
    expect(Object.keys(raw!.headers).sort()).toEqual([...CE_HEADERS].sort());
    expect(raw!.headers['content-type']).toBe('application/json');
    expect(raw!.key).toBe(raw!.headers['ce_subject']);
  });

  it('given a relay stopped and started again from its file checkpoint, then the topic holds every event exactly once', async () => {
    const topic = unique('crm.test.contact');
    await ensureTopics(kafka, [{ topic, partitions: 2 }]);
    const file = join(mkdtempSync(join(tmpdir(), 'crm-relay-')), 'checkpoints.json');
    const store = new InMemoryEventStore();
    await appendContacts(store, 5, 2);

    const first = await startRelay(store, topic, new FileRelayCheckpointStore(file));
    await eventually(() => expect(first.position).toBe(10), 60_000);
    await first.stop();
    await appendContacts(store, 5, 1);
    const second = await startRelay(store, topic, new FileRelayCheckpointStore(file));

    await eventually(() => expect(second.position).toBe(15), 60_000);
    expect(await topicSize(kafka, topic)).toBe(15);
    const ids = (await readTopic(kafka, topic, 15)).map((m) => m.headers['ce_id']);
    expect(new Set(ids).size).toBe(15);
  });
});
