import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { generateDataKey, type NewEvent, SEALED_FIELD, seal } from '@crm/events';
import { openDatabase, SqliteEventStore, type SqliteDatabase } from '@crm/sqlite';
import { contactStreamId } from '../apps/contacts/src/contacts/contact';
import { metadata, person, progress, secondsSince, withTempDir } from './fixtures';
import { type BenchResult, result, round } from './report';

const WRITERS = 16;
const EVENTS = 20_000;
const WARMUP = 2_000;
/** Raw and store alternate in rounds, so a burst of load on the shared machine hits both. */
const ROUNDS = 4;
const TARGET = 0.5;

interface Row {
  readonly streamId: string;
  readonly event: NewEvent;
}

/**
 * A ContactRegistered as the codec stores it (the contract's fields, the personal ones
 * sealed), ~300 bytes of JSON.
 */
function buildRows(count: number, offset: number): Row[] {
  const key = generateDataKey();
  const start = Date.parse('2026-03-02T08:00:00.000Z');
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    const contactId = randomUUID();
    const streamId = contactStreamId(contactId);
    const { name, email, phone } = person(n);
    const data = {
      contactId,
      kind: n % 5 === 0 ? 'organization' : 'person',
      relationship: n % 5 === 0 ? 'b2b' : 'b2c',
      [SEALED_FIELD]: seal(key, streamId, { name, primaryEmail: email, primaryPhone: phone }),
    };
    return {
      streamId,
      event: {
        id: randomUUID(),
        type: 'ContactRegistered',
        data,
        metadata: metadata(n, new Date(start + n)),
      },
    };
  });
}

/**
 * The floor: the same rows inserted with one prepared statement, 16 rows per transaction
 * (what group commit reaches with 16 writers), so both sides pay the same fsyncs. The rows
 * are serialised inside the timing because the store has to do that too.
 */
function rawInserts(db: SqliteDatabase, rows: readonly Row[]): number {
  const insert = db.prepare(
    'INSERT INTO events (id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const commit = db.transaction((batch: readonly Row[]) => {
    for (const { streamId, event } of batch) {
      insert.run(
        event.id,
        streamId,
        0,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
      );
    }
  });
  const start = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += WRITERS) commit(rows.slice(i, i + WRITERS));
  return secondsSince(start);
}

/**
 * 16 writers, each awaiting its append before the next, every append a new stream. A
 * setImmediate ticker numbers event-loop turns: group commit settles one batch per turn,
 * so the distinct turns at which appends resolve count the commits (and fsyncs).
 */
async function storeAppends(
  store: SqliteEventStore,
  rows: readonly Row[],
): Promise<{ seconds: number; commits: number }> {
  let turn = 0;
  let ticking = true;
  const tick = (): void => {
    turn += 1;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const turns = new Set<number>();
  let next = 0;
  const writer = async (): Promise<void> => {
    for (let i = next++; i < rows.length; i = next++) {
      const row = rows[i]!;
      await store.append(row.streamId, [row.event], 'no_stream');
      turns.add(turn);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: WRITERS }, writer));
  const seconds = secondsSince(start);
  ticking = false;
  return { seconds, commits: turns.size };
}

export async function appendBench(): Promise<BenchResult> {
  return withTempDir('append', async (dir) => {
    const raw = openDatabase(join(dir, 'raw.db'));
    raw.exec(`CREATE TABLE events (
      position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL,
      revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
      UNIQUE (stream_id, revision))`);
    const store = new SqliteEventStore(join(dir, 'store.db'));
    try {
      const warmup = buildRows(WARMUP, 0);
      rawInserts(raw, warmup);
      await storeAppends(store, warmup);

      const perRound = EVENTS / ROUNDS;
      let rawSeconds = 0;
      let storeSeconds = 0;
      let storeCommits = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const rows = buildRows(perRound, WARMUP + r * perRound);
        rawSeconds += rawInserts(raw, rows);
        const measured = await storeAppends(store, rows);
        storeSeconds += measured.seconds;
        storeCommits += measured.commits;
        progress(
          `append round ${r + 1}/${ROUNDS}: raw ${rawSeconds.toFixed(2)} s, store ${storeSeconds.toFixed(2)} s`,
        );
      }
      const sample = buildRows(1, 0)[0]!.event;
      const rawRate = EVENTS / rawSeconds;
      const storeRate = EVENTS / storeSeconds;
      return result('append', storeRate / rawRate, TARGET, {
        writers: WRITERS,
        eventsPerSide: EVENTS,
        warmupEvents: WARMUP,
        storeEventsPerSecond: round(storeRate),
        rawEventsPerSecond: round(rawRate),
        storeSeconds: round(storeSeconds, 3),
        rawSeconds: round(rawSeconds, 3),
        storeCommits,
        rawCommits: Math.ceil(EVENTS / WRITERS),
        meanStoreBatch: round(EVENTS / storeCommits, 2),
        dataBytes: JSON.stringify(sample.data).length,
        metadataBytes: JSON.stringify(sample.metadata).length,
      });
    } finally {
      await store.close();
      raw.close();
    }
  });
}
