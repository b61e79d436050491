import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { NewEvent } from '@crm/events';
import { mintToken } from '@crm/platform';
import { openDatabase, SqliteEventStore } from '@crm/sqlite';
import { WRITERS } from '../apps/contacts/src/csv/import-batch';
import { freePort, person, progress, secondsSince, waitReady, withTempDir } from './fixtures';
import { type BenchResult, result, round } from './report';

const MAIN = join(__dirname, '../dist/apps/contacts/main.js');
const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const ROWS = Number(process.env['BENCH_IMPORT_ROWS'] ?? 100_000);
/**
 * Per row the import also parses and validates, looks the row up, creates the party's key
 * (a second durable write), reads its stream and seals its values, while five read models
 * fold the same events beside it: a sixth of the bare append rate is the floor we hold.
 */
const TARGET = 0.15;
/** How long the bench reads an import's report before it gives up, and how often. */
const REPORT_DEADLINE_MS = 120_000;
const REPORT_POLL_MS = 200;
const TAGS = ['vip', 'newsletter', 'partner', 'trade fair 2026'];
const STAGES = ['lead', 'prospect', 'customer', ''];

/** The n-th row: people and organizations, a second email now and then, tags, a stage. */
function csvRow(n: number): string {
  const { name, email, phone } = person(n);
  const organization = n % 5 === 0;
  const emails = n % 3 === 0 ? `${email};alt.${email}` : email;
  return [
    `src-${n}`,
    organization ? 'organization' : 'person',
    organization ? 'b2b' : 'b2c',
    organization ? `"${name} & Co, Ltd"` : name,
    emails,
    phone,
    n % 2 === 0 ? TAGS.slice(0, 1 + (n % TAGS.length)).join(';') : '',
    STAGES[n % STAGES.length],
  ].join(',');
}

/** The file, generated as it is sent: the client does not hold it either. */
function* csvFile(rows: number): Generator<string> {
  yield 'external_id,kind,relationship,name,emails,phones,tags,stage\n';
  const batch: string[] = [];
  for (let n = 0; n < rows; n++) {
    batch.push(csvRow(n));
    if (batch.length === 1000) yield `${batch.splice(0).join('\n')}\n`;
  }
  if (batch.length > 0) yield `${batch.join('\n')}\n`;
}

function postCsv(
  url: string,
  token: string,
  rows: number,
): Promise<{ status: number; body: string; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/imports`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            location: response.headers.location,
          }),
        );
      },
    );
    req.on('error', reject);
    Readable.from(csvFile(rows)).pipe(req);
  });
}

/** The import's report, read until it is there (bounded: a report never readable fails). */
async function reportWhenReadable(
  reportUrl: string,
  token: string,
): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + REPORT_DEADLINE_MS;
  for (;;) {
    const response = await fetch(reportUrl, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.text();
    const folding =
      response.status === 404 ||
      response.status === 503 ||
      (response.status === 200 && (JSON.parse(body) as { status: string }).status === 'running');
    if (!folding || Date.now() > deadline) return { status: response.status, body };
    await new Promise((resolve) => setTimeout(resolve, REPORT_POLL_MS));
  }
}

/** Peak resident memory of a process (Linux), in MiB. */
function peakMemoryMiB(pid: number): number | null {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match?.[1] ? round(Number(match[1]) / 1024) : null;
}

/** Every event the import appended, grouped as it appended them: one group per stream. */
function appendedGroups(file: string): { streamId: string; events: NewEvent[] }[] {
  const db = openDatabase(file);
  try {
    const rows = db
      .prepare<[], { id: string; stream_id: string; type: string; data: string; metadata: string }>(
        'SELECT id, stream_id, type, data, metadata FROM events ORDER BY position',
      )
      .all();
    const groups = new Map<string, NewEvent[]>();
    for (const row of rows) {
      const events = groups.get(row.stream_id) ?? [];
      events.push({
        id: row.id,
        type: row.type,
        data: JSON.parse(row.data) as unknown,
        metadata: JSON.parse(row.metadata) as NewEvent['metadata'],
      });
      groups.set(row.stream_id, events);
    }
    return [...groups].map(([streamId, events]) => ({ streamId, events }));
  } finally {
    db.close();
  }
}

/**
 * The floor: the same events appended straight into a fresh store, one append per stream as
 * the importer does, with as many appends in flight as the importer has.
 */
async function rawAppends(
  file: string,
  groups: ReturnType<typeof appendedGroups>,
): Promise<number> {
  const store = new SqliteEventStore(file);
  try {
    let next = 0;
    const writer = async (): Promise<void> => {
      for (let i = next++; i < groups.length; i = next++) {
        const group = groups[i]!;
        await store.append(group.streamId, group.events, 'no_stream');
      }
    };
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: WRITERS }, writer));
    return secondsSince(start);
  } finally {
    await store.close();
  }
}

/**
 * CSV import rows/s of a 100k-row file through HTTP (the built service, embedded mode) ÷ the
 * rate at which the events that import appended go straight into the event store, measured
 * right after on the same machine. The service's peak memory shows the import streams.
 */
export async function importBench(): Promise<BenchResult> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npx nx build contacts first`);
  return withTempDir('import', async (dir) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        DATA_DIR: dir,
        JWT_SECRET: SECRET,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    let importSeconds: number;
    let recordedSeconds: number;
    let summary: { counts: Record<string, number>; status: string };
    let memory: { beforeMiB: number | null; peakMiB: number | null };
    try {
      await waitReady(url, child);
      const token = await mintToken(SECRET, 'quick-sales-crm', {
        employeeId: 'bench',
        team: 'sales',
        roles: ['rep'],
      });
      memory = { beforeMiB: peakMemoryMiB(child.pid!), peakMiB: null };
      progress(`import: ${ROWS} rows through POST /imports`);
      const start = process.hrtime.bigint();
      const posted = await postCsv(url, token, ROWS);
      recordedSeconds = secondsSince(start);
      // A 503 says the import is recorded and its report not readable yet (the read model
      // still folding it): a client then reads the report where Location says, as here.
      const response =
        posted.status === 503 && posted.location
          ? await reportWhenReadable(`${url}${posted.location}`, token)
          : posted;
      importSeconds = secondsSince(start);
      if (response.status !== 201 && response.status !== 200) {
        throw new Error(`import answered ${response.status}: ${response.body.slice(0, 500)}`);
      }
      summary = JSON.parse(response.body) as typeof summary;
      if (summary.counts['created'] !== ROWS) {
        throw new Error(`import created ${summary.counts['created']} of ${ROWS} rows`);
      }
      memory.peakMiB = peakMemoryMiB(child.pid!);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const groups = appendedGroups(join(dir, 'contacts', 'events.db'));
    const events = groups.reduce((sum, group) => sum + group.events.length, 0);
    progress(
      `import: the same ${events} events in ${groups.length} appends, straight into a store`,
    );
    const rawSeconds = await rawAppends(join(dir, 'raw-events.db'), groups);
    const importRate = ROWS / importSeconds;
    const rawRate = ROWS / rawSeconds;
    return result('import.csv-rows', importRate / rawRate, TARGET, {
      rows: ROWS,
      appendsInFlight: WRITERS,
      importRowsPerSecond: round(importRate),
      rawRowsPerSecond: round(rawRate),
      importSeconds: round(importSeconds, 2),
      /** When the POST answered: with a 503, before the report was readable. */
      recordedSeconds: round(recordedSeconds, 2),
      rawSeconds: round(rawSeconds, 2),
      eventsAppended: events,
      appends: groups.length,
      counts: summary.counts,
      serviceMemoryMiB: memory,
    });
  });
}
