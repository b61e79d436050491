import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { RecordedEvent } from '@crm/events';
import { eventStoreContract, eventually, newEvent } from '@crm/events/testing';
import { describeWithPostgres, POSTGRES_URL, testSchemas, withClient } from '../test/test-database';
import { PostgresEventStore } from './postgres-event-store';

const writerName = (schema: string) => `crm-append-writer-${schema}`;

/**
 * A killed writer's server sessions end a moment after the process: until they do, an
 * aborted transaction may still hold the read horizon back (readAll delays, by design).
 */
async function writerSessionsGone(schema: string): Promise<void> {
  await withClient((client) =>
    eventually(async () => {
      const { rows } = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
        [writerName(schema)],
      );
      expect(Number(rows[0]?.n)).toBe(0);
    }, 10_000),
  );
}

/** How many appends committed after one with a higher position. */
function lateCommits(positionsInCommitOrder: readonly number[]): number {
  let highest = 0;
  let late = 0;
  for (const position of positionsInCommitOrder) {
    if (position < highest) late += 1;
    highest = Math.max(highest, position);
  }
  return late;
}

function strictlyIncreasing(events: readonly RecordedEvent[]): boolean {
  return events.every((e, i) => i === 0 || e.position > events[i - 1]!.position);
}

describeWithPostgres('PostgreSQL event store', () => {
  const schemas = testSchemas();
  let schema = '';
  afterAll(() => schemas.dropAll());

  eventStoreContract('PostgreSQL', {
    create() {
      schema = schemas.next();
      return PostgresEventStore.open(POSTGRES_URL, { schema, pollIntervalMs: 50 });
    },
    async reopen() {
      await writerSessionsGone(schema);
      return PostgresEventStore.open(POSTGRES_URL, { schema, pollIntervalMs: 50 });
    },
    spawnWriter() {
      const tsx = require.resolve('tsx/cli');
      const file = join(__dirname, '../test/append-writer.ts');
      return spawn(process.execPath, [tsx, file, POSTGRES_URL, schema], {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: { ...process.env, PGAPPNAME: writerName(schema) },
      });
    },
  });

  it('given appends from another process, subscribers wake on NOTIFY, also after the listening connection was cut', async () => {
    const schema = schemas.next();
    // Polling is pushed out of the way: only a notification can wake this subscriber in time.
    const reader = await PostgresEventStore.open(POSTGRES_URL, { schema, pollIntervalMs: 60_000 });
    const writer = await PostgresEventStore.open(POSTGRES_URL, { schema });
    const seen: RecordedEvent[] = [];
    const subscription = reader.subscribe(0, (batch) => {
      seen.push(...batch);
      return Promise.resolve();
    });
    try {
      await writer.append(`thing-${randomUUID()}`, [newEvent()], 'no_stream');
      await eventually(() => expect(seen).toHaveLength(1));
      const cut = await withClient((client) =>
        client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()',
          [`LISTEN crm_events_${schema}`],
        ),
      );
      expect(cut.rowCount).toBe(2); // the reader's listener and the writer's
      await writer.append(`thing-${randomUUID()}`, [newEvent()], 'no_stream');
      await eventually(() => expect(seen).toHaveLength(2));
    } finally {
      await subscription.stop();
      await Promise.all([reader.close(), writer.close()]);
    }
  });

  it('given many concurrent writers, a reader following the global order never skips an event that committed late', async () => {
    const store = await PostgresEventStore.open(POSTGRES_URL, {
      schema: schemas.next(),
      pollIntervalMs: 20,
      poolSize: 12,
      // The stimulus, not a wait: each append holds its transaction open for a random moment
      // after its positions were taken, so commits land out of position order.
      beforeCommit: () => new Promise((resolve) => setTimeout(resolve, Math.random() * 15)),
    });
    const subscribed: RecordedEvent[] = [];
    const subscription = store.subscribe(
      0,
      (batch) => {
        subscribed.push(...batch);
        return Promise.resolve();
      },
      { batchSize: 7 },
    );
    // A second follower that polls readAll as fast as it can, as a relay would.
    const polled: RecordedEvent[] = [];
    const appended: string[] = [];
    let catchUpUntil = Infinity;
    const poller = (async () => {
      while (polled.length < appended.length || Date.now() < catchUpUntil) {
        if (Date.now() > catchUpUntil + 5000) return; // bounded: a skip would never fill in
        const batch = await store.readAll((polled.at(-1)?.position ?? 0) + 1, 5);
        polled.push(...batch);
      }
    })();
    const commitOrder: number[] = [];
    try {
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = 0; i < 25; i += 1) {
            const events = Array.from({ length: 1 + (i % 3) }, () => newEvent());
            const result = await store.append(`thing-${randomUUID()}`, events, 'no_stream');
            commitOrder.push(result.lastPosition);
            appended.push(...events.map((e) => e.id));
          }
        }),
      );
      expect(lateCommits(commitOrder)).toBeGreaterThan(0);
      catchUpUntil = Date.now();
      await eventually(() => expect(subscribed.length).toBe(appended.length), 10_000);
      await poller;
      for (const seen of [subscribed, polled]) {
        const ids = new Set(seen.map((e) => e.id));
        expect(appended.filter((id) => !ids.has(id))).toEqual([]);
        expect(seen.length).toBe(appended.length);
        expect(strictlyIncreasing(seen)).toBe(true);
      }
    } finally {
      catchUpUntil = Math.min(catchUpUntil, Date.now());
      await subscription.stop();
      await poller.catch(() => undefined);
      await store.close();
    }
  }, 30_000);
});
