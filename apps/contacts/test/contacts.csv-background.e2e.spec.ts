import { eventually } from '@crm/events/testing';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CSV_COLUMNS } from '../src/csv/csv-columns';
import { readModelsCaughtUp } from './contacts-test-app';
import { allUnchanged, fixture, get, importCsv, rowsOf, type Suite, suite } from './csv-suite';

// Imports that answer once they started (Prefer: respond-async, RFC 7240) and run after the
// response, from the upload spooled to the data directory. What happens when the process
// stops or dies during one is in contacts.process.e2e.spec.ts.

// Distributed mode writes read models through FerretDB, which takes its time.
jest.setTimeout(60_000);

const importAsync = (s: Suite, body: Buffer | string, type = 'text/csv') =>
  importCsv(s, body, type).set('Prefer', 'respond-async');

/** Every file left in the spool directory (uploads of this process and of others). */
function spooled(s: Suite): string[] {
  try {
    return readdirSync(join(s.service.config.serviceDataDir, 'import-spool'), {
      recursive: true,
      withFileTypes: true,
    })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

async function completed(s: Suite, importId: string): Promise<Record<string, unknown>> {
  let report: Record<string, unknown> = {};
  await eventually(async () => {
    report = (await get(s, `/imports/${importId}`).expect(200)).body as Record<string, unknown>;
    expect(report['status']).toBe('completed');
  }, 30_000);
  // The rows are a read model of their own, which may follow the summary's.
  await readModelsCaughtUp(s.service);
  return report;
}

describe('CSV import in the background (Prefer: respond-async)', () => {
  const s = suite();

  it('given a file, then 202 with the import to poll once it started; polled, it completes as a synchronous import does', async () => {
    const response = await importAsync(s, fixture('parties.csv')).expect(202);
    const importId = response.body.id as string;
    expect(response.headers['location']).toBe(`/imports/${importId}`);
    expect(response.headers['preference-applied']).toBe('respond-async');
    expect(response.body).toMatchObject({
      status: expect.stringMatching(/^(running|completed)$/),
      startedBy: 'alice',
      encoding: 'utf-8',
      columns: CSV_COLUMNS.filter((column) => column !== 'id'),
    });

    expect(await completed(s, importId)).toMatchObject({
      rows: 4,
      counts: { created: 4, updated: 0, unchanged: 0, duplicate: 0, rejected: 0 },
      failure: null,
    });
    expect((await rowsOf(s, importId)).map((r) => r['outcome'])).toEqual([
      'created',
      'created',
      'created',
      'created',
    ]);
    // The upload goes once it is imported; the same file again changes nothing.
    await eventually(() => expect(spooled(s)).toEqual([]));
    const again = await importCsv(s, fixture('parties.csv')).expect(201);
    expect(again.body.counts).toEqual(allUnchanged(4));
  });

  it('imports a file of several chunks: rows rejected one by one, duplicates found across chunks', async () => {
    // Few parties are written (the duplicates are not), so the read models of distributed
    // mode keep up; the chunks still pass the keys of the rows seen from one to the next.
    const lines = Array.from({ length: 1200 }, (_, i) =>
      i < 10
        ? `person,b2c,Row ${i},row.${i}@bg.example`
        : i % 400 === 107
          ? `person,b2c,Row ${i},not-an-email`
          : `person,b2c,Row ${i},row.${i % 10}@bg.example`,
    );
    const response = await importAsync(
      s,
      `kind,relationship,name,emails\n${lines.join('\n')}\n`,
    ).expect(202);
    const importId = response.body.id as string;
    expect(await completed(s, importId)).toMatchObject({
      rows: 1200,
      counts: { created: 10, rejected: 3, duplicate: 1187, updated: 0, unchanged: 0 },
    });
    const rejected = await rowsOf(s, importId, '&status=rejected');
    expect(rejected.map((r) => r['row'])).toEqual([109, 509, 909]);
    const [last] = (await rowsOf(s, importId, '&status=duplicate')).slice(-1);
    // The last line repeats the email of the tenth data row (line 11), two chunks before.
    expect(last).toMatchObject({ row: 1201, outcome: 'duplicate', duplicateOf: 11 });
  });

  it('refuses what a synchronous import refuses before it answers, recording nothing and keeping no upload', async () => {
    const before = await s.store.headPosition();
    const header = await importAsync(s, 'kind,name\nperson,A\n').expect(400);
    expect(header.body.errors).toEqual([
      expect.objectContaining({ message: 'the column relationship is required' }),
    ]);
    await importAsync(s, '').expect(400);
    const encoding = await importAsync(s, fixture('utf-16le-no-bom.csv')).expect(415);
    expect(encoding.headers['content-type']).toMatch(/^application\/problem\+json/);
    await importAsync(s, fixture('windows-1252.csv')).expect(415);
    await importAsync(s, 'kind,relationship,name\n', 'text/plain').expect(415);
    expect(await s.store.headPosition()).toBe(before);
    expect(spooled(s)).toEqual([]);
  });
});

describe('CSV import in the background: size limit', () => {
  const s = suite({ IMPORT_BODY_LIMIT_BYTES: '100' });

  it('refuses a file over IMPORT_BODY_LIMIT_BYTES with 413 and keeps nothing of it', async () => {
    const before = await s.store.headPosition();
    const response = await importAsync(
      s,
      `kind,relationship,name\n${'person,b2c,A\n'.repeat(20)}`,
    ).expect(413);
    expect(response.body.type).toMatch(/payload-too-large$/);
    expect(await s.store.headPosition()).toBe(before);
    expect(spooled(s)).toEqual([]);
  });
});
