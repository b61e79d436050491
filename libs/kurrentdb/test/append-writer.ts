// A separate process that appends as fast as it can from 8 concurrent writers and prints
// each acknowledged append, so a test can kill it mid-burst and check what survived.
import { randomUUID } from 'node:crypto';
import { newEvent } from '@crm/events/testing';
import { KurrentEventStore } from '../src/kurrent-event-store';

const [connectionString] = process.argv.slice(2);
if (!connectionString) throw new Error('usage: append-writer <connection string>');

async function writer(store: KurrentEventStore): Promise<never> {
  for (;;) {
    const streamId = `thing-${randomUUID()}`;
    const event = newEvent();
    const { nextRevision } = await store.append(streamId, [event], 'no_stream');
    process.stdout.write(`ack ${streamId} ${nextRevision} ${event.id}\n`);
  }
}

async function main(url: string): Promise<void> {
  const store = await KurrentEventStore.open(url);
  await Promise.all(Array.from({ length: 8 }, () => writer(store)));
}

// Never outlive the test: stop when the parent closes our stdin or after a bounded burst.
process.stdin.on('end', () => process.exit(0)).resume();
setTimeout(() => process.exit(0), 60_000).unref();
main(connectionString).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
