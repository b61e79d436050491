import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { WrongExpectedRevision } from '../store/errors';
import type { NewEvent, RecordedEvent } from '../store/event';
import type { EventStore } from '../store/event-store.port';
import { eventually } from './eventually';

export interface EventStoreHarness {
  /** A fresh, empty store. */
  create(): Promise<EventStore>;
  /** Opens the store created last again, as a restarted process would. */
  reopen?(): Promise<EventStore>;
  /**
   * Starts a separate process that appends to the store created last and prints
   * `ack <streamId> <revision> <eventId>` after each acknowledged append.
   */
  spawnWriter?(): ChildProcess;
}

export function newEvent(type = 'ThingHappened', data: unknown = { n: 1 }): NewEvent {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      happenedAt: now,
      recordedAt: now,
      correlationId: randomUUID(),
      causationId: null,
      actorId: 'employee-1',
      actorTeam: 'sales',
    },
  };
}

async function readEverything(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const batch = await store.readAll((all[all.length - 1]?.position ?? 0) + 1, 1000);
    all.push(...batch);
    if (batch.length < 1000) return all;
  }
}

/** The behaviour every event-store adapter must show, run against the real engine. */
export function eventStoreContract(name: string, harness: EventStoreHarness): void {
  describe(`${name} event store contract`, () => {
    let store: EventStore;
    const stream = () => `thing-${randomUUID()}`;

    beforeEach(async () => {
      store = await harness.create();
    });
    afterEach(async () => {
      await store.close();
    });

    it('given a new stream, when events are appended, then they get consecutive revisions and positions', async () => {
      const id = stream();
      const events = [newEvent(), newEvent(), newEvent()];
      const result = await store.append(id, events, 'no_stream');
      expect(result.nextRevision).toBe(2);
      const read = await store.readStream(id);
      expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
      expect(read.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(read[2]?.position).toBe(result.lastPosition);
      expect(read[1]!.position).toBeGreaterThan(read[0]!.position);
    });

    it('keeps data and metadata intact', async () => {
      const id = stream();
      const event = newEvent('ThingRenamed', {
        name: 'Zoë Ωmega 😀',
        nested: { list: [1, 'two', null] },
      });
      await store.append(id, [event], 'no_stream');
      const [read] = await store.readStream(id);
      expect(read).toMatchObject({
        id: event.id,
        type: 'ThingRenamed',
        streamId: id,
        data: event.data,
      });
      expect(read?.metadata).toEqual(event.metadata);
    });

    it('reads a stream from a revision', async () => {
      const id = stream();
      await store.append(id, [newEvent(), newEvent(), newEvent()], 'no_stream');
      expect((await store.readStream(id, 1)).map((e) => e.revision)).toEqual([1, 2]);
      expect(await store.readStream(stream())).toEqual([]);
    });

    it('reads all streams in one global order, from a position, in batches', async () => {
      const [a, b] = [stream(), stream()];
      const head = await store.headPosition();
      await store.append(a, [newEvent()], 'no_stream');
      await store.append(b, [newEvent(), newEvent()], 'no_stream');
      await store.append(a, [newEvent()], 0);
      const all = await store.readAll(head + 1, 100);
      expect(all.map((e) => [e.streamId, e.revision])).toEqual([
        [a, 0],
        [b, 0],
        [b, 1],
        [a, 1],
      ]);
      const positions = all.map((e) => e.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      expect(await store.readAll(all[2]!.position, 1)).toEqual([all[2]]);
      expect(await store.headPosition()).toBe(all[3]!.position);
    });

    it('honours expected revisions: any, no stream, exact', async () => {
      const id = stream();
      await store.append(id, [newEvent()], 'any');
      await expect(store.append(id, [newEvent()], 'no_stream')).rejects.toThrow(
        WrongExpectedRevision,
      );
      await expect(store.append(id, [newEvent()], 5)).rejects.toThrow(WrongExpectedRevision);
      await expect(store.append(stream(), [newEvent()], 0)).rejects.toThrow(WrongExpectedRevision);
      await store.append(id, [newEvent()], 0);
      await store.append(id, [newEvent()], 'any');
      expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0, 1, 2]);
    });

    it('given two concurrent appends with the same expected revision, then exactly one wins', async () => {
      const id = stream();
      await store.append(id, [newEvent()], 'no_stream');
      const results = await Promise.allSettled([
        store.append(id, [newEvent('A')], 0),
        store.append(id, [newEvent('B')], 0),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(WrongExpectedRevision);
      expect(await store.readStream(id)).toHaveLength(2);
    });

    it('given many concurrent appends, one conflict fails alone and the others are stored', async () => {
      const ids = Array.from({ length: 20 }, stream);
      const conflicting = ids[0]!;
      await store.append(conflicting, [newEvent()], 'no_stream');
      const results = await Promise.allSettled(
        ids.map((id) => store.append(id, [newEvent(), newEvent()], 'no_stream')),
      );
      expect(results[0]?.status).toBe('rejected');
      expect(results.slice(1).every((r) => r.status === 'fulfilled')).toBe(true);
      for (const id of ids.slice(1)) expect(await store.readStream(id)).toHaveLength(2);
      expect(await store.readStream(conflicting)).toHaveLength(1);
    });

    it('delivers a catch-up subscription from a checkpoint, then goes live', async () => {
      const id = stream();
      await store.append(id, [newEvent(), newEvent(), newEvent()], 'no_stream');
      const seen: RecordedEvent[] = [];
      const first = (await store.readStream(id))[0]!;
      const subscription = store.subscribe(
        first.position,
        (batch) => {
          seen.push(...batch);
          return Promise.resolve();
        },
        { batchSize: 2 },
      );
      try {
        await eventually(() => expect(seen.map((e) => e.revision)).toEqual([1, 2]));
        await store.append(id, [newEvent()], 2);
        await store.append(stream(), [newEvent()], 'no_stream');
        await eventually(() => expect(seen).toHaveLength(4));
        expect(seen.map((e) => e.position)).toEqual(
          (await store.readAll(first.position + 1, 10)).map((e) => e.position),
        );
      } finally {
        await subscription.stop();
      }
    });

    if (harness.reopen) {
      const reopen = harness.reopen.bind(harness);
      it('keeps everything across a close and reopen', async () => {
        const id = stream();
        await store.append(id, [newEvent(), newEvent()], 'no_stream');
        const before = await readEverything(store);
        await store.close();
        store = await reopen();
        expect(await readEverything(store)).toEqual(before);
        await store.append(id, [newEvent()], 1);
      });
    }

    if (harness.spawnWriter && harness.reopen) {
      const spawnWriter = harness.spawnWriter.bind(harness);
      const reopen = harness.reopen.bind(harness);
      it('given a writer killed with SIGKILL mid-burst, then every acknowledged append survives', async () => {
        await store.close();
        const writer = spawnWriter();
        const acks: { streamId: string; revision: number; id: string }[] = [];
        const lines = createInterface({ input: writer.stdout! });
        const exited = new Promise((resolve) => writer.once('exit', resolve));
        lines.on('line', (line) => {
          const [word, streamId, revision, eventId] = line.split(' ');
          if (word === 'ack' && streamId && revision && eventId)
            acks.push({ streamId, revision: Number(revision), id: eventId });
        });
        try {
          await eventually(() => expect(acks.length).toBeGreaterThanOrEqual(300), 20_000);
        } finally {
          writer.kill('SIGKILL');
          await exited;
          lines.close();
        }
        store = await reopen();
        for (const ack of acks) {
          const [event] = await store.readStream(ack.streamId, ack.revision);
          expect(event?.id).toBe(ack.id);
        }
        const all = await readEverything(store);
        expect(all.length).toBeGreaterThanOrEqual(acks.length);
        expect(all.every((e, i) => i === 0 || e.position > all[i - 1]!.position)).toBe(true);
        expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
      }, 30_000);
    }
  });
}
