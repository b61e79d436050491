import { eventually } from '@crm/events/testing';
import type { TestApp } from '@crm/platform/testing';
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { readModelsCaughtUp, startContacts } from './contacts-test-app';

interface Item {
  readonly id: string;
  readonly name: string | null;
  readonly updatedAt: string;
  readonly [field: string]: unknown;
}
interface Page {
  readonly items: Item[];
  readonly nextCursor: string | null;
}

// Each test makes many requests; in distributed mode on a loaded machine 5 s can be short.
jest.setTimeout(30_000);

/** A word no other test uses, to scope searches and owners to one test. */
const unique = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10)}`;

describe('searching and listing parties (GET /contacts)', () => {
  let service: TestApp;
  let manager: string;
  let analyst: string;

  beforeAll(async () => {
    service = await startContacts();
    manager = `Bearer ${await service.token(['manager'], 'mia', 'sales')}`;
    analyst = `Bearer ${await service.token(['analyst'], 'olga', 'insights')}`;
  });
  afterAll(() => service.close());

  const http = () => request(service.server);
  async function register(body: object): Promise<string> {
    const { body: created } = await http()
      .post('/contacts')
      .set('Authorization', manager)
      .send({ kind: 'person', relationship: 'b2c', ...body })
      .expect(201);
    return created.id as string;
  }
  const list = (query: Record<string, string | number>) =>
    http().get('/contacts').query(query).set('Authorization', analyst);
  const ids = async (query: Record<string, string | number>) =>
    ((await list(query).expect(200)).body as Page).items.map((item) => item.id);

  /** Every page of a query, two at a time, following nextCursor. */
  async function allPages(query: Record<string, string | number>): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const { body } = (await list({
        ...query,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      }).expect(200)) as { body: Page };
      expect(body.items.length).toBeLessThanOrEqual(2);
      if (body.nextCursor) expect(body.items).toHaveLength(2);
      items.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    return items;
  }

  it('given parties, when searched by text, then name prefixes (accents ignored), emails, phones in both formats and tag words find them', async () => {
    const m = unique('s');
    const local = `${randomInt(100, 999)}`;
    const zoe = await register({
      name: `Zoë Ångström ${m}`,
      primaryEmail: `zoe@${m}.example`,
      primaryPhone: `+44 20 7946 0${local}`,
      tags: ['Key Account'],
      stage: 'lead',
      ownerId: 'mia',
    });
    const other = await register({ name: `Zoe Other ${m}` });

    await readModelsCaughtUp(service);
    expect(await ids({ q: `zo ${m}` })).toEqual([zoe, other]);
    expect(await ids({ q: `ångs ${m}` })).toEqual([zoe]);
    expect(await ids({ q: `ANGSTROM ${m.toUpperCase()}` })).toEqual([zoe]);
    expect(await ids({ q: `zoe@${m}.example` })).toEqual([zoe]);
    expect(await ids({ q: `+44 20 7946 0${local}`, limit: 100 })).toContain(zoe);
    expect(await ids({ q: `020 7946 0${local}`, limit: 100 })).toContain(zoe);
    expect(await ids({ q: `(020) 7946-0${local}`, limit: 100 })).toContain(zoe);
    expect(await ids({ q: `key acc ${m}` })).toEqual([zoe]);
    expect(await ids({ q: `${m} hopper` })).toEqual([]);
    expect(await ids({ q: `ngström ${m}` })).toEqual([]);
    const { body } = await list({ q: `angstrom ${m}` }).expect(200);
    expect(body).toEqual({
      items: [
        {
          id: zoe,
          kind: 'person',
          relationship: 'b2c',
          name: `Zoë Ångström ${m}`,
          primaryEmail: `zoe@${m}.example`,
          primaryPhone: `+442079460${local}`,
          ownerId: 'mia',
          stage: 'lead',
          tags: ['key account'],
          archived: false,
          revision: expect.any(Number) as number,
          registeredAt: expect.any(String) as string,
          updatedAt: expect.any(String) as string,
        },
      ],
      nextCursor: null,
    });
  });

  it('given parties of one owner, when filtered by kind, relationship, stage and tag, alone or combined and with text, then only matching parties are listed', async () => {
    const owner = unique('o');
    const lead = await register({
      name: 'Lead Person',
      stage: 'lead',
      tags: ['vip'],
      ownerId: owner,
    });
    const customer = await register({ name: 'Customer Person', stage: 'customer', ownerId: owner });
    const org = await register({
      kind: 'organization',
      relationship: 'b2b',
      name: 'Lead Org',
      stage: 'lead',
      tags: ['vip', 'partner'],
      ownerId: owner,
    });
    await register({ name: 'Someone Else', stage: 'lead', tags: ['vip'] });

    await readModelsCaughtUp(service);
    expect(await ids({ ownerId: owner })).toEqual([lead, customer, org]);
    expect(await ids({ ownerId: owner, kind: 'organization' })).toEqual([org]);
    expect(await ids({ ownerId: owner, relationship: 'b2c' })).toEqual([lead, customer]);
    expect(await ids({ ownerId: owner, stage: 'lead' })).toEqual([lead, org]);
    expect(await ids({ ownerId: owner, tag: 'VIP' })).toEqual([lead, org]);
    expect(
      await ids({ ownerId: owner, tag: 'partner', kind: 'organization', stage: 'lead' }),
    ).toEqual([org]);
    expect(await ids({ ownerId: owner, tag: 'partner', kind: 'person' })).toEqual([]);
    expect(await ids({ ownerId: owner, q: 'lead', kind: 'person' })).toEqual([lead]);
    expect(await ids({ ownerId: owner, q: 'per', stage: 'customer', sort: 'name' })).toEqual([
      customer,
    ]);
    expect(await ids({ ownerId: owner, tag: 'vip', sort: '-name' })).toEqual([lead, org]);
  });

  it('given parties, when listed in each sort order two at a time, then every page follows the order with no duplicate or gap', async () => {
    const owner = unique('o');
    const m = unique('n');
    const registered: string[] = [];
    for (const name of ['Delta', 'alpha', 'Charlie', 'Bravo', 'Élan']) {
      registered.push(await register({ name: `${name} ${m}`, ownerId: owner }));
    }
    // Renamed last: the most recently updated.
    await http()
      .put(`/contacts/${registered[1]}/name`)
      .set('Authorization', manager)
      .send({ name: `Alpha ${m}` })
      .expect(200);
    const byName = [1, 3, 2, 0, 4].map((i) => registered[i]);
    const byUpdate = [0, 2, 3, 4, 1].map((i) => registered[i]);

    await readModelsCaughtUp(service);
    expect((await allPages({ ownerId: owner, sort: 'updated' })).map((i) => i.id)).toEqual(
      byUpdate,
    );
    const orders: [Record<string, string>, (string | undefined)[]][] = [
      [{}, registered],
      [{ sort: 'registered' }, registered],
      [{ sort: '-registered' }, [...registered].reverse()],
      [{ sort: 'name' }, byName],
      [{ sort: '-name' }, [...byName].reverse()],
      [{ sort: '-updated' }, [...byUpdate].reverse()],
      [{ sort: 'name', q: m }, byName],
      [{ sort: '-registered', q: m }, [...registered].reverse()],
    ];
    for (const [query, expected] of orders) {
      const items = await allPages({ ownerId: owner, ...query });
      expect([query, items.map((i) => i.id)]).toEqual([query, expected]);
    }
  });

  it('given an archived party, then lists leave it out by default, show only archived ones with archived=true and both with any', async () => {
    const owner = unique('o');
    const active = await register({ name: 'Still Here', ownerId: owner });
    const archived = await register({ name: 'Gone Away', ownerId: owner });
    await http()
      .post(`/contacts/${archived}/archive`)
      .set('Authorization', manager)
      .send({ reason: 'left' })
      .expect(200);

    await readModelsCaughtUp(service);
    expect(await ids({ ownerId: owner, archived: 'true' })).toEqual([archived]);
    expect(await ids({ ownerId: owner })).toEqual([active]);
    expect(await ids({ ownerId: owner, archived: 'false' })).toEqual([active]);
    expect(await ids({ ownerId: owner, archived: 'any' })).toEqual([active, archived]);
    expect(await ids({ ownerId: owner, archived: 'any', sort: 'name' })).toEqual([
      archived,
      active,
    ]);
  });

  it('given a merged party, then neither lists nor searches show it, only the survivor', async () => {
    const owner = unique('o');
    const m = unique('g');
    const survivor = await register({ name: `Grace ${m}`, ownerId: owner });
    const absorbed = await register({ name: `Grace Hopper ${m}`, ownerId: owner });
    await http()
      .post('/merges')
      .set('Authorization', manager)
      .send({ survivorId: survivor, absorbedIds: [absorbed] })
      .expect(201);

    // Both registered and the merge applied: a weaker wait could see the absorbed party
    // not yet indexed at all rather than left out.
    await readModelsCaughtUp(service);
    expect(await ids({ q: `grace ${m}` })).toEqual([survivor]);
    expect(await ids({ ownerId: owner })).toEqual([survivor]);
    expect(await ids({ q: `hopper ${m}` })).toEqual([]);
    expect(await ids({ ownerId: owner, archived: 'any' })).toEqual([survivor]);
    expect(await ids({ ownerId: owner, sort: 'name' })).toEqual([survivor]);
  });

  it('given bad input, then 400 naming each bad parameter, and the list still answers', async () => {
    const bad = await list({
      sort: 'age',
      q: 'x'.repeat(201),
      stage: 'won',
      archived: 'maybe',
    }).expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'archived',
      'q',
      'sort',
      'stage',
    ]);
    await list({ cursor: 'garbage' }).expect(400);
    const forged = Buffer.from(JSON.stringify({ s: 'name', v: 1, id: 2 })).toString('base64url');
    await list({ cursor: forged, sort: 'name' }).expect(400);
    await register({ name: 'Page One' });
    await register({ name: 'Page Two' });
    const { body } = (await eventually(async () => {
      const page = await list({ limit: 1 }).expect(200);
      expect(page.body.nextCursor).not.toBeNull();
      return page;
    })) as { body: Page };
    // A cursor of one sort is no cursor of another.
    await list({ cursor: body.nextCursor as string, sort: 'name' }).expect(400);
    await list({ cursor: body.nextCursor as string }).expect(200);
    await list({ q: '' }).expect(200);
    await list({ q: '%"*:()' }).expect(200);
  });
});
