import type { EventStore } from '@crm/events';
import { EVENT_STORE } from '@crm/platform';
import type { TestApp } from '@crm/platform/testing';
import request from 'supertest';
import { ada, startContacts } from './contacts-test-app';

describe('contacts API: the party model', () => {
  let service: TestApp;
  let rep: string;
  let manager: string;
  let analyst: string;
  let store: EventStore;

  beforeAll(async () => {
    service = await startContacts();
    rep = `Bearer ${await service.token(['rep'])}`;
    manager = `Bearer ${await service.token(['manager'], 'maria', 'sales')}`;
    analyst = `Bearer ${await service.token(['analyst'], 'olga', 'insights')}`;
    store = service.app.get<EventStore>(EVENT_STORE);
  });
  afterAll(() => service.close());

  const http = () => request(service.server);
  const register = async (body: object = ada, as = rep): Promise<string> =>
    (await http().post('/contacts').set('Authorization', as).send(body).expect(201)).body
      .id as string;
  const eventCount = async (id: string) => (await store.readStream(`contact-${id}`)).length;
  const organization = (name: string) =>
    register({ kind: 'organization', relationship: 'b2b', name });

  describe('contact points', () => {
    it('given a person, when emails and phones are added and removed, then labels and one primary of each are kept', async () => {
      const id = await register();
      await http()
        .post(`/contacts/${id}/emails`)
        .set('Authorization', rep)
        .send({ email: ' Ada@Home.Example ', label: 'home' })
        .expect(400);
      await http()
        .post(`/contacts/${id}/emails`)
        .set('Authorization', rep)
        .send({ email: 'Ada@Home.Example', label: 'home' })
        .expect(200);
      await http()
        .post(`/contacts/${id}/phones`)
        .set('Authorization', rep)
        .send({ phone: '+1 202 555 0143', label: 'mobile', primary: true })
        .expect(200);
      const removed = await http()
        .delete(`/contacts/${id}/emails/ada.lovelace@example.com`)
        .set('Authorization', rep)
        .expect(200);
      expect(removed.body).toMatchObject({
        primaryEmail: 'ada@home.example',
        emails: [{ email: 'ada@home.example', label: 'home', primary: true }],
        primaryPhone: '+12025550143',
        phones: [
          { phone: '+442079460958', label: 'work', primary: false },
          { phone: '+12025550143', label: 'mobile', primary: true },
        ],
      });
      const phone = await http()
        .delete(`/contacts/${id}/phones/${encodeURIComponent('+1 202 555 0143')}`)
        .set('Authorization', rep)
        .expect(200);
      expect(phone.body).toMatchObject({ primaryPhone: '+442079460958' });
    });

    it('given invalid or unknown contact points, then 400 or 404 and nothing is stored', async () => {
      const id = await register();
      const before = await eventCount(id);
      const badEmail = await http()
        .post(`/contacts/${id}/emails`)
        .set('Authorization', rep)
        .send({ email: 'not-an-email' })
        .expect(400);
      expect(badEmail.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(badEmail.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
      await http()
        .post(`/contacts/${id}/phones`)
        .set('Authorization', rep)
        .send({ phone: '12345' })
        .expect(400);
      await http()
        .delete(`/contacts/${id}/phones/not-a-phone`)
        .set('Authorization', rep)
        .expect(400);
      const unknown = await http()
        .delete(`/contacts/${id}/emails/nobody@example.com`)
        .set('Authorization', rep)
        .expect(404);
      expect(unknown.body.type).toMatch(/contact-point-not-found$/);
      expect(await eventCount(id)).toBe(before);
    });

    it('given a structured address, then it is added with a country code and can be removed', async () => {
      const id = await register();
      const added = await http()
        .post(`/contacts/${id}/addresses`)
        .set('Authorization', rep)
        .send({
          label: 'billing',
          street: 'Friedrichstr. 68',
          city: 'Berlin',
          postalCode: '10117',
          country: 'de',
        })
        .expect(200);
      const [address] = added.body.addresses;
      expect(address).toEqual({
        addressId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        label: 'billing',
        street: 'Friedrichstr. 68',
        city: 'Berlin',
        region: null,
        postalCode: '10117',
        country: 'DE',
      });
      await http()
        .post(`/contacts/${id}/addresses`)
        .set('Authorization', rep)
        .send({ city: 'Berlin', country: 'Germany' })
        .expect(400);
      const removed = await http()
        .delete(`/contacts/${id}/addresses/${address.addressId}`)
        .set('Authorization', rep)
        .expect(200);
      expect(removed.body.addresses).toEqual([]);
    });
  });

  describe('classification and ownership', () => {
    it('given tags at registration and later, then they are normalized, deduplicated and removable', async () => {
      const id = await register({ ...ada, tags: ['VIP', ' Newsletter  Weekly '] });
      const tagged = await http()
        .post(`/contacts/${id}/tags`)
        .set('Authorization', rep)
        .send({ tags: ['vip', 'partner'] })
        .expect(200);
      expect(tagged.body.tags).toEqual(['vip', 'newsletter weekly', 'partner']);
      const untagged = await http()
        .delete(`/contacts/${id}/tags/${encodeURIComponent('Newsletter Weekly')}`)
        .set('Authorization', rep)
        .expect(200);
      expect(untagged.body.tags).toEqual(['vip', 'partner']);
      await http()
        .post(`/contacts/${id}/tags`)
        .set('Authorization', rep)
        .send({ tags: ['<script>'] })
        .expect(400);
    });

    it('given a rep, owners are themselves; only managers reassign', async () => {
      const id = await register();
      expect((await http().get(`/contacts/${id}`).set('Authorization', rep)).body.ownerId).toBe(
        'alice',
      );
      const before = await eventCount(id);
      await http()
        .put(`/contacts/${id}/owner`)
        .set('Authorization', rep)
        .send({ ownerId: 'bob' })
        .expect(403);
      await http()
        .post('/contacts')
        .set('Authorization', rep)
        .send({ ...ada, ownerId: 'bob' })
        .expect(403);
      expect(await eventCount(id)).toBe(before);
      const reassigned = await http()
        .put(`/contacts/${id}/owner`)
        .set('Authorization', manager)
        .send({ ownerId: 'bob' })
        .expect(200);
      expect(reassigned.body.ownerId).toBe('bob');
      const forBob = await register({ ...ada, ownerId: 'bob' }, manager);
      expect((await http().get(`/contacts/${forBob}`).set('Authorization', rep)).body.ownerId).toBe(
        'bob',
      );
    });

    it('given lifecycle stages, then allowed transitions pass and illegal ones answer 422 storing nothing', async () => {
      const id = await register({ ...ada, stage: 'lead' });
      const stage = (value: string) =>
        http().put(`/contacts/${id}/stage`).set('Authorization', rep).send({ stage: value });
      await stage('prospect').expect(200);
      await stage('customer').expect(200);
      const before = await eventCount(id);
      const illegal = await stage('lead').expect(422);
      expect(illegal.body).toMatchObject({
        type: expect.stringMatching(/stage-transition-not-allowed$/),
        detail: 'a contact cannot move from customer to lead',
      });
      await stage('churned').expect(400);
      expect(await eventCount(id)).toBe(before);
      const inactive = await stage('inactive').expect(200);
      expect(inactive.body.stage).toBe('inactive');
    });

    it('given typed custom fields, then values of the declared type are kept and bad ones refused', async () => {
      const id = await register();
      const set = (field: string, body: object) =>
        http().put(`/contacts/${id}/custom-fields/${field}`).set('Authorization', rep).send(body);
      await set('employees', { valueType: 'number', value: 42 }).expect(200);
      await set('vatExempt', { valueType: 'boolean', value: true }).expect(200);
      await set('contractEnd', { valueType: 'date', value: '2027-03-31' }).expect(200);
      const last = await set('segment', { valueType: 'string', value: 'mid-market' }).expect(200);
      expect(last.body.customFields).toEqual({
        employees: { valueType: 'number', value: 42 },
        vatExempt: { valueType: 'boolean', value: true },
        contractEnd: { valueType: 'date', value: '2027-03-31' },
        segment: { valueType: 'string', value: 'mid-market' },
      });
      const before = await eventCount(id);
      await set('employees', { valueType: 'number', value: 'many' }).expect(400);
      await set('contractEnd', { valueType: 'date', value: '2027-02-30' }).expect(400);
      const oversized = await set('notes', { valueType: 'string', value: 'x'.repeat(1001) }).expect(
        400,
      );
      expect(oversized.body.errors).toEqual([
        { field: 'value', message: 'value must be at most 1000 characters' },
      ]);
      await set('Bad-Name', { valueType: 'string', value: 'x' }).expect(400);
      await set('colour', { valueType: 'colour', value: 'red' }).expect(400);
      expect(await eventCount(id)).toBe(before);
      const removed = await http()
        .delete(`/contacts/${id}/custom-fields/segment`)
        .set('Authorization', rep)
        .expect(200);
      expect(Object.keys(removed.body.customFields)).not.toContain('segment');
    });

    it('given 50 custom fields, then a 51st answers 422', async () => {
      const id = await register();
      for (let i = 0; i < 50; i++) {
        await http()
          .put(`/contacts/${id}/custom-fields/f${i}`)
          .set('Authorization', rep)
          .send({ valueType: 'number', value: i })
          .expect(200);
      }
      const refused = await http()
        .put(`/contacts/${id}/custom-fields/oneMore`)
        .set('Authorization', rep)
        .send({ valueType: 'number', value: 1 })
        .expect(422);
      expect(refused.body.type).toMatch(/custom-field-limit-reached$/);
    });
  });

  describe('parents and affiliations', () => {
    it('given organizations, then subsidiaries link to a parent and cycles are refused', async () => {
      const holding = await organization('Holding AG');
      const subsidiary = await organization('Subsidiary GmbH');
      const linked = await http()
        .put(`/contacts/${subsidiary}/parent`)
        .set('Authorization', rep)
        .send({ parentId: holding })
        .expect(200);
      expect(linked.body.parentId).toBe(holding);
      const cycle = await http()
        .put(`/contacts/${holding}/parent`)
        .set('Authorization', rep)
        .send({ parentId: subsidiary })
        .expect(422);
      expect(cycle.body.detail).toMatch(/own ancestor/);
      await http()
        .put(`/contacts/${holding}/parent`)
        .set('Authorization', rep)
        .send({ parentId: '01a242b7-74cb-754e-8a51-c229a3e10000' })
        .expect(404);
    });

    it('given internal units, then they form a tree of units only', async () => {
      const unit = (name: string) =>
        register({ kind: 'internal-unit', relationship: 'internal', name });
      const division = await unit('Division North');
      const team = await unit('Team Hamburg');
      await http()
        .put(`/contacts/${team}/parent`)
        .set('Authorization', rep)
        .send({ parentId: division })
        .expect(200);
      const org = await organization('Other Ltd');
      await http()
        .put(`/contacts/${team}/parent`)
        .set('Authorization', rep)
        .send({ parentId: org })
        .expect(422);
    });

    it('given a person and organizations, then affiliations carry a title and period and can end', async () => {
      const person = await register();
      const employer = await organization('Analytical Engines Ltd');
      const club = await organization('Royal Society');
      await http()
        .post(`/contacts/${person}/affiliations`)
        .set('Authorization', rep)
        .send({ organizationId: employer, title: 'Head of Research', since: '2020-01-01' })
        .expect(200);
      const second = await http()
        .post(`/contacts/${person}/affiliations`)
        .set('Authorization', rep)
        .send({ organizationId: club, title: 'Fellow' })
        .expect(200);
      expect(second.body.affiliations).toEqual([
        expect.objectContaining({
          organizationId: employer,
          title: 'Head of Research',
          since: '2020-01-01',
          until: null,
        }),
        expect.objectContaining({
          organizationId: club,
          title: 'Fellow',
          since: null,
          until: null,
        }),
      ]);
      const { affiliationId } = second.body.affiliations[0];
      const ended = await http()
        .put(`/contacts/${person}/affiliations/${affiliationId}/until`)
        .set('Authorization', rep)
        .send({ until: '2025-12-31' })
        .expect(200);
      expect(ended.body.affiliations[0]).toMatchObject({ until: '2025-12-31' });
      await http()
        .put(`/contacts/${person}/affiliations/${affiliationId}/until`)
        .set('Authorization', rep)
        .send({ until: '2019-01-01' })
        .expect(422);
      await http()
        .post(`/contacts/${person}/affiliations`)
        .set('Authorization', rep)
        .send({ organizationId: employer, since: '2020-13-01' })
        .expect(400);
      await http()
        .post(`/contacts/${employer}/affiliations`)
        .set('Authorization', rep)
        .send({ organizationId: club })
        .expect(422);
      const removed = await http()
        .delete(`/contacts/${person}/affiliations/${affiliationId}`)
        .set('Authorization', rep)
        .expect(200);
      expect(removed.body.affiliations).toHaveLength(1);
    });
  });

  describe('archive and restore', () => {
    it('given an archived party, then edits answer 422 until it is restored', async () => {
      const id = await register();
      const archived = await http()
        .post(`/contacts/${id}/archive`)
        .set('Authorization', rep)
        .send({ reason: 'moved abroad' })
        .expect(200);
      expect(archived.body.archived).toBe(true);
      const before = await eventCount(id);
      const refused = await http()
        .put(`/contacts/${id}/name`)
        .set('Authorization', rep)
        .send({ name: 'Someone' })
        .expect(422);
      expect(refused.body.type).toMatch(/contact-archived$/);
      await http().post(`/contacts/${id}/archive`).set('Authorization', rep).send({}).expect(422);
      expect(await eventCount(id)).toBe(before);
      const restored = await http()
        .post(`/contacts/${id}/restore`)
        .set('Authorization', rep)
        .expect(200);
      expect(restored.body.archived).toBe(false);
      await http().post(`/contacts/${id}/restore`).set('Authorization', rep).expect(422);
    });
  });

  describe('roles', () => {
    it('given an analyst, then every write answers 403 and reads work', async () => {
      const id = await register();
      const before = await eventCount(id);
      const writes = [
        http().post('/contacts').send(ada),
        http().post(`/contacts/${id}/emails`).send({ email: 'x@example.com' }),
        http().post(`/contacts/${id}/phones`).send({ phone: '+12025550143' }),
        http().post(`/contacts/${id}/addresses`).send({ country: 'DE' }),
        http()
          .post(`/contacts/${id}/tags`)
          .send({ tags: ['x'] }),
        http().put(`/contacts/${id}/stage`).send({ stage: 'lead' }),
        http().put(`/contacts/${id}/owner`).send({ ownerId: 'olga' }),
        http().put(`/contacts/${id}/custom-fields/size`).send({ valueType: 'number', value: 1 }),
        http().put(`/contacts/${id}/parent`).send({ parentId: null }),
        http().post(`/contacts/${id}/archive`).send({}),
      ];
      for (const write of writes) {
        const response = await write.set('Authorization', analyst).expect(403);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect(await eventCount(id)).toBe(before);
      await http().get(`/contacts/${id}`).set('Authorization', analyst).expect(200);
    });
  });
});
