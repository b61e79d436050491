// A consumer in its own process, so a test can SIGKILL it mid-stream (no graceful stop,
// no final offset commit) and check that a successor loses and duplicates nothing.
// Usage: consumer-process <brokers> <topic> <group> <effects file> <handler delay ms>
import { EventConsumer } from '../src/consumer/event-consumer';
import { FileEffects } from './file-effects';

const [brokers, topic, groupId, file, delay] = process.argv.slice(2);
if (!brokers || !topic || !groupId || !file) throw new Error('usage: see the header');
const effects = new FileEffects(file);

const consumer = new EventConsumer(
  { brokers: brokers.split(','), clientId: 'consumer-process', logLevel: 'error' },
  {
    groupId,
    topics: [topic],
    processed: effects,
    createDeadLetterTopics: false,
    // The broker's minimum: the successor gets the partitions soon after the kill.
    sessionTimeoutMs: 6000,
    handler: async (event) => {
      // Slow work, so the kill lands mid-stream with handled but uncommitted messages.
      await new Promise((resolve) => setTimeout(resolve, Number(delay ?? 0)));
      effects.apply(event);
    },
  },
);

void consumer.start().then(() => process.stdout.write('started\n'));
// Never outlive the test: stop when the parent closes our stdin.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
