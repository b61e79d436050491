import type { NewEvent, RecordedEvent } from '@crm/events';
import { eventually } from '@crm/events/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatchUpReads } from './catch-up-reads';
import { LogReader } from './log-reader';
import { driverPath } from './open-database';
import { SqliteEventStore } from './sqlite-event-store';

/** Stream ids, types and data that JSON text has to escape or carry as they are. */
const AWKWARD = ['plain', 'quote "q"', 'back\\slash', 'zoë 🦊', 'line\u2028sep', 'tab\tnew\nline'];

function event(n: number): NewEvent {
  const word = AWKWARD[n % AWKWARD.length] as string;
  return {
    id: `e-${n}`,
    type: n % 2 ? `Thing"Renamed` : 'ThingCreated',
    data: { n, word, nested: { list: [word, null, true, 1.5] } },
    metadata: {
      happenedAt: '2026-12-05T10:00:00.000Z',
      recordedAt: '2026-12-05T10:00:00.000Z',
      correlationId: `c-${n}`,
      causationId: null,
      actorId: word,
      actorTeam: null,
    },
  };
}

describe('reading the SQLite log ahead of a subscription', () => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crm-log-reader-'));
    file = join(dir, 'events.db');
    store = new SqliteEventStore(file, { pollIntervalMs: 50, readAheadAfter: 2 });
    for (let n = 0; n < 60; n++) {
      const streamId = `thing-${AWKWARD[n % AWKWARD.length] ?? ''}`;
      await store.append(streamId, [event(n)], 'any');
    }
  });
  afterEach(async () => {
    await store.close();
    delete process.env['READER_FAILURE'];
    rmSync(dir, { recursive: true, force: true });
  });

  async function deliveredBy(
    reads: CatchUpReads,
    count: number,
    batchSize = 5,
  ): Promise<RecordedEvent[]> {
    const delivered: RecordedEvent[] = [];
    for (let from = 1; delivered.length < count;) {
      const batch = await reads.read(from, batchSize);
      if (batch.length === 0) break;
      delivered.push(...batch);
      from = (batch[batch.length - 1] as RecordedEvent).position + 1;
    }
    reads.release();
    return delivered;
  }

  it('given a subscription far behind, then it reads ahead on the thread, gets every event once in order as read directly, and the thread stops once it caught up; later events arrive live', async () => {
    const delivered: RecordedEvent[] = [];
    const subscription = store.subscribe(
      0,
      (batch) => {
        delivered.push(...batch);
        return Promise.resolve();
      },
      { batchSize: 5 },
    );

    await eventually(() => expect(delivered).toHaveLength(60));
    expect(delivered).toEqual(await store.readAll(1, 100));
    expect(store.readAhead.batches).toBeGreaterThanOrEqual(10);
    await eventually(() => expect(store.readAhead.running).toBe(false));
    const readAhead = store.readAhead.batches;

    await store.append('thing-late', [event(60)], 'no_stream');

    await eventually(() => expect(delivered.map((e) => e.id).at(-1)).toBe('e-60'));
    expect(store.readAhead.batches).toBe(readAhead);
    await subscription.stop();
  });

  it('given a subscription stopped while reading ahead, then the thread stops with it', async () => {
    let handled = 0;
    const subscription = store.subscribe(
      0,
      async () => {
        handled += 1;
        // Slow enough that the subscription is stopped half way.
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
      { batchSize: 5 },
    );
    await eventually(() => expect(store.readAhead.running).toBe(true));

    await subscription.stop();

    expect(handled).toBeLessThan(12);
    expect(store.readAhead.running).toBe(false);
  });

  it('given a second subscription far behind while one reads ahead, then both read directly from then on, sharing reads, and each gets every event once in order', async () => {
    const slowly = (into: RecordedEvent[]) => async (batch: readonly RecordedEvent[]) => {
      into.push(...batch);
      await new Promise((resolve) => setTimeout(resolve, 10));
    };
    const first: RecordedEvent[] = [];
    const second: RecordedEvent[] = [];
    const one = store.subscribe(0, slowly(first), { batchSize: 5 });
    await eventually(() => expect(store.readAhead.running).toBe(true));

    const two = store.subscribe(0, slowly(second), { batchSize: 5 });

    await eventually(() => expect(store.readAhead.running).toBe(false));
    expect(second.length).toBeLessThan(60);
    await eventually(() => expect([first.length, second.length]).toEqual([60, 60]));
    const all = await store.readAll(1, 100);
    expect(first).toEqual(all);
    expect(second).toEqual(all);
    await one.stop();
    await two.stop();
  });

  it.each([
    ['dies', 'exit'],
    ['fails a read', 'throw'],
  ])(
    'given the thread %s during a catch-up, then the reads go on directly and every event comes once, in order',
    async (_, failure) => {
      process.env['READER_FAILURE'] = failure;
      const reader = new LogReader(file, join(__dirname, '../test/failing-driver.js'));
      const direct = (from: number, max: number) => store.readAll(from, max);

      const delivered = await deliveredBy(new CatchUpReads(reader, direct, 1, new Set()), 60);

      expect(delivered).toEqual(await store.readAll(1, 100));
      reader.close();
    },
  );

  it('given no thread can run (no driver found), then reads are direct', async () => {
    const reader = new LogReader(file, null);
    const direct = (from: number, max: number) => store.readAll(from, max);

    const delivered = await deliveredBy(new CatchUpReads(reader, direct, 1, new Set()), 60);

    expect(delivered).toEqual(await store.readAll(1, 100));
    expect(reader.batchesRead).toBe(0);
  });

  it('given a cursor asked for another position than where it read on to, then it starts again from there', async () => {
    const reader = new LogReader(file, driverPath());
    const direct = (from: number, max: number) => store.readAll(from, max);
    const reads = new CatchUpReads(reader, direct, 1, new Set());
    await reads.read(1, 5);
    await reads.read(6, 5);

    const again = await reads.read(3, 5);

    expect(again).toEqual(await store.readAll(3, 5));
    reads.release();
    reader.close();
  });
});
