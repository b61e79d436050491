import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventStore } from '@crm/events';
import { eventually } from '@crm/events/testing';
import { FileEffects } from '../test/file-effects';
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
  Running,
  unique,
} from './testing';
import { ensureTopics } from './topics';

jest.setTimeout(120_000);

/**
 * The consumer runs in node itself with tsx as a loader: through tsx's CLI, SIGKILL would
 * hit only the CLI's wrapper process and leave the real consumer running as an orphan.
 */
function spawnConsumer(args: string[]): ChildProcess {
  const root = join(__dirname, '../../..');
  const script = join(__dirname, '../test/consumer-process.ts');
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
}

describeWithKafka('event consumer killed mid-stream', (kafka: KafkaOptions) => {
  const running = new Running();
  let child: ChildProcess | null = null;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await running.stopAll();
  });

  it('given a consumer process killed (SIGKILL) mid-stream, when a successor joins the group, then its durable effects have every event exactly once, in order per stream', async () => {
    const topic = unique('crm.test.contact');
    const groupId = unique('test.crash');
    await ensureTopics(kafka, [{ topic, partitions: 3 }]);
    const file = join(mkdtempSync(join(tmpdir(), 'crm-effects-')), 'effects.log');
    const store = new InMemoryEventStore();
    const publisher = running.add(new KafkaPublisher(kafka));
    const relay = new EventRelay(store, publisher, new InMemoryRelayCheckpointStore(), {
      name: 'contacts',
      topicFor: () => topic,
      describe: describeByContract,
    });
    await running.add(relay).start();
    const streams = await appendContacts(store, 20, 10);

    // 10 ms per event: 200 events take two seconds, so the kill lands in the middle.
    child = spawnConsumer([kafka.brokers.join(','), topic, groupId, file, '10']);
    await eventually(() => expect(FileEffects.count(file)).toBeGreaterThanOrEqual(60), 60_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
    const appliedBeforeKill = FileEffects.count(file);
    expect(appliedBeforeKill).toBeLessThan(200);

    await appendRenames(store, streams, 2);
    const effects = new FileEffects(file);
    const calls = new AppliedEffects();
    let skipped = 0;
    const apply = calls.handler('successor');
    const successor = new EventConsumer(kafka, {
      groupId,
      topics: [topic],
      processed: effects,
      createDeadLetterTopics: false,
      onSkip: () => (skipped += 1),
      handler: async (event, delivery) => {
        await apply(event, delivery);
        effects.apply(event);
      },
    });
    await running.add(successor).start();

    await eventually(() => expect(FileEffects.count(file)).toBe(240), 90_000);
    expect(FileEffects.read(file)).toEqual(AppliedEffects.expected(streams, 12));
    console.info(
      `killed after ${String(appliedBeforeKill)} applied; the successor applied ` +
        `${String(calls.count)} and skipped ${String(skipped)} redeliveries`,
    );
  });
});
