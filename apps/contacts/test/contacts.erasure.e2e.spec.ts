import { type CommandContext, CommandHandler, projectionKey } from '@crm/events';
import { eventually } from '@crm/events/testing';
import { Projections } from '@crm/platform';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { contactDecider } from '../src/contacts/contact.decider';
import { contactListProjection } from '../src/contacts/read-models/contact-list/contact-list.projection';
import { startContacts } from './contacts-test-app';
import { erasureSuite, sameStoresAs } from './erasure-suite';

// Right to erasure: after an admin erased a person, none of their personal data is found
// through any read path, nor in the stored read models, nor after every read model was
// rebuilt from the log; the non-personal facts remain.

// Two replicas, rebuilds and the engines of distributed mode on a shared machine.
jest.setTimeout(30_000);

const grace = {
  name: 'Grace Brewster Murray',
  renamed: 'Grace Murray Hopper',
  emails: ['Grace.Hopper@Navy.example', 'amazing.grace@cobol.example'],
  phones: ['+1 202 555 0187', '+44 20 7946 0321'],
  address: {
    street: '1 Compiler Lane',
    city: 'Arlington',
    region: 'Virginia',
    postalCode: 'VA 22201-4711',
    country: 'US',
  },
  nickname: 'Amazing Grace',
  birthday: '1906-12-09',
  badge: 4711.0815,
  title: 'Rear Admiral of Compilers',
  reason: 'Retired after debugging the Mark II',
};

/**
 * Her personal values as the service holds them (normalized), and distinctive pieces; each
 * at least 8 characters, so that a chance match inside a sealed (base64) blob is negligible.
 * Searched for case-insensitively: read models may keep names in lower case.
 */
const SECRETS = [
  'Grace Brewster Murray',
  'Brewster',
  'Grace Murray Hopper',
  'Murray Hopper',
  'grace.hopper@navy.example',
  'amazing.grace@cobol.example',
  '+12025550187',
  '2025550187',
  '+442079460321',
  '2079460321',
  '1 Compiler Lane',
  'Arlington',
  'Virginia',
  'VA 22201-4711',
  'Amazing Grace',
  '1906-12-09',
  '4711.0815',
  'Rear Admiral of Compilers',
  'debugging the Mark II',
];

const CONTACT_LIST = projectionKey(contactListProjection);

const found = (text: string) => {
  const lower = text.toLowerCase();
  return SECRETS.filter((secret) => lower.includes(secret.toLowerCase()));
};

/** A way to read what the service holds, as text to search. */
interface ReadPath {
  readonly name: string;
  read(): Promise<string>;
}

describe('contacts API: erasure of personal data and export', () => {
  const e = erasureSuite();
  const s = e.suite;
  const {
    http,
    readText,
    register,
    write,
    erase,
    events,
    typesOf,
    keyOf,
    readModelsCaughtUp,
    historyPages,
    listPages,
    duplicatePages,
    rawReadModelRows,
    rawLog,
  } = e;
  const clockPassed = (iso: string) =>
    eventually(() => expect(Date.now()).toBeGreaterThan(Date.parse(iso)));

  describe('a person with personal data in every field, erased', () => {
    let id: string;
    let organizationId: string;
    let registeredAt: string;
    let beforeErasure: string;
    let eventsBefore: string[];

    /** Add new read endpoints here: the test looks for her data through each of them. */
    const readPaths = (): ReadPath[] => [
      { name: 'GET /contacts/{id}', read: () => readText(`/contacts/${id}`) },
      {
        name: 'GET /contacts/{id}?asOf=<registration>',
        read: () => readText(`/contacts/${id}?asOf=${encodeURIComponent(registeredAt)}`),
      },
      {
        name: 'GET /contacts/{id}?asOf=<just before the erasure>',
        read: () => readText(`/contacts/${id}?asOf=${encodeURIComponent(beforeErasure)}`),
      },
      {
        name: 'GET /contacts/{id}?asOf=<now>',
        read: () => readText(`/contacts/${id}?asOf=${new Date().toISOString()}`),
      },
      { name: 'GET /contacts/{id}/history, every page', read: () => historyPages(id) },
      // She is archived: lists leave archived parties out unless asked for them.
      { name: 'GET /contacts?archived=any, every page', read: () => listPages('archived=any') },
      {
        name: 'GET /contacts?kind=person&relationship=b2c&archived=any, every page',
        read: () => listPages('kind=person&relationship=b2c&archived=any'),
      },
      {
        name: 'GET /contacts?q=<her first name>&archived=any (search)',
        read: () => listPages('q=grace&archived=any'),
      },
      {
        name: 'GET /contacts?sort=name&archived=any, every page',
        read: () => listPages('sort=name&archived=any'),
      },
      {
        name: 'GET /contacts?sort=-updated&archived=any, every page',
        read: () => listPages('sort=-updated&archived=any'),
      },
      {
        name: 'GET /contacts/{id}/export',
        read: () => readText(`/contacts/${id}/export`, s.admin),
      },
      { name: 'GET /contacts/{id}/duplicates', read: () => readText(`/contacts/${id}/duplicates`) },
      { name: 'GET /duplicates, every page', read: () => duplicatePages() },
      { name: 'GET /exports/contacts.csv', read: () => readText('/exports/contacts.csv') },
      {
        name: 'GET /exports/contacts.csv?kind=person&relationship=b2c',
        read: () => readText('/exports/contacts.csv?kind=person&relationship=b2c'),
      },
      { name: 'read-model tables/collections, raw', read: rawReadModelRows },
      {
        name: 'event store, raw',
        read: rawLog,
      },
    ];

    async function searchEveryPath(): Promise<{ path: string; found: string[] }[]> {
      const results: { path: string; found: string[] }[] = [];
      for (const path of readPaths())
        results.push({ path: path.name, found: found(await path.read()) });
      return results;
    }

    beforeAll(async () => {
      organizationId = await register({
        kind: 'organization',
        relationship: 'b2b',
        name: 'Bureau of Ships',
      });
      id = await register({
        kind: 'person',
        relationship: 'b2c',
        name: grace.name,
        primaryEmail: grace.emails[0],
        primaryPhone: grace.phones[0],
        stage: 'lead',
        tags: ['navy'],
      });
      const path = `/contacts/${id}`;
      await write('post', `${path}/emails`, { email: grace.emails[1], label: 'home' });
      await write('post', `${path}/phones`, { phone: grace.phones[1], label: 'mobile' });
      await write('post', `${path}/addresses`, { label: 'home', ...grace.address });
      await write('put', `${path}/custom-fields/nickname`, {
        valueType: 'string',
        value: grace.nickname,
      });
      await write('put', `${path}/custom-fields/birthday`, {
        valueType: 'date',
        value: grace.birthday,
      });
      await write('put', `${path}/custom-fields/badge`, {
        valueType: 'number',
        value: grace.badge,
      });
      await write('post', `${path}/affiliations`, {
        organizationId,
        title: grace.title,
        since: '1943-12-01',
      });
      await write('put', `${path}/name`, { name: grace.renamed });
      await write('post', `${path}/archive`, { reason: grace.reason });
      const stored = await events(id);
      registeredAt = stored[0]!.metadata.recordedAt;
      beforeErasure = stored.at(-1)!.metadata.recordedAt;
      eventsBefore = stored.map((e) => e.type);
      await readModelsCaughtUp();
    });

    it('given her data, before erasure the read paths show all of it (so the search below can find it)', async () => {
      const everything = (await Promise.all(readPaths().map((path) => path.read()))).join('\n');
      expect(found(everything)).toEqual(SECRETS);
      const exported = JSON.parse(await readText(`/contacts/${id}/export`, s.admin));
      expect(exported).toMatchObject({
        contactId: id,
        erased: false,
        contact: { name: grace.renamed, emails: [{}, {}], phones: [{}, {}] },
        merges: [],
        readModels: expect.arrayContaining([
          {
            readModel: CONTACT_LIST,
            document: expect.objectContaining({ name: grace.renamed }),
          },
        ]),
      });
      expect(exported.history).toHaveLength(eventsBefore.length);
      expect(exported.history[0]).toMatchObject({
        type: 'crm.contacts.contact-registered.v1',
        data: { name: grace.name, primaryEmail: 'grace.hopper@navy.example' },
      });
    });

    it('the export is for managers and admins only (403 for reps and analysts), 404 for an unknown party', async () => {
      await http().get(`/contacts/${id}/export`).set('Authorization', s.rep).expect(403);
      await http().get(`/contacts/${id}/export`).set('Authorization', s.analyst).expect(403);
      await http().get(`/contacts/${id}/export`).set('Authorization', s.manager).expect(200);
      await http()
        .get(`/contacts/${randomUUID()}/export`)
        .set('Authorization', s.manager)
        .expect(404);
    });

    it('when a rep or a manager tries to erase her, then 403 and nothing changes', async () => {
      for (const as of [s.rep, s.manager, s.analyst]) {
        const response = await erase(id, as).expect(403);
        expect(response.body.type).toMatch(/forbidden$/);
      }
      expect(await typesOf(id)).toEqual(eventsBefore);
      expect(await keyOf(id)).not.toBeNull();
    });

    it('answers 404 for an unknown party and 400 for a malformed id, recording nothing', async () => {
      const unknown = randomUUID();
      const response = await erase(unknown).expect(404);
      expect(response.body.type).toMatch(/contact-not-found$/);
      expect(await events(unknown)).toEqual([]);
      await erase('not-a-uuid').expect(400);
    });

    it('when an admin erases her, then 204, ContactErased is recorded under the admin and her key is destroyed', async () => {
      await clockPassed(beforeErasure);
      await erase(id).expect(204);
      const stored = await events(id);
      expect(stored.map((e) => e.type)).toEqual([...eventsBefore, 'ContactErased']);
      expect(stored.at(-1)!.metadata).toMatchObject({ actorId: 'dpo', actorTeam: 'privacy' });
      expect(await keyOf(id)).toBeNull();
    });

    it('then no read path shows any of her personal data', async () => {
      await readModelsCaughtUp();
      expect(await searchEveryPath()).toEqual(
        readPaths().map((path) => ({ path: path.name, found: [] })),
      );
    });

    it('then the non-personal facts remain: kind, relationship, tags, owner, stage, links, archive, her events', async () => {
      const { body } = await http()
        .get(`/contacts/${id}`)
        .set('Authorization', s.analyst)
        .expect(200);
      expect(body).toEqual({
        id,
        kind: 'person',
        relationship: 'b2c',
        name: null,
        primaryEmail: null,
        emails: [],
        primaryPhone: null,
        phones: [],
        addresses: [],
        tags: ['navy'],
        ownerId: 'alice',
        stage: 'lead',
        customFields: {},
        parentId: null,
        affiliations: [
          {
            affiliationId: expect.any(String),
            organizationId,
            title: null,
            since: '1943-12-01',
            until: null,
          },
        ],
        archived: true,
        mergedInto: null,
        merges: [],
        erased: true,
        revision: eventsBefore.length,
      });
      const listed = await http()
        .get('/contacts?kind=person&archived=any&limit=100')
        .set('Authorization', s.analyst)
        .expect(200);
      expect(listed.body.items).toContainEqual(
        expect.objectContaining({ id, kind: 'person', relationship: 'b2c', name: null }),
      );
      const history = await http()
        .get(`/contacts/${id}/history`)
        .set('Authorization', s.analyst)
        .expect(200);
      expect(history.body.items).toHaveLength(eventsBefore.length + 1);
      expect(history.body.items.at(-1)).toMatchObject({
        type: 'crm.contacts.contact-erased.v1',
        actorid: 'dpo',
        data: { contactId: id },
      });
    });

    it('then time travel shows her as she was, without personal data: archived, not yet erased', async () => {
      const before = await http()
        .get(`/contacts/${id}?asOf=${encodeURIComponent(beforeErasure)}`)
        .set('Authorization', s.analyst)
        .expect(200);
      expect(before.body).toMatchObject({
        kind: 'person',
        name: null,
        emails: [],
        phones: [],
        customFields: {},
        tags: ['navy'],
        archived: true,
        erased: false,
        revision: eventsBefore.length - 1,
      });
      expect(before.body.addresses).toEqual([
        expect.objectContaining({ street: null, city: null, postalCode: null, country: 'US' }),
      ]);
    });

    it('then her export holds only the non-personal facts', async () => {
      const exported = (
        await http().get(`/contacts/${id}/export`).set('Authorization', s.admin).expect(200)
      ).body;
      const current = await http().get(`/contacts/${id}`).set('Authorization', s.analyst);
      expect(exported).toMatchObject({ contactId: id, erased: true, contact: current.body });
      expect(exported.history).toHaveLength(eventsBefore.length + 1);
      expect(exported.readModels).toContainEqual({
        readModel: CONTACT_LIST,
        document: expect.objectContaining({ id, kind: 'person', name: null, primaryEmail: null }),
      });
    });

    it('when every read model is rebuilt from the log, then none shows her personal data and she is still listed', async () => {
      const projections = s.service.app.get(Projections);
      expect(projections.all().map((r) => r.key)).toContain(CONTACT_LIST);
      await projections.rebuildAll();
      await readModelsCaughtUp();
      expect(await searchEveryPath()).toEqual(
        readPaths().map((path) => ({ path: path.name, found: [] })),
      );
      const raw = await rawReadModelRows();
      expect(raw).toContain(id);
      const listed = await listPages('kind=person&archived=any');
      expect(listed).toContain(id);
    });

    it('when erased again, then 204 and no second event; the key stays destroyed', async () => {
      await erase(id).expect(204);
      expect(await typesOf(id)).toEqual([...eventsBefore, 'ContactErased']);
      expect(await keyOf(id)).toBeNull();
    });

    it.each([
      ['put', 'name', { name: 'Someone Else' }],
      ['post', 'emails', { email: 'new@example.com' }],
      ['post', 'tags', { tags: ['vip'] }],
      ['put', 'custom-fields/nickname', { valueType: 'string', value: 'Grace' }],
      ['post', 'restore', {}],
    ] as const)(
      'refuses a write to her with 422 contact-erased: %s %s',
      async (method, path, body) => {
        const response = await http()
          [method](`/contacts/${id}/${path}`)
          .set('Authorization', s.admin)
          .send(body)
          .expect(422);
        expect(response.body.type).toMatch(/contact-erased$/);
        expect(await typesOf(id)).toHaveLength(eventsBefore.length + 1);
      },
    );
  });

  describe('crash safety: ContactErased recorded, key not yet destroyed', () => {
    const context: CommandContext = {
      actor: { id: 'dpo', team: 'privacy' },
      correlationId: 'crash-test',
    };
    /** What the erasure does before destroying the key; a crash would stop it right there. */
    const recordErasureOnly = (id: string) =>
      s.service.app
        .get(CommandHandler)
        .handle(contactDecider, `contact-${id}`, { type: 'EraseContact', contactId: id }, context);
    const person = { kind: 'person', relationship: 'b2c', name: 'Kathleen Booth' };

    it('when erased again over HTTP, then 204, still one ContactErased, and the key is destroyed', async () => {
      const id = await register(person);
      await recordErasureOnly(id);
      await erase(id).expect(204);
      expect((await typesOf(id)).filter((t) => t === 'ContactErased')).toHaveLength(1);
      expect(await keyOf(id)).toBeNull();
    });

    it('even without a request, the service destroys the key it reads ContactErased for in the log', async () => {
      const id = await register(person);
      expect(await keyOf(id)).not.toBeNull();
      await recordErasureOnly(id);
      await eventually(async () => expect(await keyOf(id)).toBeNull(), 10_000);
      const history = await readText(`/contacts/${id}/history`);
      expect(history).not.toContain('Kathleen Booth');
    });
  });

  describe('replicas', () => {
    it('given two replicas and one that has her key cached, when the other erases her, then the first stops revealing her data too', async () => {
      const other = await startContacts(sameStoresAs(s.service.config));
      try {
        const id = await register({ kind: 'person', relationship: 'b2c', name: 'Ida Rhodes' });
        // Reading through this replica caches her key in its EventCodec.
        expect(await readText(`/contacts/${id}/history`)).toContain('Ida Rhodes');
        const otherAdmin = `Bearer ${await other.token(['admin'], 'dpo', 'privacy')}`;
        await request(other.server)
          .delete(`/contacts/${id}/personal-data`)
          .set('Authorization', otherAdmin)
          .expect(204);
        await eventually(async () => {
          expect(await readText(`/contacts/${id}/history`)).not.toContain('Ida Rhodes');
          expect(await readText(`/contacts/${id}/export`, s.admin)).not.toContain('Ida Rhodes');
        }, 10_000);
      } finally {
        await other.close();
      }
    });
  });
});
