import { eventually } from '@crm/events/testing';
import type { TestApp } from '@crm/platform/testing';
import request from 'supertest';
import { ada, startContacts } from './contacts-test-app';

interface HistoryItem {
  readonly type: string;
  readonly streamrevision: number;
  readonly recordedat: string;
  readonly data: Record<string, unknown>;
}

describe('contacts API: time travel and history', () => {
  let service: TestApp;
  let rep: string;
  let analyst: string;

  beforeAll(async () => {
    service = await startContacts();
    rep = `Bearer ${await service.token(['rep'])}`;
    analyst = `Bearer ${await service.token(['analyst'], 'olga', 'insights')}`;
  });
  afterAll(() => service.close());

  const http = () => request(service.server);
  const register = async (body: object = ada): Promise<string> =>
    (await http().post('/contacts').set('Authorization', rep).send(body).expect(201)).body
      .id as string;
  const rename = (id: string, name: string) =>
    http().put(`/contacts/${id}/name`).set('Authorization', rep).send({ name }).expect(200);
  const history = async (id: string): Promise<HistoryItem[]> =>
    (await http().get(`/contacts/${id}/history`).set('Authorization', analyst).expect(200)).body
      .items as HistoryItem[];
  const asOf = (id: string, instant: string) =>
    http()
      .get(`/contacts/${id}?asOf=${encodeURIComponent(instant)}`)
      .set('Authorization', analyst);
  /** The instant `ms` milliseconds after an ISO time. */
  const shifted = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
  /** Bounded wait until the clock has passed an instant, so the next write is recorded later. */
  const clockPassed = (iso: string) =>
    eventually(() => expect(Date.now()).toBeGreaterThan(Date.parse(iso)));

  describe('a party as of an instant (?asOf=)', () => {
    let id: string;
    let registeredAt: string;
    let renamedAt: string;

    beforeAll(async () => {
      id = await register();
      registeredAt = (await history(id))[0]!.recordedat;
      await clockPassed(registeredAt);
      await rename(id, 'Augusta Ada King');
      renamedAt = (await history(id)).at(-1)!.recordedat;
    });

    it('given a rename, when read as of the registration, then the name it had then and the revision of that moment', async () => {
      const response = await asOf(id, registeredAt).expect(200);
      expect(response.body).toMatchObject({
        id,
        kind: 'person',
        name: 'Ada Lovelace',
        primaryEmail: 'ada.lovelace@example.com',
        revision: 1,
      });
      // A past revision cannot be written to: no revision ETag to send back as If-Match.
      expect(response.headers['etag']).toBeUndefined();
    });

    it('given a rename, when read as of the last millisecond before it, then still the old name', async () => {
      const response = await asOf(id, shifted(renamedAt, -1)).expect(200);
      expect(response.body).toMatchObject({ name: 'Ada Lovelace', revision: 1 });
    });

    it('given a rename, when read as of the rename or later, then the new name, like the current read', async () => {
      const current = await http().get(`/contacts/${id}`).set('Authorization', analyst);
      const atRename = await asOf(id, renamedAt).expect(200);
      expect(atRename.body).toMatchObject({ name: 'Augusta Ada King', revision: 2 });
      const later = await asOf(id, shifted(renamedAt, 60_000)).expect(200);
      expect(later.body).toEqual(current.body);
    });

    it('given the registration instant written with a UTC offset, then the same instant', async () => {
      const twoHours = 2 * 3600_000;
      const local = shifted(registeredAt, twoHours).replace('Z', '+02:00');
      const response = await asOf(id, local).expect(200);
      expect(response.body.name).toBe('Ada Lovelace');
    });

    it('given a party, when read as of before its registration, then 404', async () => {
      const response = await asOf(id, shifted(registeredAt, -1)).expect(404);
      expect(response.body.type).toMatch(/contact-not-found$/);
    });

    it('given an unknown id, when read as of now, then 404', async () => {
      await asOf('01a242b7-74cb-754e-8a51-c229a3e1063e', new Date().toISOString()).expect(404);
    });

    it.each(['yesterday', '2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', ''])(
      'rejects an asOf that is not an ISO 8601 instant with 400 naming it: %j',
      async (bad) => {
        const response = await asOf(id, bad).expect(400);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(JSON.stringify(response.body)).toContain('asOf');
      },
    );
  });

  describe('history, a page at a time', () => {
    let id: string;
    const names = ['Ada A', 'Ada B', 'Ada C', 'Ada D', 'Ada E'];

    beforeAll(async () => {
      id = await register();
      for (const name of names) await rename(id, name);
    });

    it('given 7 events, when read 3 at a time, then every event once, in revision order, and the last page says so', async () => {
      const pages: { items: HistoryItem[]; nextRevision: number | null }[] = [];
      let from: number | null = 0;
      while (from !== null) {
        const page = await http()
          .get(`/contacts/${id}/history?fromRevision=${from}&limit=3`)
          .set('Authorization', analyst)
          .expect(200);
        pages.push(page.body);
        from = page.body.nextRevision as number | null;
      }
      expect(pages.map((p) => p.nextRevision)).toEqual([3, 6, null]);
      const items = pages.flatMap((p) => p.items);
      expect(items.map((e) => e.streamrevision)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(items.slice(2).map((e) => e.data['name'])).toEqual(names);
      expect(items[0]).toMatchObject({ type: 'crm.contacts.contact-registered.v1' });
    });

    it('given a page size that ends exactly at the last event, then nextRevision is null', async () => {
      const page = await http()
        .get(`/contacts/${id}/history?fromRevision=4&limit=3`)
        .set('Authorization', analyst)
        .expect(200);
      expect(page.body.items).toHaveLength(3);
      expect(page.body.nextRevision).toBeNull();
    });

    it('given a fromRevision past the end of an existing stream, then an empty last page', async () => {
      const page = await http()
        .get(`/contacts/${id}/history?fromRevision=50`)
        .set('Authorization', analyst)
        .expect(200);
      expect(page.body).toEqual({ items: [], nextRevision: null });
    });

    it('answers 404 for an unknown contact, from any revision', async () => {
      for (const from of [0, 3]) {
        await http()
          .get(`/contacts/01a242b7-74cb-754e-8a51-c229a3e1063e/history?fromRevision=${from}`)
          .set('Authorization', analyst)
          .expect(404);
      }
    });

    it.each(['limit=0', 'limit=501', 'limit=two', 'fromRevision=-1', 'fromRevision=1.5'])(
      'rejects %s with 400',
      async (query) => {
        const response = await http()
          .get(`/contacts/${id}/history?${query}`)
          .set('Authorization', analyst)
          .expect(400);
        expect(JSON.stringify(response.body)).toContain(query.split('=')[0]!);
      },
    );
  });
});
