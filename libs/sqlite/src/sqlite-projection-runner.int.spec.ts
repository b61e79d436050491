import {
  ContractRegistry,
  type DomainEvent,
  EventCodec,
  type ExpectedRevision,
  type Projection,
  ProjectionRunner,
} from '@crm/events';
import { TEST_METADATA, testContract } from '@crm/events/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from './sqlite-event-store';
import { SqliteReadModelStore } from './sqlite-read-model-store';
import { SqliteSubjectKeyStore } from './sqlite-subject-key-store';
import { notesFileContents } from '../test/notes-file';

type NoteOpened = DomainEvent<'NoteOpened', { owner: string; name: string }>;
type NoteEdited = DomainEvent<'NoteEdited', { name: string }>;
type NoteTagged = DomainEvent<'NoteTagged', { tag: string }>;
type NoteEvent = NoteOpened | NoteEdited | NoteTagged;

interface Note {
  readonly owner: string;
  readonly name: unknown;
  readonly edits: number;
  readonly tags: readonly string[];
}

const notes: Projection<Note, NoteEvent> = {
  name: 'notes',
  version: 1,
  handles: ['NoteOpened', 'NoteEdited', 'NoteTagged'],
  indexes: ['owner'],
  multiValued: ['tags'],
  documentId: (event) => event.streamId,
  evolve(doc, event) {
    switch (event.type) {
      case 'NoteOpened':
        return { owner: event.data.owner, name: event.data.name, edits: 0, tags: [] };
      case 'NoteEdited':
        return doc && { ...doc, name: event.data.name, edits: doc.edits + 1 };
      case 'NoteTagged':
        return doc && { ...doc, tags: [...doc.tags, event.data.tag] };
      default: {
        const exhaustive: never = event;
        return exhaustive;
      }
    }
  },
};

const NOTES = 3_000;
const BLOCK = 100;

/**
 * Writes each note's three events a block apart, so that most commits of a rebuild change
 * documents an earlier one wrote. Returns the head position.
 */
async function writeLog(store: SqliteEventStore): Promise<number> {
  const event = (type: string, data: unknown) => ({
    id: randomUUID(),
    type,
    data,
    metadata: TEST_METADATA,
  });
  const append = (n: number, type: string, data: unknown, expected: ExpectedRevision) =>
    store.append(`note-${n}`, [event(type, data)], expected);
  const within = (n: number) => n >= 0 && n < NOTES;
  for (let block = 0; block < NOTES / BLOCK + 2; block++) {
    // A block's appends go together: the store commits them in one transaction.
    const appends: Promise<unknown>[] = [];
    for (let n = block * BLOCK; n < (block + 1) * BLOCK; n++) {
      if (within(n))
        appends.push(append(n, 'NoteOpened', { owner: `e-${n % 7}`, name: `n${n}` }, 'no_stream'));
      if (within(n - BLOCK)) appends.push(append(n - BLOCK, 'NoteEdited', { name: `m${n}` }, 0));
      if (within(n - 2 * BLOCK))
        appends.push(append(n - 2 * BLOCK, 'NoteTagged', { tag: `t${n % 5}` }, 1));
    }
    await Promise.all(appends);
  }
  return store.headPosition();
}

describe('ProjectionRunner rebuilding into SQLite', () => {
  let dir: string;
  let log: SqliteEventStore;
  let keys: SqliteSubjectKeyStore;
  let codec: EventCodec;
  let head: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crm-sqlite-runner-'));
    log = new SqliteEventStore(join(dir, 'events.db'));
    keys = new SqliteSubjectKeyStore(join(dir, 'keys.db'));
    codec = new EventCodec(
      new ContractRegistry(['NoteOpened', 'NoteEdited', 'NoteTagged'].map(testContract)),
      keys,
    );
    head = await writeLog(log);
  });
  afterAll(async () => {
    await log.close();
    await keys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A runner committing every few hundred documents, as a long rebuild does. */
  const runnerOn = (readModels: SqliteReadModelStore) =>
    new ProjectionRunner(log, codec, readModels, notes, {
      batchSize: 100,
      maxPendingDocuments: 400,
    });

  async function rebuildAll(file: string): Promise<void> {
    const readModels = new SqliteReadModelStore(file);
    const runner = runnerOn(readModels);
    await runner.start();
    expect(await runner.waitFor(head, 30_000)).toBe(true);
    await runner.stop();
    await readModels.close();
  }

  it('given a rebuild stopped half way (as on SIGTERM), when a new process resumes it, then the read model is the one an uninterrupted rebuild makes', async () => {
    const whole = join(dir, 'whole.db');
    await rebuildAll(whole);

    const resumed = join(dir, 'resumed.db');
    const first = new SqliteReadModelStore(resumed);
    const stopped = runnerOn(first);
    await stopped.start();
    expect(await stopped.waitFor(Math.floor(head / 3), 30_000)).toBe(true);
    await stopped.stop();
    await first.close();
    const halfWay = notesFileContents(resumed) as {
      checkpoint: { position: number }[];
      indexes: unknown;
    };
    expect(first.writerCommits).toBeGreaterThan(0);
    expect(halfWay.checkpoint[0]?.position).toBeLessThan(head);
    // What it wrote is usable as it stands: stopping finished the rebuild's deferred work.
    expect(halfWay.indexes).toEqual((notesFileContents(whole) as { indexes: unknown }).indexes);

    await rebuildAll(resumed);

    expect(notesFileContents(resumed)).toEqual(notesFileContents(whole));
    expect(notesFileContents(whole)).toMatchObject({ checkpoint: [{ position: head }] });
  });
});
