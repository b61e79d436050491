import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreContract, eventually } from '@crm/events/testing';
import { SqliteEventStore } from './sqlite-event-store';

let file = '';

/** The contract's harness for stores made with `options`. */
function harness(options: { readAheadAfter?: number }): Parameters<typeof eventStoreContract>[1] {
  const open = () => new SqliteEventStore(file, { pollIntervalMs: 50, ...options });
  return {
    create() {
      file = join(mkdtempSync(join(tmpdir(), 'crm-events-')), 'events.db');
      return Promise.resolve(open());
    },
    reopen() {
      return Promise.resolve(open());
    },
    spawnWriter() {
      const tsx = require.resolve('tsx/cli');
      return spawn(process.execPath, [tsx, join(__dirname, '../test/append-writer.ts'), file], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
    },
  };
}

eventStoreContract('SQLite', harness({}));
// Every subscription reading ahead on the reader thread after its first full batch (ADR 18).
eventStoreContract('SQLite reading ahead', harness({ readAheadAfter: 1 }));

describe('SQLite event store reads', () => {
  it('given the log read twice in one turn, then the second read is answered from memory until an append', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'crm-events-')), 'events.db');
    const store = new SqliteEventStore(file);
    const event = (id: string) => ({ id, type: 'ThingCreated', data: {}, metadata: {} as never });
    try {
      await store.append('thing-1', [event('e-1')], 'no_stream');
      const [first, second] = await Promise.all([store.readAll(1, 10), store.readAll(1, 10)]);
      expect(second).toEqual(first);
      expect(second[0]).toBe(first[0]);

      await store.append('thing-2', [event('e-2')], 'no_stream');
      expect((await store.readAll(1, 10)).map((e) => e.id)).toEqual(['e-1', 'e-2']);
    } finally {
      await store.close();
    }
  });
});

describe('SQLite event store instances on one file', () => {
  it('given a subscription on one instance, when another appends, then it wakes without waiting for its poll', async () => {
    const shared = join(mkdtempSync(join(tmpdir(), 'crm-events-')), 'events.db');
    const writer = new SqliteEventStore(shared);
    const reader = new SqliteEventStore(shared, { pollIntervalMs: 60_000 });
    const seen: number[] = [];
    let caughtUp!: () => void;
    const live = new Promise<void>((resolve) => (caughtUp = resolve));
    const subscription = reader.subscribe(
      0,
      (batch) => {
        seen.push(...batch.map((event) => event.position));
        return Promise.resolve();
      },
      {
        onCaughtUp: () => {
          caughtUp();
          return Promise.resolve();
        },
      },
    );
    try {
      await live;
      const { lastPosition } = await writer.append(
        'thing-1',
        [{ id: 'e-1', type: 'ThingCreated', data: {}, metadata: {} as never }],
        'no_stream',
      );
      await eventually(() => expect(seen).toEqual([lastPosition]), 2000);
    } finally {
      await subscription.stop();
      await reader.close();
      await writer.close();
    }
  });
});
