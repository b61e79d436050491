import { join } from 'node:path';
import {
  CONTACT_EVENT_CONTRACTS,
  ContractRegistry,
  EventCodec,
  type Revealed,
  ProjectionRunner,
  projectionKey,
} from '@crm/events';
import {
  SqliteEventStore,
  SqliteReadModelStore,
  SqliteSubjectKeyStore,
  openDatabase,
} from '@crm/sqlite';
import {
  type ContactListItem,
  contactListProjection,
} from '../apps/contacts/src/contacts/read-models/contact-list/contact-list.projection';
import { progress, secondsSince, withTempDir } from './fixtures';
import { type BenchResult, result, round } from './report';
import {
  CONTACTS,
  EVENTS_PER_CONTACT,
  expectedFirstContact,
  writeContactLogApart,
} from './replay.setup';

const PAGE = 1_000;
const TARGET = 0.5;
const REPLAY_TIMEOUT_MS = 15 * 60_000;
const PROGRESS_STEPS = 5;

/**
 * The floor: every row read in position order, a page at a time, with its JSON parsed,
 * which any consumer of the log has to do. Returns seconds and the rows read.
 */
function rawScan(file: string): { seconds: number; rows: number } {
  const db = openDatabase(file);
  try {
    const page = db.prepare<[number, number], { position: number; data: string; metadata: string }>(
      'SELECT * FROM events WHERE position >= ? ORDER BY position LIMIT ?',
    );
    const start = process.hrtime.bigint();
    let rows = 0;
    let parsed = 0;
    for (let from = 1; ;) {
      const batch = page.all(from, PAGE);
      for (const row of batch) {
        // Counting the parsed members keeps the parse from being optimised away.
        parsed += Object.keys(JSON.parse(row.data) as object).length;
        parsed += Object.keys(JSON.parse(row.metadata) as object).length;
      }
      rows += batch.length;
      const last = batch[batch.length - 1];
      if (!last || batch.length < PAGE) break;
      from = last.position + 1;
    }
    if (parsed === 0) throw new Error('raw scan parsed nothing');
    return { seconds: secondsSince(start), rows };
  } finally {
    db.close();
  }
}

/** Rebuilds the contact list from position 0 with the real runner, codec and stores. */
async function replay(
  dir: string,
  head: number,
): Promise<{ seconds: number; firstContact: Revealed<ContactListItem> | null }> {
  const store = new SqliteEventStore(join(dir, 'events.db'));
  const keys = new SqliteSubjectKeyStore(join(dir, 'keys.db'));
  const readModels = new SqliteReadModelStore(join(dir, 'read-models.db'));
  const codec = new EventCodec(new ContractRegistry(CONTACT_EVENT_CONTRACTS), keys);
  const runner = new ProjectionRunner(store, codec, readModels, contactListProjection, {
    onError: (error) => {
      progress(`projection error: ${String(error)}`);
    },
  });
  const start = process.hrtime.bigint();
  try {
    await runner.start();
    // Progress comes from waitFor milestones, not a timer: the catch-up loop only ever
    // awaits settled promises, so timers do not fire until the replay is done.
    for (let step = 1; step <= PROGRESS_STEPS; step++) {
      const milestone = Math.ceil((head * step) / PROGRESS_STEPS);
      const left = REPLAY_TIMEOUT_MS - secondsSince(start) * 1000;
      if (!(await runner.waitFor(milestone, Math.max(left, 0)))) {
        throw new Error(`replay stopped at ${runner.position} of ${head}`);
      }
      const s = secondsSince(start);
      progress(
        `replay ${runner.position}/${head} after ${s.toFixed(1)} s (${Math.round(runner.position / s)} events/s)`,
      );
    }
    const seconds = secondsSince(start);
    const expected = expectedFirstContact();
    // The read model keeps personal fields sealed; reveal them as the list query does.
    const doc = (await readModels.load<ContactListItem>(runner.key, [expected.id])).get(
      expected.id,
    )?.doc;
    const [firstContact] = doc ? await codec.reveal([doc]) : [];
    return { seconds, firstContact: firstContact ?? null };
  } finally {
    await runner.stop();
    await store.close();
    await keys.close();
    await readModels.close();
  }
}

export async function replayBench(): Promise<BenchResult> {
  return withTempDir('replay', async (dir) => {
    const setupStart = process.hrtime.bigint();
    const head = await writeContactLogApart(dir);
    const setupSeconds = secondsSince(setupStart);
    progress(`replay setup: ${head} events in ${setupSeconds.toFixed(1)} s`);

    // The scan runs before and after the replay and is averaged, so drift in machine load
    // during the long replay does not land on one side only.
    const before = rawScan(join(dir, 'events.db'));
    progress(`raw scan: ${before.rows} rows in ${before.seconds.toFixed(2)} s`);
    const projected = await replay(dir, head);
    progress(`replay: ${head} events in ${projected.seconds.toFixed(2)} s`);
    const after = rawScan(join(dir, 'events.db'));
    progress(`raw scan: ${after.rows} rows in ${after.seconds.toFixed(2)} s`);

    // Proves the replay decrypted with the real keys rather than yielding erased nulls.
    const expected = expectedFirstContact();
    const got = projected.firstContact;
    if (
      !got ||
      got.name !== expected.name ||
      got.primaryEmail !== expected.primaryEmail ||
      got.primaryPhone !== expected.primaryPhone
    ) {
      throw new Error(
        `replayed document differs: ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`,
      );
    }

    const rawSeconds = (before.seconds + after.seconds) / 2;
    const rawRate = head / rawSeconds;
    const replayRate = head / projected.seconds;
    return result('replay', replayRate / rawRate, TARGET, {
      events: head,
      contacts: CONTACTS,
      eventsPerContact: EVENTS_PER_CONTACT,
      projection: projectionKey(contactListProjection),
      replayEventsPerSecond: round(replayRate),
      rawEventsPerSecond: round(rawRate),
      replaySeconds: round(projected.seconds, 3),
      rawSecondsBefore: round(before.seconds, 3),
      rawSecondsAfter: round(after.seconds, 3),
      setupSeconds: round(setupSeconds, 1),
    });
  });
}
