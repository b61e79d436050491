import { EVENT_STORE, READ_MODELS } from '@crm/platform';
import { contactListProjection } from '../src/contacts/read-models/contact-list/contact-list.projection';
import type { TestApp } from '@crm/platform/testing';
import { eventually } from '@crm/events/testing';
import {
  CONTACT_EVENT_CONTRACTS,
  type EventStore,
  projectionKey,
  type ReadModelStore,
} from '@crm/events';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { ada, startContacts } from './contacts-test-app';

describe('contacts API', () => {
  let service: TestApp;
  let rep: string;
  let analyst: string;
  let store: EventStore;

  beforeAll(async () => {
    service = await startContacts();
    rep = `Bearer ${await service.token(['rep'])}`;
    analyst = `Bearer ${await service.token(['analyst'], 'olga', 'insights')}`;
    store = service.app.get<EventStore>(EVENT_STORE);
  });
  afterAll(() => service.close());

  const register = (body: object = ada) =>
    request(service.server).post('/contacts').set('Authorization', rep).send(body);

  describe('register', () => {
    it('given a valid person, when registered, then 201 with location, ETag and normalized contact points', async () => {
      const response = await register().expect(201);
      expect(response.headers['location']).toBe(`/contacts/${response.body.id}`);
      expect(response.headers['etag']).toBe('W/"1"');
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        kind: 'person',
        relationship: 'b2c',
        name: 'Ada Lovelace',
        primaryEmail: 'ada.lovelace@example.com',
        emails: [{ email: 'ada.lovelace@example.com', label: 'work', primary: true }],
        primaryPhone: '+442079460958',
        phones: [{ phone: '+442079460958', label: 'work', primary: true }],
        addresses: [],
        tags: [],
        ownerId: 'alice',
        stage: null,
        customFields: {},
        parentId: null,
        affiliations: [],
        archived: false,
        mergedInto: null,
        merges: [],
        erased: false,
        revision: 1,
        possibleDuplicates: [],
      });
    });

    it('records a ContactRegistered event under the acting employee, with personal fields encrypted', async () => {
      const { body } = await register().expect(201);
      const [stored, owned] = await store.readStream(`contact-${body.id}`);
      expect(owned).toMatchObject({ type: 'ContactOwnerAssigned', data: { ownerId: 'alice' } });
      expect(stored).toMatchObject({
        type: 'ContactRegistered',
        revision: 0,
        metadata: { actorId: 'alice', actorTeam: 'sales' },
      });
      const raw = JSON.stringify(stored?.data);
      expect(raw).toContain('"kind":"person"');
      for (const secret of ['Ada Lovelace', 'ada.lovelace@example.com', '+442079460958'])
        expect(raw).not.toContain(secret);
    });

    it('registers organizations and internal units with their relationship', async () => {
      await register({
        kind: 'organization',
        relationship: 'b2b',
        name: 'Analytical Engines Ltd',
      }).expect(201);
      const unit = await register({
        kind: 'internal-unit',
        relationship: 'internal',
        name: 'Division 2',
      }).expect(201);
      expect(unit.body).toMatchObject({
        kind: 'internal-unit',
        relationship: 'internal',
        primaryEmail: null,
        primaryPhone: null,
      });
    });

    it.each([
      [{ kind: 'internal-unit', relationship: 'b2b', name: 'Division 3' }],
      [{ kind: 'organization', relationship: 'internal', name: 'Our Holding' }],
    ])('rejects a relationship the kind of party cannot have with 422: %j', async (body) => {
      const response = await register(body).expect(422);
      expect(response.body.type).toMatch(/relationship-not-allowed$/);
    });
  });

  describe('read one', () => {
    it('given a registered contact, when read, then the contact with its revision as weak ETag', async () => {
      const { body } = await register().expect(201);
      const response = await request(service.server)
        .get(`/contacts/${body.id}`)
        .set('Authorization', analyst)
        .expect(200);
      expect(response.headers['etag']).toBe('W/"1"');
      const { possibleDuplicates: _, ...registered } = body as { possibleDuplicates: unknown };
      expect(response.body).toEqual(registered);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      const missing = await request(service.server)
        .get('/contacts/01a242b7-74cb-754e-8a51-c229a3e1063e')
        .set('Authorization', rep)
        .expect(404);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(missing.body).toMatchObject({
        status: 404,
        type: expect.stringMatching(/contact-not-found$/),
      });
      const malformed = await request(service.server)
        .get('/contacts/nope')
        .set('Authorization', rep)
        .expect(400);
      expect(malformed.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    });
  });

  describe('change', () => {
    it('renames and sets primary email and phone, each a new revision', async () => {
      const { body } = await register().expect(201);
      const path = `/contacts/${body.id}`;
      const renamed = await request(service.server)
        .put(`${path}/name`)
        .set('Authorization', rep)
        .set('If-Match', 'W/"1"')
        .send({ name: '  Augusta Ada King  ' })
        .expect(200);
      expect(renamed.headers['etag']).toBe('W/"2"');
      expect(renamed.body).toMatchObject({ name: 'Augusta Ada King', revision: 2 });
      await request(service.server)
        .put(`${path}/primary-email`)
        .set('Authorization', rep)
        .send({ email: 'COUNTESS@lovelace.org' })
        .expect(200);
      const phone = await request(service.server)
        .put(`${path}/primary-phone`)
        .set('Authorization', rep)
        .send({ phone: '+1 (202) 555-0143' })
        .expect(200);
      expect(phone.body).toMatchObject({
        primaryEmail: 'countess@lovelace.org',
        primaryPhone: '+12025550143',
        revision: 4,
      });
      const types = (await store.readStream(`contact-${body.id}`)).map((e) => e.type);
      expect(types).toEqual([
        'ContactRegistered',
        'ContactOwnerAssigned',
        'ContactRenamed',
        'ContactPrimaryEmailSet',
        'ContactPrimaryPhoneSet',
      ]);
    });

    it('clears the primary email with null and records nothing when the value does not change', async () => {
      const { body } = await register().expect(201);
      await request(service.server)
        .put(`/contacts/${body.id}/primary-email`)
        .set('Authorization', rep)
        .send({ email: null })
        .expect(200);
      const again = await request(service.server)
        .put(`/contacts/${body.id}/primary-email`)
        .set('Authorization', rep)
        .send({ email: null })
        .expect(200);
      expect(again.body).toMatchObject({ primaryEmail: null, emails: [], revision: 2 });
      expect(await store.readStream(`contact-${body.id}`)).toHaveLength(3);
    });

    it('given a stale If-Match, then 412 and nothing is stored', async () => {
      const { body } = await register().expect(201);
      await request(service.server)
        .put(`/contacts/${body.id}/name`)
        .set('Authorization', rep)
        .send({ name: 'First' })
        .expect(200);
      const stale = await request(service.server)
        .put(`/contacts/${body.id}/name`)
        .set('Authorization', rep)
        .set('If-Match', 'W/"1"')
        .send({ name: 'Second' })
        .expect(412);
      expect(stale.body).toMatchObject({ status: 412, expectedRevision: 1, actualRevision: 2 });
      expect(await store.readStream(`contact-${body.id}`)).toHaveLength(3);
    });

    it('answers 404 when changing an unknown contact, storing nothing', async () => {
      const id = '01a242b7-74cb-754e-8a51-c229a3e10000';
      await request(service.server)
        .put(`/contacts/${id}/name`)
        .set('Authorization', rep)
        .send({ name: 'Ghost' })
        .expect(404);
      expect(await store.readStream(`contact-${id}`)).toEqual([]);
    });
  });

  describe('list', () => {
    it('filters by kind and relationship and pages with a cursor', async () => {
      const orgs: string[] = [];
      for (const name of ['Org A', 'Org B', 'Org C', 'Org D', 'Org E']) {
        orgs.push(
          (await register({ kind: 'organization', relationship: 'b2b', name }).expect(201)).body
            .id as string,
        );
      }
      const page = (cursor?: string) =>
        request(service.server)
          .get('/contacts')
          .query({
            kind: 'organization',
            relationship: 'b2b',
            limit: 2,
            ...(cursor ? { cursor } : {}),
          })
          .set('Authorization', analyst)
          .expect(200);
      const seen: string[] = [];
      await eventually(async () => {
        seen.length = 0;
        let cursor: string | undefined;
        do {
          const { body } = await page(cursor);
          expect(body.items.length).toBeLessThanOrEqual(2);
          for (const item of body.items)
            expect(item).toMatchObject({ kind: 'organization', relationship: 'b2b' });
          seen.push(...body.items.map((item: { id: string }) => item.id));
          cursor = body.nextCursor ?? undefined;
        } while (cursor);
        expect(seen).toEqual(expect.arrayContaining(orgs));
      });
      expect([...seen].sort()).toEqual(seen);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('stores personal fields sealed in the read model and reveals them when listed', async () => {
      const { body } = await register({ ...ada, name: 'Grace Hopper' }).expect(201);
      const readModels = service.app.get<ReadModelStore>(READ_MODELS);
      await eventually(async () => {
        const stored = (await readModels.load(projectionKey(contactListProjection), [body.id])).get(
          body.id,
        )?.doc;
        expect(stored).toMatchObject({ id: body.id, kind: 'person' });
        expect(JSON.stringify(stored)).not.toMatch(
          /Grace Hopper|ada\.lovelace@example\.com|\+442079460958/,
        );
      });
      const listed = await request(service.server)
        .get('/contacts?limit=100')
        .set('Authorization', rep)
        .expect(200);
      expect(listed.body.items).toContainEqual(
        expect.objectContaining({
          id: body.id,
          name: 'Grace Hopper',
          primaryEmail: 'ada.lovelace@example.com',
        }),
      );
    });

    it('rejects a forged cursor and out-of-range limits with 400', async () => {
      const bad = await request(service.server)
        .get('/contacts?cursor=garbage&limit=500&kind=robot')
        .set('Authorization', rep)
        .expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'kind',
        'limit',
      ]);
      await request(service.server)
        .get('/contacts?cursor=garbage')
        .set('Authorization', rep)
        .expect(400);
    });
  });

  describe('history', () => {
    it('lists the contact history as CloudEvents, paginated', async () => {
      const { body } = await register().expect(201);
      await request(service.server)
        .put(`/contacts/${body.id}/name`)
        .set('Authorization', rep)
        .set('X-Correlation-Id', 'import-42')
        .send({ name: 'A. Lovelace' })
        .expect(200);
      const first = await request(service.server)
        .get(`/contacts/${body.id}/history?limit=1`)
        .set('Authorization', analyst)
        .expect(200);
      expect(first.body.nextRevision).toBe(1);
      expect(first.body.items[0]).toMatchObject({
        specversion: '1.0',
        type: 'crm.contacts.contact-registered.v1',
        source: '/crm/contacts',
        subject: `contact-${body.id}`,
        datacontenttype: 'application/json',
        dataschema: expect.stringContaining('crm.contacts.contact-registered.v1'),
        streamrevision: 0,
        actorid: 'alice',
        data: { contactId: body.id, name: 'Ada Lovelace' },
      });
      const second = await request(service.server)
        .get(`/contacts/${body.id}/history?fromRevision=2`)
        .set('Authorization', analyst)
        .expect(200);
      expect(second.body).toMatchObject({
        nextRevision: null,
        items: [{ type: 'crm.contacts.contact-renamed.v1', correlationid: 'import-42' }],
      });
      await request(service.server)
        .get('/contacts/01a242b7-74cb-754e-8a51-c229a3e1063e/history')
        .set('Authorization', analyst)
        .expect(404);
    });

    it('publishes data that matches the JSON Schema of every event type', async () => {
      const ajv = addFormats(new Ajv2020({ allErrors: true }));
      const { body } = await register().expect(201);
      const path = `/contacts/${body.id}`;
      await request(service.server)
        .put(`${path}/name`)
        .set('Authorization', rep)
        .send({ name: 'B' })
        .expect(200);
      await request(service.server)
        .put(`${path}/primary-email`)
        .set('Authorization', rep)
        .send({ email: 'b@example.com' })
        .expect(200);
      await request(service.server)
        .put(`${path}/primary-phone`)
        .set('Authorization', rep)
        .send({ phone: null })
        .expect(200);
      const history = await request(service.server)
        .get(`${path}/history`)
        .set('Authorization', rep)
        .expect(200);
      expect(history.body.items).toHaveLength(5);
      for (const event of history.body.items as { type: string; data: unknown }[]) {
        const contract = CONTACT_EVENT_CONTRACTS.find((c) => c.ceType === event.type);
        expect(contract).toBeDefined();
        expect(ajv.validate(contract!.schema, event.data)).toBe(true);
      }
    });
  });
});
