// A separate process that appends as fast as it can from 8 concurrent writers and prints
// each acknowledged append, so a test can kill it mid-burst and check what survived.
import { randomUUID } from 'node:crypto';
import { newEvent } from '@crm/events/testing';
import { SqliteEventStore } from '../src/sqlite-event-store';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: append-writer <database file>');
const store = new SqliteEventStore(file);

async function writer(): Promise<never> {
  for (;;) {
    const streamId = `thing-${randomUUID()}`;
    const event = newEvent();
    const { nextRevision } = await store.append(streamId, [event], 'no_stream');
    process.stdout.write(`ack ${streamId} ${nextRevision} ${event.id}\n`);
  }
}

// Never outlive the test: stop when the parent closes our stdin or after a bounded burst.
process.stdin.on('end', () => process.exit(0)).resume();
setTimeout(() => process.exit(0), 60_000).unref();
void Promise.all(Array.from({ length: 8 }, writer));
