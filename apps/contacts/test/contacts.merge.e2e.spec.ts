import { randomUUID } from 'node:crypto';
import { CommandHandler, type EventStore } from '@crm/events';
import { eventually } from '@crm/events/testing';
import { EVENT_STORE } from '@crm/platform';
import type { TestApp } from '@crm/platform/testing';
import request from 'supertest';
import { contactStreamId } from '../src/contacts/contact';
import { type ContactCommand, contactDecider } from '../src/contacts/contact.decider';
import { startContacts } from './contacts-test-app';

type Body = Record<string, unknown>;
type View = Body & { id: string; revision: number };

jest.setTimeout(30_000);

describe('merging parties (POST /merges) and undoing merges', () => {
  let service: TestApp;
  let store: EventStore;
  const auth: Record<'rep' | 'manager' | 'admin' | 'analyst', string> = {
    rep: '',
    manager: '',
    admin: '',
    analyst: '',
  };

  beforeAll(async () => {
    service = await startContacts();
    store = service.app.get<EventStore>(EVENT_STORE);
    auth.rep = `Bearer ${await service.token(['rep'])}`;
    auth.manager = `Bearer ${await service.token(['manager'], 'maria')}`;
    auth.admin = `Bearer ${await service.token(['admin'], 'root', 'ops')}`;
    auth.analyst = `Bearer ${await service.token(['analyst'], 'olga', 'insights')}`;
  });
  afterAll(() => service.close());

  const http = () => request(service.server);
  const register = async (body: Body, as = auth.rep): Promise<View> => {
    const response = await http().post('/contacts').set('Authorization', as).send(body).expect(201);
    const { possibleDuplicates: _, ...view } = response.body as View;
    return view;
  };
  const person = (name: string, extra: Body = {}) =>
    register({ kind: 'person', relationship: 'b2c', name, ...extra });
  const write = (method: 'post' | 'put', path: string, body: Body) =>
    http()[method](path).set('Authorization', auth.rep).send(body).expect(200);
  const get = async (id: string): Promise<View> =>
    (await http().get(`/contacts/${id}`).set('Authorization', auth.analyst).expect(200))
      .body as View;
  const merge = (body: Body, as = auth.rep) =>
    http().post('/merges').set('Authorization', as).send(body);
  const undo = (survivorId: string, mergeId: string, as = auth.admin) =>
    http().post(`/contacts/${survivorId}/merges/${mergeId}/undo`).set('Authorization', as);
  /** Runs a command straight through the command handler, as another module would. */
  const command = (cmd: ContactCommand) =>
    service.app.get(CommandHandler).handle(contactDecider, contactStreamId(cmd.contactId), cmd, {
      actor: { id: 'root', team: 'ops' },
      correlationId: randomUUID(),
    });
  const withoutRevisionAndMerges = ({ revision: _, merges: _m, ...view }: View) => view;

  /** Ada with an email, a phone, a tag and a job; Augusta, the same woman entered again. */
  async function twoAdas() {
    const tag = randomUUID().slice(0, 8);
    const engines = await register({ kind: 'organization', relationship: 'b2b', name: 'Engines' });
    const society = await register({ kind: 'organization', relationship: 'b2b', name: 'Society' });
    const survivor = await person('Ada Lovelace', {
      primaryEmail: `ada.${tag}@example.com`,
      primaryPhone: '+44 20 7946 0958',
      tags: ['vip'],
    });
    await write('post', `/contacts/${survivor.id}/affiliations`, {
      organizationId: engines.id,
      title: 'Analyst',
    });
    const absorbed = await person('Augusta Ada King', {
      primaryEmail: `countess.${tag}@lovelace.org`,
      tags: ['vip', 'math'],
    });
    await write('post', `/contacts/${absorbed.id}/emails`, { email: `ada.${tag}@example.com` });
    await write('post', `/contacts/${absorbed.id}/phones`, { phone: '+44 7911 123456' });
    await write('post', `/contacts/${absorbed.id}/addresses`, { city: 'London', country: 'GB' });
    await write('post', `/contacts/${absorbed.id}/affiliations`, { organizationId: society.id });
    return {
      tag,
      engines,
      society,
      survivor: await get(survivor.id),
      absorbed: await get(absorbed.id),
    };
  }

  describe('merge', () => {
    it('given two records of one person, when a rep merges them, then 201: contact points, tags and affiliations combined, the survivor keeps its own name', async () => {
      const { tag, engines, society, survivor, absorbed } = await twoAdas();
      const response = await merge({ survivorId: survivor.id, absorbedIds: [absorbed.id] }).expect(
        201,
      );
      const { mergeId } = response.body as { mergeId: string };
      expect(response.headers['location']).toBe(`/contacts/${survivor.id}`);
      expect(response.headers['etag']).toBe(`W/"${String(response.body.survivor.revision)}"`);
      expect(response.body).toEqual({
        mergeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        absorbedIds: [absorbed.id],
        survivor: expect.objectContaining({
          id: survivor.id,
          name: 'Ada Lovelace',
          primaryEmail: `ada.${tag}@example.com`,
          emails: [
            { email: `ada.${tag}@example.com`, label: 'work', primary: true },
            { email: `countess.${tag}@lovelace.org`, label: 'work', primary: false },
          ],
          phones: [
            { phone: '+442079460958', label: 'work', primary: true },
            { phone: '+447911123456', label: 'work', primary: false },
          ],
          addresses: [expect.objectContaining({ city: 'London', country: 'GB' })],
          tags: ['vip', 'math'],
          affiliations: [
            expect.objectContaining({ organizationId: engines.id, title: 'Analyst' }),
            expect.objectContaining({ organizationId: society.id }),
          ],
          ownerId: 'alice',
          merges: [{ mergeId, absorbedIds: [absorbed.id], prefer: 'survivor', undone: false }],
        }),
      });
      expect(await get(survivor.id)).toEqual(response.body.survivor);
    });

    it('links every event of one merge by correlation and causation (the merge id)', async () => {
      const { survivor, absorbed } = await twoAdas();
      const correlationId = `merge-${randomUUID()}`;
      const { body } = await merge({ survivorId: survivor.id, absorbedIds: [absorbed.id] })
        .set('X-Correlation-Id', correlationId)
        .expect(201);
      const written = [
        ...(await store.readStream(contactStreamId(absorbed.id), absorbed.revision + 1)),
        ...(await store.readStream(contactStreamId(survivor.id), survivor.revision + 1)),
      ];
      expect(written.map((e) => e.type)).toEqual(
        expect.arrayContaining(['ContactMergedInto', 'ContactMerged', 'ContactEmailAdded']),
      );
      for (const event of written) {
        expect(event.metadata).toMatchObject({
          correlationId,
          causationId: body.mergeId,
          actorId: 'alice',
        });
      }
    });

    it('the absorbed party redirects to the survivor, refuses changes, and both histories are kept', async () => {
      const { survivor, absorbed } = await twoAdas();
      const { body } = await merge({ survivorId: survivor.id, absorbedIds: [absorbed.id] }).expect(
        201,
      );
      const redirected = await get(absorbed.id);
      expect(redirected).toEqual({
        ...absorbed,
        mergedInto: { survivorId: survivor.id, mergeId: body.mergeId },
        revision: absorbed.revision + 1,
      });
      const refused = await http()
        .put(`/contacts/${absorbed.id}/name`)
        .set('Authorization', auth.rep)
        .send({ name: 'Someone else' })
        .expect(422);
      expect(refused.body.type).toMatch(/contact-merged$/);
      const history = async (id: string) =>
        (
          await http().get(`/contacts/${id}/history`).set('Authorization', auth.analyst).expect(200)
        ).body.items.map((e: { type: string }) => e.type);
      expect(await history(absorbed.id)).toEqual([
        'crm.contacts.contact-registered.v1',
        ...Array(absorbed.revision).fill(expect.any(String)),
        'crm.contacts.contact-merged-into.v1',
      ]);
      const survivorHistory = await history(survivor.id);
      expect(survivorHistory.slice(0, survivor.revision + 1)).not.toContain(
        'crm.contacts.contact-merged.v1',
      );
      expect(survivorHistory[survivor.revision + 1]).toBe('crm.contacts.contact-merged.v1');
    });

    it('given a dry run, then 200 with the survivor as the merge makes it, and nothing is written', async () => {
      const { survivor, absorbed } = await twoAdas();
      const head = await store.headPosition();
      const preview = await merge({
        survivorId: survivor.id,
        absorbedIds: [absorbed.id],
        dryRun: true,
      }).expect(200);
      expect(preview.body).toMatchObject({ dryRun: true, absorbedIds: [absorbed.id] });
      expect(await store.headPosition()).toBe(head);
      expect(await get(survivor.id)).toEqual(survivor);
      expect(await get(absorbed.id)).toEqual(absorbed);
      const merged = await merge({ survivorId: survivor.id, absorbedIds: [absorbed.id] }).expect(
        201,
      );
      const sameBut = (view: View) => ({ ...view, merges: [] });
      expect(sameBut(preview.body.survivor)).toEqual(sameBut(merged.body.survivor));
    });

    it('given prefer absorbed, a manager gets the absorbed name and owner; a rep may not reassign the owner that way', async () => {
      const survivor = await person('A. Lovelace');
      const absorbed = await register(
        { kind: 'person', relationship: 'b2c', name: 'Ada Lovelace', ownerId: 'bob' },
        auth.manager,
      );
      const body = { survivorId: survivor.id, absorbedIds: [absorbed.id], prefer: 'absorbed' };
      const head = await store.headPosition();
      const refused = await merge(body, auth.rep).expect(403);
      expect(refused.body.detail).toMatch(/owner/);
      expect(await store.headPosition()).toBe(head);
      const merged = await merge(body, auth.manager).expect(201);
      expect(merged.body.survivor).toMatchObject({ name: 'Ada Lovelace', ownerId: 'bob' });
    });

    it('merges several parties at once', async () => {
      const survivor = await person('Ada');
      const others = [await person('Ada L.'), await person('A. Lovelace')];
      const merged = await merge({
        survivorId: survivor.id,
        absorbedIds: others.map((o) => o.id),
      }).expect(201);
      for (const other of others) {
        expect((await get(other.id)).mergedInto).toEqual({
          survivorId: survivor.id,
          mergeId: merged.body.mergeId,
        });
      }
    });

    it('given a stale If-Match for the survivor, then 412 and nothing is written', async () => {
      const survivor = await person('Ada');
      const absorbed = await person('Ada L.');
      await write('put', `/contacts/${survivor.id}/name`, { name: 'Ada Lovelace' });
      const head = await store.headPosition();
      await merge({ survivorId: survivor.id, absorbedIds: [absorbed.id] })
        .set('If-Match', `W/"${String(survivor.revision)}"`)
        .expect(412);
      expect(await store.headPosition()).toBe(head);
    });
  });

  describe('undo', () => {
    it('given a merge, when an admin undoes it, then both parties are exactly as before', async () => {
      const { survivor, absorbed } = await twoAdas();
      const { body } = await merge(
        {
          survivorId: survivor.id,
          absorbedIds: [absorbed.id],
          prefer: 'absorbed',
        },
        auth.manager,
      ).expect(201);
      const undone = await undo(survivor.id, body.mergeId).expect(200);
      expect(undone.body).toMatchObject({ mergeId: body.mergeId, restoredIds: [absorbed.id] });
      expect(undone.headers['etag']).toBe(`W/"${String(undone.body.survivor.revision)}"`);
      const survivorAfter = await get(survivor.id);
      expect(withoutRevisionAndMerges(survivorAfter)).toEqual(withoutRevisionAndMerges(survivor));
      expect(survivorAfter.merges).toEqual([expect.objectContaining({ undone: true })]);
      expect(withoutRevisionAndMerges(await get(absorbed.id))).toEqual(
        withoutRevisionAndMerges(absorbed),
      );
      const undoEvents = await store.readStream(
        contactStreamId(absorbed.id),
        absorbed.revision + 2,
      );
      expect(undoEvents).toEqual([
        expect.objectContaining({
          type: 'ContactUnmerged',
          metadata: expect.objectContaining({ causationId: body.mergeId, actorId: 'root' }),
        }),
      ]);
    });

    it('given the survivor edited after the merge, the undo keeps the edits and puts back only what is still as the merge set it', async () => {
      const survivor = await person('A. Lovelace');
      const absorbed = await register(
        {
          kind: 'person',
          relationship: 'b2c',
          name: 'Ada Lovelace',
          ownerId: 'bob',
        },
        auth.manager,
      );
      await write('put', `/contacts/${absorbed.id}/custom-fields/born`, {
        valueType: 'number',
        value: 1815,
      });
      const { body } = await merge(
        { survivorId: survivor.id, absorbedIds: [absorbed.id], prefer: 'absorbed' },
        auth.manager,
      ).expect(201);
      expect(body.survivor).toMatchObject({ name: 'Ada Lovelace', ownerId: 'bob' });
      await write('put', `/contacts/${survivor.id}/name`, {
        name: 'Ada King, Countess of Lovelace',
      });
      await undo(survivor.id, body.mergeId).expect(200);
      expect(await get(survivor.id)).toMatchObject({
        name: 'Ada King, Countess of Lovelace',
        ownerId: survivor.ownerId,
        customFields: {},
      });
    });

    it('given an undone merge, a second undo answers 422 and stores nothing', async () => {
      const { survivor, absorbed } = await twoAdas();
      const { body } = await merge({ survivorId: survivor.id, absorbedIds: [absorbed.id] }).expect(
        201,
      );
      await undo(survivor.id, body.mergeId).expect(200);
      const head = await store.headPosition();
      const again = await undo(survivor.id, body.mergeId).expect(422);
      expect(again.body.type).toMatch(/merge-not-allowed$/);
      expect(await store.headPosition()).toBe(head);
    });

    it('only admins undo: a rep or a manager gets 403 and nothing changes', async () => {
      const { survivor, absorbed } = await twoAdas();
      const { body } = await merge({ survivorId: survivor.id, absorbedIds: [absorbed.id] }).expect(
        201,
      );
      const head = await store.headPosition();
      await undo(survivor.id, body.mergeId, auth.rep).expect(403);
      await undo(survivor.id, body.mergeId, auth.manager).expect(403);
      expect(await store.headPosition()).toBe(head);
    });

    it('answers 404 for an unknown merge or survivor and 400 for malformed ids, storing nothing', async () => {
      const survivor = await person('Ada');
      const head = await store.headPosition();
      const unknownMerge = await undo(survivor.id, randomUUID()).expect(404);
      expect(unknownMerge.body.type).toMatch(/merge-not-found$/);
      const unknownSurvivor = await undo(randomUUID(), randomUUID()).expect(404);
      expect(unknownSurvivor.body.type).toMatch(/contact-not-found$/);
      const malformed = await undo(survivor.id, 'nope').expect(400);
      expect(malformed.body.errors).toEqual([{ field: 'mergeId', message: 'must be a UUID' }]);
      expect(await store.headPosition()).toBe(head);
    });

    it('finishes an undo that stopped after the survivor: the absorbed party is restored', async () => {
      const { survivor, absorbed } = await twoAdas();
      const { body } = await merge({ survivorId: survivor.id, absorbedIds: [absorbed.id] }).expect(
        201,
      );
      await command({ type: 'UndoMerge', contactId: survivor.id, mergeId: body.mergeId });
      expect((await get(absorbed.id)).mergedInto).not.toBeNull();
      const finished = await undo(survivor.id, body.mergeId).expect(200);
      expect(finished.body.restoredIds).toEqual([absorbed.id]);
      expect((await get(absorbed.id)).mergedInto).toBeNull();
      await undo(survivor.id, body.mergeId).expect(422);
    });

    it('takes back a merge that stopped before the survivor absorbed anyone', async () => {
      const survivor = await person('Ada');
      const absorbed = await person('Ada L.');
      const mergeId = randomUUID();
      await command({
        type: 'MarkMergedInto',
        contactId: absorbed.id,
        survivorId: survivor.id,
        mergeId,
      });
      // The absorbed ids come from the duplicates read model, which follows the log.
      const repaired = await eventually(async () => {
        const response = await undo(survivor.id, mergeId);
        expect(response.status).toBe(200);
        return response;
      });
      expect(repaired.body.restoredIds).toEqual([absorbed.id]);
      expect(withoutRevisionAndMerges(await get(absorbed.id))).toEqual(
        withoutRevisionAndMerges(absorbed),
      );
      expect(await get(survivor.id)).toEqual(survivor);
    });
  });

  describe('bad input stores nothing', () => {
    const refused = async (body: Body, status: number, problem: RegExp, as = auth.rep) => {
      const before = await store.headPosition();
      const response = await merge(body, as).expect(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.type).toMatch(problem);
      expect(await store.headPosition()).toBe(before);
      return response.body as Body;
    };

    it('refuses to merge a party into itself (422)', async () => {
      const ada = await person('Ada');
      await refused({ survivorId: ada.id, absorbedIds: [ada.id] }, 422, /merge-not-allowed$/);
    });

    it('refuses an archived or erased survivor (422)', async () => {
      const archivedOne = await person('Ada');
      await write('post', `/contacts/${archivedOne.id}/archive`, {});
      const erasedOne = await person('Ada');
      await command({ type: 'EraseContact', contactId: erasedOne.id });
      const other = await person('Ada L.');
      await refused(
        { survivorId: archivedOne.id, absorbedIds: [other.id] },
        422,
        /contact-archived$/,
      );
      await refused({ survivorId: erasedOne.id, absorbedIds: [other.id] }, 422, /contact-erased$/);
    });

    it('refuses to absorb an archived, erased or already merged party, or one of another kind (422)', async () => {
      const survivor = await person('Ada');
      const archivedOne = await person('Ada');
      await write('post', `/contacts/${archivedOne.id}/archive`, {});
      const erasedOne = await person('Ada');
      await command({ type: 'EraseContact', contactId: erasedOne.id });
      const mergedOne = await person('Ada');
      await merge({ survivorId: (await person('Ada K.')).id, absorbedIds: [mergedOne.id] }).expect(
        201,
      );
      const organization = await register({
        kind: 'organization',
        relationship: 'b2b',
        name: 'Ada Ltd',
      });
      for (const [absorbed, reason] of [
        [archivedOne, /archived/],
        [erasedOne, /erased/],
        [mergedOne, /already merged/],
        [organization, /organization cannot be merged into a person/],
      ] as const) {
        const problem = await refused(
          { survivorId: survivor.id, absorbedIds: [absorbed.id] },
          422,
          /merge-not-allowed$/,
        );
        expect(problem.detail).toMatch(reason);
      }
    });

    it('answers 404 for an unknown survivor or absorbed party', async () => {
      const ada = await person('Ada');
      await refused({ survivorId: randomUUID(), absorbedIds: [ada.id] }, 404, /contact-not-found$/);
      await refused({ survivorId: ada.id, absorbedIds: [randomUUID()] }, 404, /contact-not-found$/);
    });

    it('answers 400 listing every malformed field', async () => {
      const problem = await refused(
        { survivorId: 'nope', absorbedIds: [], prefer: 'newest', dryRun: 'yes', extra: 1 },
        400,
        /validation-failed$/,
      );
      const fields = (problem.errors as { field: string }[]).map((e) => e.field);
      expect(new Set(fields)).toEqual(
        new Set(['survivorId', 'absorbedIds', 'prefer', 'dryRun', 'extra']),
      );
      const many = Array.from({ length: 11 }, () => randomUUID());
      await refused({ survivorId: randomUUID(), absorbedIds: many }, 400, /validation-failed$/);
      const id = randomUUID();
      await refused({ survivorId: randomUUID(), absorbedIds: [id, id] }, 400, /validation-failed$/);
      await refused({ survivorId: randomUUID(), absorbedIds: ['x'] }, 400, /validation-failed$/);
    });

    it('analysts only read: 403', async () => {
      const ada = await person('Ada');
      const other = await person('Ada L.');
      await refused(
        { survivorId: ada.id, absorbedIds: [other.id] },
        403,
        /forbidden$/,
        auth.analyst,
      );
    });
  });
});
