import { fork } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  CONTACT_EVENT_CONTRACTS,
  type ContactEvent,
  ContractRegistry,
  EventCodec,
  InMemorySubjectKeyStore,
  generateDataKey,
} from '@crm/events';
import { SqliteEventStore, SqliteSubjectKeyStore, openDatabase } from '@crm/sqlite';
import { contactStreamId } from '../apps/contacts/src/contacts/contact';
import { metadata, person, progress } from './fixtures';

export const CONTACTS = 250_000;
export const EVENTS_PER_CONTACT = 4;
/** Contacts whose events are written together; see the window loop below. */
const BLOCK = 1_000;
const WINDOWS_PER_COMMIT = 50;
const EPOCH = Date.parse('2025-01-06T08:00:00.000Z');

/** Random-looking but reproducible ids, so keys land all over the read model's b-tree. */
export function contactId(n: number): string {
  const h = createHash('sha1').update(`contact-${n}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function domainEvent(n: number, step: number): ContactEvent {
  const id = contactId(n);
  switch (step) {
    case 0:
      return {
        type: 'ContactRegistered',
        data: {
          contactId: id,
          kind: n % 5 === 0 ? 'organization' : 'person',
          relationship: n % 5 === 0 ? 'b2b' : 'b2c',
          name: person(n).name,
          primaryEmail: person(n).email,
          primaryPhone: person(n).phone,
        },
      };
    case 1:
      return { type: 'ContactRenamed', data: { contactId: id, name: person(n, 1).name } };
    case 2:
      return { type: 'ContactPrimaryEmailSet', data: { contactId: id, email: person(n, 2).email } };
    default:
      return { type: 'ContactPrimaryPhoneSet', data: { contactId: id, phone: person(n, 3).phone } };
  }
}

/** What the contact list must hold for contact 0 after the replay. */
export function expectedFirstContact(): {
  id: string;
  name: string;
  primaryEmail: string;
  primaryPhone: string;
} {
  return {
    id: contactId(0),
    name: person(0, 1).name,
    primaryEmail: person(0, 2).email,
    primaryPhone: person(0, 3).phone,
  };
}

/**
 * Writes CONTACTS × 4 events into `events.db` and their data keys into `keys.db`, through
 * raw SQL in big unsynced transactions (setup is not measured), with data encoded by the
 * real EventCodec so the replay decrypts exactly what the app would store. Contacts are
 * registered a block at a time and each later step trails one block behind the previous,
 * so a contact's events lie thousands of positions apart and most replay batches update
 * documents that an earlier batch wrote (and the runner has to load).
 * Returns the head position.
 */
export async function writeContactLog(dir: string): Promise<number> {
  // The real classes create the schemas; the raw connections below only fill them.
  await new SqliteEventStore(join(dir, 'events.db')).close();
  await new SqliteSubjectKeyStore(join(dir, 'keys.db')).close();
  const keys = new InMemorySubjectKeyStore(generateDataKey);
  const codec = new EventCodec(new ContractRegistry(CONTACT_EVENT_CONTRACTS), keys);
  const events = openDatabase(join(dir, 'events.db'));
  const keyDb = openDatabase(join(dir, 'keys.db'));
  // Setup only: no fsync, and a cache big enough that random index inserts stay in memory.
  for (const db of [events, keyDb]) {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
  }
  const insertEvent = events.prepare<[string, string, number, string, string, string]>(
    'INSERT INTO events (id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertStream = events.prepare<[string, number]>(
    'INSERT INTO streams (stream_id, revision) VALUES (?, ?)',
  );
  const insertKey = keyDb.prepare<[string, Buffer, string]>(
    'INSERT INTO subject_keys (subject, key, created_at) VALUES (?, ?, ?)',
  );
  type EventRow = [string, string, number, string, string, string];
  const writeEvents = events.transaction((rows: readonly EventRow[]) => {
    for (const row of rows) {
      insertEvent.run(...row);
      if (row[2] === EVENTS_PER_CONTACT - 1) insertStream.run(row[1], row[2]);
    }
  });
  const writeKeys = keyDb.transaction((rows: readonly [string, Buffer, string][]) => {
    for (const row of rows) insertKey.run(...row);
  });

  const blocks = CONTACTS / BLOCK;
  const windows = blocks + EVENTS_PER_CONTACT - 1;
  let position = 0;
  let rows: EventRow[] = [];
  let keyRows: [string, Buffer, string][] = [];
  try {
    for (let window = 0; window < windows; window++) {
      for (let step = 0; step < EVENTS_PER_CONTACT; step++) {
        const block = window - step;
        if (block < 0 || block >= blocks) continue;
        for (let n = block * BLOCK; n < (block + 1) * BLOCK; n++) {
          const streamId = contactStreamId(contactId(n));
          const event = domainEvent(n, step);
          const data = await codec.encodeData(streamId, event);
          const at = new Date(EPOCH + position * 1000);
          rows.push([
            randomUUID(),
            streamId,
            step,
            event.type,
            JSON.stringify(data),
            JSON.stringify(metadata(position, at)),
          ]);
          position += 1;
          const key = step === 0 ? await keys.find(streamId) : null;
          if (key) keyRows.push([streamId, key, at.toISOString()]);
        }
      }
      // Few, large transactions: each commit rewrites every index page it dirtied, and
      // random ids dirty nearly all of them, so committing per window was 4x slower.
      if (window % WINDOWS_PER_COMMIT === WINDOWS_PER_COMMIT - 1 || window === windows - 1) {
        writeKeys(keyRows);
        writeEvents(rows);
        rows = [];
        keyRows = [];
        progress(`replay setup: ${position}/${CONTACTS * EVENTS_PER_CONTACT} events written`);
      }
    }
  } finally {
    events.close();
    keyDb.close();
  }
  return position;
}

/**
 * writeContactLog in a child process. Writing the log leaves several hundred megabytes of
 * garbage in the old generation; in the measuring process the replay, which promotes the
 * documents it keeps, would pay for collecting it (1.3 s of 8.5 s when measured), while
 * the raw scan, which keeps nothing, would not.
 */
export function writeContactLogApart(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // The same node options, so the child runs TypeScript as this process does (tsx).
    const child = fork(join(__dirname, 'replay.write-log.ts'), [dir], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let head: number | null = null;
    child.on('message', (message) => {
      head = Number(message);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && head !== null) resolve(head);
      else reject(new Error(`writing the replay log failed (exit code ${String(code)})`));
    });
  });
}
