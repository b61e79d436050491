import { join } from 'node:path';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import {
  CONTACT_EVENT_CONTRACTS,
  ContractRegistry,
  EventCodec,
  type Revealed,
  ProjectionRunner,
} from '@crm/events';
import { DEFAULT_PROJECTION_YOUNG_GENERATION_MB } from '@crm/platform';
import { SqliteEventStore, SqliteReadModelStore, SqliteSubjectKeyStore } from '@crm/sqlite';
import {
  type ContactListItem,
  contactListProjection,
} from '../apps/contacts/src/contacts/read-models/contact-list/contact-list.projection';
import { progress, secondsSince } from './fixtures';

const REPLAY_TIMEOUT_MS = 15 * 60_000;
const PROGRESS_STEPS = 5;

export interface Replayed {
  readonly seconds: number;
  /** The document of `contactId`, revealed as the list query does; null if missing. */
  readonly contact: Revealed<ContactListItem> | null;
  /** Commits that ran on the read-model store's writer thread. */
  readonly writerCommits: number;
  /** Batches of the log read ahead on the event store's reader thread (ADR 18). */
  readonly readAheadBatches: number;
}

/**
 * Rebuilds the contact list from position 0 with the real runner, codec and stores, in a
 * thread set up as the services' projection thread is (where their rebuilds run).
 */
export function replayInProjectionThread(
  dir: string,
  head: number,
  contactId: string,
): Promise<Replayed> {
  return new Promise((resolve, reject) => {
    // tsx's loader hooks do not reach worker threads: the thread registers its own.
    const thread = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, {
      eval: true,
      workerData: { dir, head, contactId },
      resourceLimits: { maxYoungGenerationSizeMb: DEFAULT_PROJECTION_YOUNG_GENERATION_MB },
    });
    let replayed: Replayed | null = null;
    thread.on('message', (message: Replayed) => (replayed = message));
    thread.on('error', reject);
    thread.on('exit', (code) => {
      if (replayed) resolve(replayed);
      else reject(new Error(`the replay thread exited with code ${code} and no result`));
    });
  });
}

async function replay(dir: string, head: number, contactId: string): Promise<Replayed> {
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
    // The read model keeps personal fields sealed; reveal them as the list query does.
    const doc = (await readModels.load<ContactListItem>(runner.key, [contactId])).get(
      contactId,
    )?.doc;
    const [contact] = doc ? await codec.reveal([doc]) : [];
    return {
      seconds,
      contact: contact ?? null,
      writerCommits: readModels.writerCommits,
      readAheadBatches: store.readAhead.batches,
    };
  } finally {
    await runner.stop();
    await store.close();
    await keys.close();
    await readModels.close();
  }
}

if (parentPort && workerData) {
  const { dir, head, contactId } = workerData as { dir: string; head: number; contactId: string };
  void replay(dir, head, contactId).then((replayed) => parentPort?.postMessage(replayed));
}
