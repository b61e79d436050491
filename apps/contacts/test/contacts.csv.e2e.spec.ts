import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { CSV_COLUMNS } from '../src/csv/csv-columns';
import {
  allUnchanged,
  contact,
  fixture,
  get,
  importCsv,
  rowsOf,
  streamsWrittenSince,
  suite,
} from './csv-suite';
import { readModelsCaughtUp } from './contacts-test-app';

// Distributed mode writes read models through FerretDB, which takes its time.
jest.setTimeout(60_000);

describe('CSV import', () => {
  const s = suite();

  it('given a file of parties, when a rep imports it, then every row is created and reported', async () => {
    const response = await importCsv(s, fixture('parties.csv')).expect(201);
    const importId = response.body.id as string;
    expect(response.headers['location']).toBe(`/imports/${importId}`);
    expect(response.body).toMatchObject({
      status: 'completed',
      startedBy: 'alice',
      encoding: 'utf-8',
      columns: CSV_COLUMNS.filter((column) => column !== 'id'),
      rows: 4,
      counts: { created: 4, updated: 0, unchanged: 0, duplicate: 0, rejected: 0 },
      failure: null,
      revert: null,
    });
    expect((await get(s, `/imports/${importId}`).expect(200)).body).toEqual(response.body);

    const rows = await rowsOf(s, importId);
    expect(rows.map((r) => [r['row'], r['outcome']])).toEqual([
      [2, 'created'],
      [3, 'created'],
      [4, 'created'],
      [5, 'created'],
    ]);
    const ada = await contact(s, rows[0]?.['contactId'] as string);
    expect(ada).toMatchObject({
      kind: 'person',
      relationship: 'b2c',
      name: 'Ada Lovelace',
      primaryEmail: 'ada@example.com',
      emails: [
        { email: 'ada@example.com', primary: true },
        { email: 'ada.king@example.org', primary: false },
      ],
      primaryPhone: '+442079460958',
      tags: ['vip', 'newsletter'],
      stage: 'lead',
      ownerId: 'alice',
      customFields: { externalId: { valueType: 'string', value: 'crm-1' } },
    });
    const [registered] = await s.store.readStream(`contact-${ada.id}`);
    expect(registered?.metadata).toMatchObject({ actorId: 'alice', causationId: importId });
    const organization = await contact(s, rows[1]?.['contactId'] as string);
    expect(organization).toMatchObject({ name: 'Analytical Engines, Ltd', stage: 'prospect' });
    expect((await contact(s, rows[3]?.['contactId'] as string)).name).toBe('Zoë Müller');
  });

  it('records the batch on its own stream with ids and outcomes, never the personal values', async () => {
    const response = await importCsv(s, fixture('parties.csv')).expect(201);
    const events = await s.store.readStream(`import-${response.body.id}`);
    expect(events.map((e) => e.type)).toEqual([
      'ImportStarted',
      'ImportRowsRecorded',
      'ImportCompleted',
    ]);
    const raw = JSON.stringify(events.map((e) => e.data));
    for (const secret of ['Ada', 'ada@example.com', '+442079460958', 'crm-1', 'Müller']) {
      expect(raw).not.toContain(secret);
    }
  });

  it('given a file imported before, when imported again, then nothing changes and every row is unchanged (matched by external id, email, or kind and name)', async () => {
    const before = await s.store.headPosition();
    const response = await importCsv(s, fixture('parties.csv')).expect(201);
    expect(response.body.counts).toEqual(allUnchanged(4));
    expect(await streamsWrittenSince(s, before)).toEqual([`import-${response.body.id}`]);
  });

  it('given broken rows, when imported, then each is rejected with its row and reason while the good rows import', async () => {
    const response = await importCsv(s, fixture('broken-rows.csv')).expect(201);
    expect(response.body.counts).toEqual({
      created: 2,
      updated: 0,
      unchanged: 0,
      duplicate: 1,
      rejected: 7,
    });
    const rejected = await rowsOf(s, response.body.id as string, '&status=rejected');
    const reasons = rejected.map((r) => {
      const [error] = r['errors'] as { code: string; field: string | null }[];
      return [r['row'], error?.code, error?.field];
    });
    expect(reasons).toEqual([
      [3, 'wrong-column-count', null],
      [4, 'invalid-field', 'emails'],
      [5, 'invalid-field', 'phones'],
      [6, 'invalid-field', 'kind'],
      [7, 'stage-transition-not-allowed', 'stage'],
      [8, 'invalid-field', 'stage'],
      [9, 'relationship-not-allowed', 'relationship'],
    ]);
    for (const row of rejected) {
      expect(JSON.stringify(row['errors'])).not.toMatch(/not-an-email|12345|robot|churned/);
    }
    const [duplicate] = await rowsOf(s, response.body.id as string, '&status=duplicate');
    expect(duplicate).toMatchObject({ row: 11, duplicateOf: 2, contactId: null });
    const created = await rowsOf(s, response.body.id as string, '&status=created');
    const names = await Promise.all(
      created.map(async (r) => (await contact(s, r['contactId'] as string)).name as string),
    );
    expect(names).toEqual(['Grace Hopper', 'Alan Turing']);
  });

  it('given a row that matches a party by id, external id or email, then it updates that party', async () => {
    const [first] = await rowsOf(
      s,
      (await importCsv(s, fixture('parties.csv')).expect(201)).body.id as string,
    );
    const adaId = first?.['contactId'] as string;
    const csv = [
      'id,external_id,kind,relationship,name,emails,tags,stage',
      `${adaId},,person,b2c,Augusta Ada King,,,prospect`,
      ',crm-2,organization,b2b,Analytical Engines plc,,,',
      ',,person,b2c,Zoë Müller,ZOE@example.de;zoe.m@example.de,vip,',
      `${adaId},,person,b2c,Ada Once More,,,`,
      ',,organization,b2c,Ada as an organization,ada.king@example.org,,',
    ].join('\n');
    const response = await importCsv(s, csv).expect(201);
    const rows = await rowsOf(s, response.body.id as string);
    expect(rows.map((r) => [r['outcome'], r['changes'], r['duplicateOf']])).toEqual([
      ['updated', ['name', 'stage'], null],
      ['updated', ['name'], null],
      ['updated', ['emails', 'tags'], null],
      ['duplicate', [], 2],
      ['created', [], null],
    ]);
    expect(await contact(s, adaId)).toMatchObject({ name: 'Augusta Ada King', stage: 'prospect' });
  });

  it('only managers choose another owner: a rep’s row naming one is rejected, a manager’s imports', async () => {
    const csv = 'kind,relationship,name,owner\nperson,b2c,Owned Elsewhere,bob\n';
    const asRep = await importCsv(s, csv).expect(201);
    expect(asRep.body.counts.rejected).toBe(1);
    const [row] = await rowsOf(s, asRep.body.id as string);
    expect(row?.['errors']).toEqual([
      expect.objectContaining({ code: 'owner-not-allowed', field: 'owner' }),
    ]);
    const asManager = await importCsv(s, csv, 'text/csv', s.manager).expect(201);
    const [created] = await rowsOf(s, asManager.body.id as string);
    expect((await contact(s, created?.['contactId'] as string)).ownerId).toBe('bob');
  });
});

describe('CSV import: encodings and broken files', () => {
  const s = suite();

  it('reads Windows-1252 when the request names that charset, and refuses it as UTF-8 (415) before importing anything', async () => {
    const before = await s.store.headPosition();
    const refused = await importCsv(s, fixture('windows-1252.csv')).expect(415);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.detail).toMatch(/not valid UTF-8/);
    expect(await s.store.headPosition()).toBe(before);

    const read = await importCsv(
      s,
      fixture('windows-1252.csv'),
      'text/csv; charset=windows-1252',
    ).expect(201);
    expect(read.body).toMatchObject({ encoding: 'windows-1252', counts: { created: 1 } });
    const [row] = await rowsOf(s, read.body.id as string);
    expect((await contact(s, row?.['contactId'] as string)).name).toBe('Jörg Größe');
  });

  it('reads UTF-16 with a byte-order mark, and refuses UTF-16 without one (415)', async () => {
    const read = await importCsv(s, fixture('utf-16le-bom.csv')).expect(201);
    expect(read.body).toMatchObject({ encoding: 'utf-16le', counts: { created: 1 } });
    const [row] = await rowsOf(s, read.body.id as string);
    expect((await contact(s, row?.['contactId'] as string)).name).toBe('Chloé Dubois');

    const refused = await importCsv(s, fixture('utf-16le-no-bom.csv')).expect(415);
    expect(refused.body.detail).toMatch(/UTF-16 without a byte-order mark/);
  });

  it('rejects only the row with bytes that are not UTF-8 when they come after the part checked up front', async () => {
    // Few rows, long ones (50 tags each): past the first 64 KiB without many parties.
    const tags = (i: number) =>
      Array.from({ length: 50 }, (_, t) => `tag ${t} of a rather long list ${i}`).join(';');
    const lines = ['kind,relationship,name,emails,tags'];
    for (let i = 0; i < 48; i++)
      lines.push(`person,b2c,Person ${i},person.${i}@bulk.example,${tags(i)}`);
    const body = Buffer.concat([
      Buffer.from(`${lines.join('\n')}\n`),
      Buffer.from('person,b2c,Andr\xe9 Latin,andre@bulk.example,\n', 'latin1'),
      Buffer.from('person,b2c,After,after@bulk.example,\n'),
    ]);
    expect(body.length).toBeGreaterThan(64 * 1024);
    const response = await importCsv(s, body).expect(201);
    expect(response.body.counts).toMatchObject({ created: 49, rejected: 1 });
    const [rejected] = await rowsOf(s, response.body.id as string, '&status=rejected');
    expect(rejected).toMatchObject({ row: 50, errors: [{ code: 'invalid-encoding' }] });
    const [first] = await rowsOf(s, response.body.id as string);
    expect((await contact(s, first?.['contactId'] as string)).tags).toHaveLength(50);
  });

  it('refuses a header with unknown or missing columns (400) and other content types (415), appending nothing', async () => {
    const before = await s.store.headPosition();
    const unknown = await importCsv(s, 'kind,relationship,name,emial\nperson,b2c,A,a@b.c\n').expect(
      400,
    );
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'header[4]' })]);
    const missing = await importCsv(s, 'kind,name\nperson,A\n').expect(400);
    expect(missing.body.errors).toEqual([
      expect.objectContaining({ message: 'the column relationship is required' }),
    ]);
    await importCsv(s, '', 'text/csv').expect(400);
    await importCsv(s, '{"kind":"person"}', 'application/json').expect(415);
    await importCsv(s, 'kind,relationship,name\n', 'text/plain').expect(415);
    expect(await s.store.headPosition()).toBe(before);
  });

  it('rejects the last record when a quote never closes, and keeps the rows before it', async () => {
    const response = await importCsv(
      s,
      'kind,relationship,name\nperson,b2c,"Quoted ""Nick"" Name"\nperson,b2c,"Never closed\n',
    ).expect(201);
    expect(response.body.counts).toMatchObject({ created: 1, rejected: 1 });
    const rows = await rowsOf(s, response.body.id as string);
    expect(rows[1]).toMatchObject({ row: 3, errors: [{ code: 'malformed-csv' }] });
    expect((await contact(s, rows[0]?.['contactId'] as string)).name).toBe('Quoted "Nick" Name');
  });
});

describe('CSV import: size limit', () => {
  const s = suite({ IMPORT_BODY_LIMIT_BYTES: '100' });

  it('refuses a file over IMPORT_BODY_LIMIT_BYTES with 413, though it is above the JSON limit', async () => {
    const response = await importCsv(
      s,
      `kind,relationship,name\n${'person,b2c,A\n'.repeat(20)}`,
    ).expect(413);
    expect(response.body.type).toMatch(/payload-too-large$/);
    await importCsv(s, 'kind,relationship,name\nperson,b2c,Small\n').expect(201);
  });
});

describe('CSV import: revert', () => {
  const s = suite();

  it('given an import that created and updated parties, when reverted, then creations are archived and updates undone', async () => {
    const charles = await request(s.service.server)
      .post('/contacts')
      .set('Authorization', s.rep)
      .send({
        kind: 'person',
        relationship: 'b2c',
        name: 'Charles B.',
        primaryEmail: 'charles@example.com',
        stage: 'lead',
      })
      .expect(201);
    const imported = await importCsv(s, fixture('update-and-create.csv')).expect(201);
    expect(imported.body.counts).toMatchObject({ created: 1, updated: 1 });
    const [updated, created] = await rowsOf(s, imported.body.id as string);
    expect(updated).toMatchObject({
      contactId: charles.body.id,
      changes: ['name', 'emails', 'phones', 'primaryPhone', 'tags', 'stage'],
    });
    expect(await contact(s, charles.body.id as string)).toMatchObject({
      name: 'Charles Babbage',
      tags: ['inventor'],
      stage: 'prospect',
    });

    const reverted = await request(s.service.server)
      .post(`/imports/${imported.body.id}/revert`)
      .set('Authorization', s.rep)
      .expect(200);
    expect(reverted.body).toMatchObject({
      status: 'reverted',
      revert: { startedBy: 'alice', counts: { archived: 1, undone: 1, unchanged: 0, skipped: 0 } },
    });
    expect(await contact(s, created?.['contactId'] as string)).toMatchObject({ archived: true });
    expect(await contact(s, charles.body.id as string)).toMatchObject({
      name: 'Charles B.',
      primaryEmail: 'charles@example.com',
      emails: [{ email: 'charles@example.com' }],
      phones: [],
      primaryPhone: null,
      tags: [],
      stage: 'lead',
      archived: false,
    });
    const rows = await rowsOf(s, imported.body.id as string);
    expect(rows.map((r) => (r['revert'] as { outcome: string }).outcome)).toEqual([
      'undone',
      'archived',
    ]);
  });

  it('leaves what changed since the import, and a second revert is refused with 422', async () => {
    const csv =
      'kind,relationship,name,emails,tags\nperson,b2c,Edsger Dijkstra,edsger@example.nl,goto\n';
    await importCsv(
      s,
      'kind,relationship,name,emails\nperson,b2c,E. W. Dijkstra,edsger@example.nl\n',
    ).expect(201);
    const imported = await importCsv(s, csv).expect(201);
    const [row] = await rowsOf(s, imported.body.id as string);
    const id = row?.['contactId'] as string;
    await request(s.service.server)
      .put(`/contacts/${id}/name`)
      .set('Authorization', s.rep)
      .send({ name: 'Edsger W. Dijkstra' })
      .expect(200);

    const path = `/imports/${imported.body.id}/revert`;
    await request(s.service.server).post(path).set('Authorization', s.rep).expect(200);
    expect(await contact(s, id)).toMatchObject({ name: 'Edsger W. Dijkstra', tags: [] });
    const [reverted] = await rowsOf(s, imported.body.id as string);
    expect(reverted?.['revert']).toEqual({
      outcome: 'undone',
      errors: [expect.objectContaining({ code: 'changed-since-import', field: 'name' })],
    });

    const before = await s.store.headPosition();
    const again = await request(s.service.server)
      .post(path)
      .set('Authorization', s.rep)
      .expect(422);
    expect(again.body.detail).toMatch(/already reverted/);
    expect(await s.store.headPosition()).toBe(before);
  });

  it('answers 404 for an unknown import', async () => {
    await get(s, '/imports/01a242b7-74cb-754e-8a51-c229a3e1063e').expect(404);
    await request(s.service.server)
      .post('/imports/01a242b7-74cb-754e-8a51-c229a3e1063e/revert')
      .set('Authorization', s.rep)
      .expect(404);
  });
});

describe('CSV roles', () => {
  const s = suite();

  it('analysts may not import or revert (403), but may read reports and export', async () => {
    const denied = await importCsv(s, fixture('parties.csv'), 'text/csv', s.analyst).expect(403);
    expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/);
    const imported = await importCsv(s, fixture('parties.csv')).expect(201);
    await request(s.service.server)
      .post(`/imports/${imported.body.id}/revert`)
      .set('Authorization', s.analyst)
      .expect(403);
    await get(s, `/imports/${imported.body.id}`, s.analyst).expect(200);
    await get(s, '/exports/contacts.csv', s.analyst).expect(200);
  });
});

describe('CSV export', () => {
  const s = suite();

  const exportCsv = (query = '') => get(s, `/exports/contacts.csv${query}`).buffer(true);
  const records = (text: string) =>
    parse<Record<string, string>>(text, { bom: true, columns: true });

  // An export reads the contact list; every row of an import must have reached it first
  // (a read model can show one row of a batch before the next).
  beforeAll(async () => {
    await importCsv(s, fixture('parties.csv')).expect(201);
    await readModelsCaughtUp(s.service, 30_000);
  });

  it('streams the filtered list as CSV with the columns an import reads', async () => {
    const response = await exportCsv('?kind=organization').expect(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(records(response.text)).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        external_id: 'crm-2',
        kind: 'organization',
        relationship: 'b2b',
        name: 'Analytical Engines, Ltd',
        emails: 'info@engines.example',
        phones: '+12025550143',
        tags: 'partner',
        stage: 'prospect',
        owner: 'alice',
      },
    ]);
    const people = records((await exportCsv('?kind=person&relationship=b2c').expect(200)).text);
    expect(people.map((p) => p['emails'])).toEqual([
      'ada@example.com;ada.king@example.org',
      'zoe@example.de',
    ]);
    await exportCsv('?kind=robot').expect(400);
  });

  it('given an exported file, when imported back, then every row is unchanged and no party changes', async () => {
    const exported = await exportCsv().expect(200);
    expect(records(exported.text)).toHaveLength(4);
    const before = await s.store.headPosition();
    const response = await importCsv(s, Buffer.from(exported.text)).expect(201);
    expect(response.body.counts).toEqual(allUnchanged(4));
    expect(await streamsWrittenSince(s, before)).toEqual([`import-${response.body.id}`]);
  });

  it('pages through more parties than one page of the list (100)', async () => {
    const lines = ['kind,relationship,name,emails'];
    for (let i = 0; i < 120; i++) lines.push(`person,b2c,Exported ${i},exported.${i}@bulk.example`);
    await importCsv(s, lines.join('\n')).expect(201);
    await readModelsCaughtUp(s.service, 45_000);
    const exported = records((await exportCsv().expect(200)).text);
    expect(exported).toHaveLength(124);
    expect(new Set(exported.map((row) => row['id'])).size).toBe(124);
  });
});
