import { InMemoryEventStore } from '@crm/events';
import { eventually } from '@crm/events/testing';
import { EventConsumer } from './consumer/event-consumer';
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
  restartBroker,
  Running,
  unique,
} from './testing';
import { ensureTopics } from './topics';

jest.setTimeout(240_000);

describeWithKafka(
  'relay and consumer across a broker restart',
  (kafka: KafkaOptions) => {
    const running = new Running();
    afterEach(() => running.stopAll());

    it('given the broker restarted mid-stream, then every event appended before, during and after reaches the consumer exactly once, in order per stream', async () => {
      const topic = unique('crm.test.contact');
      await ensureTopics(kafka, [{ topic, partitions: 3 }]);
      const store = new InMemoryEventStore();
      const relayErrors: unknown[] = [];
      const consumerErrors: unknown[] = [];
      const publisher = running.add(new KafkaPublisher(kafka));
      const relay = new EventRelay(store, publisher, new InMemoryRelayCheckpointStore(), {
        name: 'contacts',
        topicFor: () => topic,
        describe: describeByContract,
        batchSize: 20,
        onError: (error) => relayErrors.push(error),
      });
      await running.add(relay).start();
      const effects = new AppliedEffects();
      await running
        .add(
          new EventConsumer(kafka, {
            groupId: unique('test.restart'),
            topics: [topic],
            handler: effects.handler('consumer'),
            onError: (error) => consumerErrors.push(error),
          }),
        )
        .start();
      const streams = await appendContacts(store, 10, 5);
      await eventually(() => expect(effects.count).toBeGreaterThanOrEqual(20), 60_000);

      const started = Date.now();
      const restarting = restartBroker();
      await appendRenames(store, streams, 5);
      await restarting;
      const restartMs = Date.now() - started;
      await appendRenames(store, streams, 2);

      await eventually(() => expect(effects.count).toBe(120), 180_000);
      expect(effects.byStream()).toEqual(AppliedEffects.expected(streams, 12));
      expect(relay.position).toBe(await store.headPosition());
      console.info(
        `broker restart took ${String(restartMs)} ms; relay reported ${String(relayErrors.length)} ` +
          `failed batches, the consumer ${String(consumerErrors.length)} crashes; ` +
          `${String(effects.calls.length)} handler calls for 120 events`,
      );
    });
  },
  { restarts: true },
);
