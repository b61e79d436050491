import { join } from 'node:path';
import { projectionKey } from '@crm/events';
import { openDatabase } from '@crm/sqlite';
import { contactListProjection } from '../apps/contacts/src/contacts/read-models/contact-list/contact-list.projection';
import { progress, secondsSince, withTempDir } from './fixtures';
import { type BenchResult, result, round } from './report';
import {
  CONTACTS,
  EVENTS_PER_CONTACT,
  expectedFirstContact,
  writeContactLogApart,
} from './replay.setup';
import { replayInProjectionThread } from './replay.thread';

const PAGE = 1_000;
const TARGET = 0.5;

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
    const expected = expectedFirstContact();
    const projected = await replayInProjectionThread(dir, head, expected.id);
    progress(
      `replay: ${head} events in ${projected.seconds.toFixed(2)} s (${projected.writerCommits} commits on the writer thread, ${projected.readAheadBatches} batches read ahead)`,
    );
    const after = rawScan(join(dir, 'events.db'));
    progress(`raw scan: ${after.rows} rows in ${after.seconds.toFixed(2)} s`);

    // Proves the replay decrypted with the real keys rather than yielding erased nulls.
    const got = projected.contact;
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
      writerThreadCommits: projected.writerCommits,
      readAheadBatches: projected.readAheadBatches,
      rawSecondsBefore: round(before.seconds, 3),
      rawSecondsAfter: round(after.seconds, 3),
      setupSeconds: round(setupSeconds, 1),
    });
  });
}
