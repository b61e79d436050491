import { randomInt, randomUUID } from 'node:crypto';
import {
  CommandHandler,
  EventCodec,
  type EventStore,
  InMemoryReadModelStore,
  ProjectionRunner,
  projectionKey,
  type ReadModelStore,
  type SubjectKeyStore,
} from '@crm/events';
import { eventually } from '@crm/events/testing';
import { EVENT_STORE, READ_MODELS, SUBJECT_KEYS } from '@crm/platform';
import type { TestApp } from '@crm/platform/testing';
import request from 'supertest';
import { contactStreamId } from '../src/contacts/contact';
import { contactDecider } from '../src/contacts/contact.decider';
import { DuplicateKeys } from '../src/contacts/read-models/duplicates/duplicate-keys';
import {
  type DuplicateCandidate,
  DUPLICATES_READ_MODEL,
} from '../src/contacts/read-models/duplicates/duplicate-candidate';
import { duplicatesProjection } from '../src/contacts/read-models/duplicates/duplicates.projection';
import { startContacts } from './contacts-test-app';

type Body = Record<string, unknown>;
interface Registered {
  id: string;
  possibleDuplicates: { id: string; score: number; reasons: string[] }[];
}

// Distributed mode (PostgreSQL, MongoDB wire) on a shared 2-core machine is slow to catch up.
jest.setTimeout(30_000);

describe('duplicate candidates', () => {
  let service: TestApp;
  let rep: string;
  let analyst: string;
  let readModels: ReadModelStore;
  const key = projectionKey(DUPLICATES_READ_MODEL);

  beforeAll(async () => {
    service = await startContacts();
    rep = `Bearer ${await service.token(['rep'])}`;
    analyst = `Bearer ${await service.token(['analyst'], 'olga', 'insights')}`;
    readModels = service.app.get<ReadModelStore>(READ_MODELS);
  });
  afterAll(() => service.close());

  const http = () => request(service.server);
  /** Values no other test uses: every test starts from parties of its own. */
  const unique = () => randomUUID().slice(0, 8);
  const berlinPhone = () => `+49 30 ${String(randomInt(1_000_000, 9_999_999))}`;
  const register = async (body: Body): Promise<Registered> =>
    (await http().post('/contacts').set('Authorization', rep).send(body).expect(201))
      .body as Registered;
  const person = (name: string, extra: Body = {}) =>
    register({ kind: 'person', relationship: 'b2c', name, ...extra });
  const stored = async (id: string) =>
    (await readModels.load<DuplicateCandidate>(key, [id])).get(id);
  /** Waits until the read model has the party (and so every event before it). */
  const indexed = (id: string) =>
    eventually(async () => expect((await stored(id))?.doc).toMatchObject({ id }));
  const duplicatesOf = async (id: string) =>
    (await http().get(`/contacts/${id}/duplicates`).set('Authorization', analyst).expect(200)).body
      .items as Registered['possibleDuplicates'];
  const affiliate = (id: string, organizationId: string) =>
    http()
      .post(`/contacts/${id}/affiliations`)
      .set('Authorization', rep)
      .send({ organizationId })
      .expect(200);

  describe('when a party is registered', () => {
    it('given a person with that email and phone, then the 201 names her as a possible duplicate', async () => {
      const tag = unique();
      const phone = berlinPhone();
      const ada = await person('Ada Lovelace', {
        primaryEmail: `ada.${tag}@example.com`,
        primaryPhone: phone,
      });
      expect(ada.possibleDuplicates).toEqual([]);
      await indexed(ada.id);
      const again = await person('Ada  LOVELACE', {
        primaryEmail: `ADA.${tag}@Example.com`,
        primaryPhone: phone.replace(/ /g, ''),
      });
      expect(again.possibleDuplicates).toEqual([
        { id: ada.id, score: 0.988, reasons: ['same-email', 'same-phone', 'similar-name'] },
      ]);
    });

    it('given several parties registered at once, then each 201 names the candidates of its own values, and only those', async () => {
      const tag = unique();
      const ada = await person('Ada Lovelace', { primaryEmail: `ada.${tag}@example.com` });
      await indexed(ada.id);

      const sharing = [1, 2, 3].map((n) =>
        person(`Augusta ${n} ${tag}`, { primaryEmail: `ada.${tag}@example.com` }),
      );
      const apart = [1, 2, 3].map((n) =>
        person(`Charles ${n} ${tag}`, { primaryEmail: `charles.${n}.${tag}@example.com` }),
      );
      const [shared, separate] = await Promise.all([Promise.all(sharing), Promise.all(apart)]);

      for (const registered of shared) {
        // The others of the group may also be there, if indexed before this one looked.
        expect(registered.possibleDuplicates).toContainEqual({
          id: ada.id,
          score: 0.9,
          reasons: ['same-email'],
        });
      }
      for (const registered of separate) expect(registered.possibleDuplicates).toEqual([]);
    });

    it('given only a shared phone, the phone is the reason', async () => {
      const phone = berlinPhone();
      const household = await person(`Grace ${unique()}`, { primaryPhone: phone });
      await indexed(household.id);
      const other = await person(`Alan ${unique()}`, { primaryPhone: phone });
      expect(other.possibleDuplicates).toEqual([
        { id: household.id, score: 0.7, reasons: ['same-phone'] },
      ]);
    });

    it('given nothing shared, none, even for a person of the same name elsewhere', async () => {
      const name = `Charles ${unique()}`;
      await indexed((await person(name)).id);
      expect((await person(name)).possibleDuplicates).toEqual([]);
    });

    it('given an organization of the same name but for its legal form and case, a similar name', async () => {
      const tag = unique();
      const first = await register({
        kind: 'organization',
        relationship: 'b2b',
        name: `Engines ${tag} Ltd`,
      });
      await indexed(first.id);
      const second = await register({
        kind: 'organization',
        relationship: 'b2b',
        name: `ENGINES ${tag.toUpperCase()}, Limited`,
      });
      expect(second.possibleDuplicates).toEqual([
        { id: first.id, score: 0.6, reasons: ['similar-name'] },
      ]);
    });
  });

  describe('GET /contacts/{id}/duplicates', () => {
    it('given people of similar names in the same organization, they are candidates; the same name in another organization is not', async () => {
      const surname = `Smith${unique()}`;
      const acme = await register({
        kind: 'organization',
        relationship: 'b2b',
        name: `Acme ${unique()}`,
      });
      const other = await register({
        kind: 'organization',
        relationship: 'b2b',
        name: `Other ${unique()}`,
      });
      const jon = await person(`Jon ${surname}`);
      const john = await person(`John ${surname}`);
      const elsewhere = await person(`John ${surname}`);
      await affiliate(jon.id, acme.id);
      await affiliate(john.id, acme.id);
      await affiliate(elsewhere.id, other.id);
      const [candidate] = await eventually(async () => {
        const items = await duplicatesOf(jon.id);
        expect(items).toEqual([
          { id: john.id, score: expect.any(Number), reasons: ['similar-name'] },
        ]);
        return items;
      });
      // A similar name alone weighs 0.6 at most, scaled by how similar.
      expect(candidate?.score).toBeGreaterThan(0.5);
      expect(candidate?.score).toBeLessThanOrEqual(0.6);
    });

    it('archived, merged-away and erased parties are no candidates', async () => {
      const email = `same.${unique()}@example.com`;
      const subject = await person('Ada', { primaryEmail: email });
      const [archived, merged, erased] = [
        await person('Archie', { primaryEmail: email }),
        await person('Mergy', { primaryEmail: email }),
        await person('Erin', { primaryEmail: email }),
      ];
      await eventually(async () =>
        expect((await duplicatesOf(subject.id)).map((c) => c.id)).toEqual(
          expect.arrayContaining([archived.id, merged.id, erased.id]),
        ),
      );
      await http()
        .post(`/contacts/${archived.id}/archive`)
        .set('Authorization', rep)
        .send({})
        .expect(200);
      await http()
        .post('/merges')
        .set('Authorization', rep)
        .send({ survivorId: subject.id, absorbedIds: [merged.id] })
        .expect(201);
      await erase(erased.id);
      await eventually(async () => expect(await duplicatesOf(subject.id)).toEqual([]));
    });

    it('answers 404 for an unknown party and 400 for a malformed id', async () => {
      const missing = await http()
        .get(`/contacts/${randomUUID()}/duplicates`)
        .set('Authorization', analyst)
        .expect(404);
      expect(missing.body.type).toMatch(/contact-not-found$/);
      await http().get('/contacts/nope/duplicates').set('Authorization', analyst).expect(400);
    });
  });

  describe('GET /duplicates', () => {
    it('lists candidate pairs over existing data, each once, a page at a time', async () => {
      const email = `trio.${unique()}@example.com`;
      const trio = [
        await person('Tri One', { primaryEmail: email }),
        await person('Tri Two', { primaryEmail: email }),
        await person('Tri Three', { primaryEmail: email }),
      ].map((p) => p.id);
      const expected = [
        [trio[0], trio[1]],
        [trio[0], trio[2]],
        [trio[1], trio[2]],
      ].map(([partyId, duplicateId]) => ({
        partyId,
        duplicateId,
        score: 0.9,
        reasons: ['same-email'],
      }));
      await eventually(async () => {
        const pairs: { partyId: string; duplicateId: string }[] = [];
        let cursor: string | undefined;
        do {
          const { body } = await http()
            .get('/duplicates')
            .query({ limit: 2, ...(cursor ? { cursor } : {}) })
            .set('Authorization', analyst)
            .expect(200);
          expect(body.items.length).toBeLessThanOrEqual(2);
          pairs.push(...body.items);
          cursor = body.nextCursor ?? undefined;
        } while (cursor);
        expect(pairs).toEqual(expect.arrayContaining(expected));
        for (const pair of pairs) expect(pair.partyId < pair.duplicateId).toBe(true);
        const keys = pairs.map((p) => `${p.partyId}|${p.duplicateId}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect([...keys].sort()).toEqual(keys);
      }, 15_000);
    });

    it('answers 400 for a bad limit or cursor', async () => {
      for (const query of [{ limit: 0 }, { limit: 101 }, { limit: 'many' }, { cursor: 'nope' }]) {
        const response = await http()
          .get('/duplicates')
          .query(query)
          .set('Authorization', analyst)
          .expect(400);
        expect(response.body.type).toMatch(/validation-failed$/);
      }
    });
  });

  describe('erasure', () => {
    it('ContactErased removes the party from the read model, and a rebuild after erasure holds none of its values', async () => {
      const email = `erin.${unique()}@example.com`;
      const phone = berlinPhone();
      const erin = await person(`Erin ${unique()}`, { primaryEmail: email, primaryPhone: phone });
      const neighbour = await person(`Nina ${unique()}`, { primaryPhone: phone });
      await indexed(erin.id);
      await indexed(neighbour.id);
      const keys = service.app.get(DuplicateKeys);
      expect(JSON.stringify((await stored(erin.id))?.doc)).toContain(keys.email(email));

      await erase(erin.id);
      await eventually(async () => {
        const doc = await stored(erin.id);
        expect(doc).toBeDefined();
        expect(doc?.doc).toBeNull();
      });
      expect(await duplicatesOf(neighbour.id)).toEqual([]);

      const store = service.app.get<EventStore>(EVENT_STORE);
      const rebuilt = new InMemoryReadModelStore();
      const runner = new ProjectionRunner(
        store,
        service.app.get(EventCodec),
        rebuilt,
        duplicatesProjection(keys),
      );
      await runner.start();
      try {
        expect(await runner.waitFor(await store.headPosition(), 15_000)).toBe(true);
      } finally {
        await runner.stop();
      }
      const docs = rebuilt.documents<DuplicateCandidate>(key);
      expect(docs.map((d) => d.id)).toEqual(expect.arrayContaining([neighbour.id]));
      expect(docs.map((d) => d.id)).not.toContain(erin.id);
      const all = JSON.stringify(docs);
      expect(all).not.toContain(keys.email(email));
      expect(all).not.toContain(erin.id);
    });
  });

  /** Erasure as the erasure feature does it: the event, then the key destroyed. */
  async function erase(contactId: string): Promise<void> {
    const streamId = contactStreamId(contactId);
    await service.app.get(CommandHandler).handle(
      contactDecider,
      streamId,
      { type: 'EraseContact', contactId },
      {
        actor: { id: 'root', team: 'ops' },
        correlationId: randomUUID(),
      },
    );
    await service.app.get<SubjectKeyStore>(SUBJECT_KEYS).destroy(streamId);
    service.app.get(EventCodec).forget(streamId);
  }
});
