import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { RecordedEvent } from '@crm/events';
import { eventStoreContract, eventually, newEvent } from '@crm/events/testing';
import { BACKWARDS, KurrentDBClient, NO_STREAM } from '@kurrent/kurrentdb-client';
import { describeWithKurrent, KURRENT_URL } from '../test/kurrent-server';
import { KurrentEventStore } from './kurrent-event-store';
import { toEventData } from './kurrent-mapping';

const stream = () => `thing-${randomUUID()}`;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describeWithKurrent('KurrentDB event store', () => {
  // One database for every test: the contract reads $all from the head it finds, and a
  // reopened store is a new client on the same database.
  eventStoreContract('KurrentDB', {
    create: () => KurrentEventStore.open(KURRENT_URL, { pollIntervalMs: 100 }),
    reopen: () => KurrentEventStore.open(KURRENT_URL, { pollIntervalMs: 100 }),
    spawnWriter() {
      const tsx = require.resolve('tsx/cli');
      const file = join(__dirname, '../test/append-writer.ts');
      return spawn(process.execPath, [tsx, file, KURRENT_URL], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
    },
  });

  // What the adapter assumes about the server, checked on the raw client so that a server
  // that behaves differently fails here, by name, rather than somewhere in the contract.
  describe('server behaviour the adapter relies on', () => {
    let client: KurrentDBClient;
    beforeAll(() => {
      client = KurrentDBClient.connectionString(KURRENT_URL);
    });
    afterAll(() => client.dispose());

    async function appendThree() {
      const id = stream();
      const events = [newEvent(), newEvent(), newEvent()];
      const result = await client.appendToStream(id, events.map(toEventData), {
        streamState: NO_STREAM,
      });
      const read = await collect(client.readStream(id));
      return { events, result, positions: read.map((e) => e.event!.position!) };
    }

    it('every event of an append commits itself: commit and prepare positions are equal and distinct', async () => {
      const { positions } = await appendThree();
      for (const p of positions) expect(p.commit).toBe(p.prepare);
      expect(new Set(positions.map((p) => p.commit)).size).toBe(3);
    });

    it('an append reports the exact position of its last event', async () => {
      const { result, positions } = await appendThree();
      expect(result.position).toEqual(positions[2]);
    });

    it('a $all read from an exact position starts with that event; from inside its record it never starts there', async () => {
      const { events, positions } = await appendThree();
      const exact = positions[1]!;
      const [first] = await collect(client.readAll({ fromPosition: exact, maxCount: 1 }));
      expect(first?.event?.id).toBe(events[1]!.id);
      const inside = { commit: exact.commit + 1n, prepare: exact.prepare + 1n };
      const read = await collect(client.readAll({ fromPosition: inside, maxCount: 1 })).catch(
        () => [],
      );
      expect(read.map((e) => e.event?.position.commit)).not.toContain(inside.commit);
    });

    it('a backward $all read from an exact position moves back past it', async () => {
      const { positions } = await appendThree();
      const page = await collect(
        client.readAll({ fromPosition: positions[2]!, direction: BACKWARDS, maxCount: 2 }),
      );
      expect(page.at(-1)!.event!.position.commit).toBeLessThan(positions[2]!.commit);
    });
  });

  it('given a restarted store, when reading after a checkpoint, then exactly the later events come', async () => {
    const id = stream();
    const writer = await KurrentEventStore.open(KURRENT_URL);
    await writer.append(id, [newEvent(), newEvent(), newEvent()], 'no_stream');
    const [first, second, third] = await writer.readStream(id);
    await writer.close();
    const restarted = await KurrentEventStore.open(KURRENT_URL);
    try {
      const after = await restarted.readAll(first!.position + 1, 2);
      expect(after).toEqual([second, third]);
      expect(await restarted.readAll(second!.position + 2, 1)).toEqual([third]);
    } finally {
      await restarted.close();
    }
  });

  it('given appends from another process, subscribers wake through the live subscription', async () => {
    // Polling is pushed out of the way: only the live subscription can wake this subscriber.
    const reader = await KurrentEventStore.open(KURRENT_URL, { pollIntervalMs: 60_000 });
    const writer = await KurrentEventStore.open(KURRENT_URL);
    const seen: RecordedEvent[] = [];
    const head = await reader.headPosition();
    // Caught up on a first event, the subscriber waits: only a wake-up brings the next ones.
    await writer.append(stream(), [newEvent()], 'no_stream');
    const subscription = reader.subscribe(head, (batch) => {
      seen.push(...batch);
      return Promise.resolve();
    });
    try {
      await eventually(() => expect(seen).toHaveLength(1));
      // The live subscription opens asynchronously: append until one lands after it is up.
      await eventually(async () => {
        await writer.append(stream(), [newEvent()], 'no_stream');
        expect(seen.length).toBeGreaterThan(1);
      }, 10_000);
    } finally {
      await subscription.stop();
      await Promise.all([reader.close(), writer.close()]);
    }
  });
});
