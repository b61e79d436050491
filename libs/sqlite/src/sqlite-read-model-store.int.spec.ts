import type { DocumentQuery, StoredDocument } from '@crm/events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './open-database';
import { SqliteReadModelStore } from './sqlite-read-model-store';

interface Deal {
  readonly dealId: string;
  readonly stage: string;
  readonly owner: { readonly team: string };
}

const KEY = 'deals_v1';
const INDEXES = ['stage', 'owner.team'];
const deal = (n: number, stage = 'open', position = n): StoredDocument<Deal> => ({
  id: `d-${n}`,
  doc: { dealId: `d-${n}`, stage, owner: { team: n % 2 ? 'sales' : 'key-accounts' } },
  position,
});

describe('SQLite read-model store', () => {
  let dir: string;
  let file: string;
  let store: SqliteReadModelStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crm-read-models-'));
    file = join(dir, 'read-models.db');
    store = new SqliteReadModelStore(file);
    await store.ensure({ key: KEY, indexes: INDEXES });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The secondary indexes of the read model's table, as another connection sees them. */
  function indexes(): string[] {
    const db = openDatabase(file);
    try {
      return db
        .prepare<[], { name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'rm_deals_v1' AND sql IS NOT NULL ORDER BY name",
        )
        .all()
        .map((row) => row.name);
    } finally {
      db.close();
    }
  }

  /** How SQLite would run the list query on an indexed field (held in its column). */
  function plan(field: string): string {
    const db = openDatabase(file);
    try {
      return db
        .prepare<[], { detail: string }>(
          `EXPLAIN QUERY PLAN SELECT doc FROM rm_deals_v1 WHERE doc IS NOT NULL AND "doc.${field}" = 'won' ORDER BY id LIMIT 10`,
        )
        .all()
        .map((row) => row.detail)
        .join('; ');
    } finally {
      db.close();
    }
  }

  const ids = (docs: readonly Deal[]) => docs.map((d) => d.dealId);
  const BOTH = ['rm_deals_v1_owner_team', 'rm_deals_v1_stage'];
  /** The unique index on the id, then the field indexes. */
  const ALL = ['pk_rm_deals_v1', ...BOTH];

  it('given an ensured read model, then each indexed field has an index that the list query uses', () => {
    expect(indexes()).toEqual(ALL);
    expect(plan('stage')).toContain('USING INDEX rm_deals_v1_stage');
  });

  it('given a read model, then it is empty until a document is stored, and a deleted one still counts', async () => {
    expect(await store.isEmpty(KEY)).toBe(true);

    await store.commit(KEY, [{ id: 'd-1', doc: null, position: 1 }], 1);

    expect(await store.isEmpty(KEY)).toBe(false);
  });

  it('given a rebuild into an empty read model, when it commits while catching up, then the indexes wait for the last commit, and queries answer the same meanwhile', async () => {
    await store.commit(KEY, [deal(1), deal(2, 'won')], 2, { catchingUp: true });

    expect(indexes()).toEqual([]);
    expect(ids(await store.find<Deal>(KEY, { where: { stage: 'won' }, limit: 10 }))).toEqual([
      'd-2',
    ]);
    await store.commit(KEY, [deal(3, 'won'), deal(1, 'won', 4)], 4, { catchingUp: true });
    expect(indexes()).toEqual([]);

    await store.commit(KEY, [deal(5)], 5);

    expect(indexes()).toEqual(ALL);
    expect(plan('owner.team')).toContain('USING INDEX rm_deals_v1_owner_team');
    expect(ids(await store.find<Deal>(KEY, { where: { stage: 'won' }, limit: 10 }))).toEqual([
      'd-1',
      'd-2',
      'd-3',
    ]);
    expect(
      ids(await store.find<Deal>(KEY, { where: { 'owner.team': 'sales' }, limit: 10 })),
    ).toEqual(['d-1', 'd-3', 'd-5']);
    expect(await store.checkpoint(KEY)).toBe(5);
  });

  it('given a rebuild, when a later commit while catching up changes a document an earlier one wrote, then it is loaded and replaced, not added', async () => {
    await store.commit(KEY, [deal(1), deal(2)], 2, { catchingUp: true });
    expect((await store.load<Deal>(KEY, ['d-1', 'd-3'])).get('d-1')).toEqual(deal(1));

    await store.commit(KEY, [deal(1, 'won', 3), { id: 'd-2', doc: null, position: 4 }], 4, {
      catchingUp: true,
    });
    expect([...(await store.load<Deal>(KEY, ['d-1', 'd-2', 'd-3'])).values()]).toEqual([
      deal(1, 'won', 3),
      { id: 'd-2', doc: null, position: 4 },
    ]);
    await store.commit(KEY, [deal(1, 'lost', 5), deal(3)], 5);

    expect(indexes()).toEqual(ALL);
    expect(await store.find<Deal>(KEY, { limit: 10 })).toEqual([deal(1, 'lost').doc, deal(3).doc]);
    await store.commit(KEY, [deal(3, 'won', 6)], 6);
    expect(ids(await store.find<Deal>(KEY, { where: { stage: 'won' }, limit: 10 }))).toEqual([
      'd-3',
    ]);
  });

  it('given a rebuild, when a commit fails while catching up, then its documents are new again to the next one', async () => {
    await store.commit(KEY, [deal(1)], 1, { catchingUp: true });
    const unserializable = { id: 'd-9', doc: { amount: 1n }, position: 9 };
    await expect(
      store.commit(KEY, [deal(2), unserializable], 9, { catchingUp: true }),
    ).rejects.toThrow();

    await store.commit(KEY, [deal(2, 'won', 3)], 3, { catchingUp: true });

    expect([...(await store.load<Deal>(KEY, ['d-1', 'd-2', 'd-9'])).keys()]).toEqual([
      'd-1',
      'd-2',
    ]);
    await store.commit(KEY, [], 4);
    expect(ids(await store.find<Deal>(KEY, { where: { stage: 'won' }, limit: 10 }))).toEqual([
      'd-2',
    ]);
  });

  it('given a rebuild past the rowids it keeps, then the id index is built at once and the others still wait', async () => {
    await store.close();
    store = new SqliteReadModelStore(file, { maxDeferredIds: 2 });
    await store.ensure({ key: KEY, indexes: INDEXES });

    await store.commit(KEY, [deal(1), deal(2)], 2, { catchingUp: true });
    expect(indexes()).toEqual([]);
    await store.commit(KEY, [deal(3), deal(1, 'won', 4)], 4, { catchingUp: true });
    expect(indexes()).toEqual(['pk_rm_deals_v1']);
    await store.commit(KEY, [deal(2, 'won', 5)], 5, { catchingUp: true });

    expect((await store.load<Deal>(KEY, ['d-2'])).get('d-2')).toEqual(deal(2, 'won', 5));
    await store.commit(KEY, [], 6);
    expect(indexes()).toEqual(ALL);
    expect(ids(await store.find<Deal>(KEY, { where: { stage: 'won' }, limit: 10 }))).toEqual([
      'd-1',
      'd-2',
    ]);
  });

  it('given a table made when the id was its primary key, then documents are upserted and a rebuild into it defers the other indexes', async () => {
    await store.close();
    const db = openDatabase(file);
    db.exec(`DROP TABLE rm_deals_v1;
      CREATE TABLE rm_deals_v1 (id TEXT PRIMARY KEY, position INTEGER NOT NULL, doc TEXT)`);
    db.close();
    store = new SqliteReadModelStore(file);
    await store.ensure({ key: KEY, indexes: INDEXES });
    expect(indexes()).toEqual(BOTH);

    await store.commit(KEY, [deal(1), deal(2)], 2, { catchingUp: true });
    expect(indexes()).toEqual([]);
    await store.commit(KEY, [deal(1, 'won', 3)], 3, { catchingUp: true });
    await store.commit(KEY, [deal(2, 'won', 4)], 4);

    expect(indexes()).toEqual(BOTH);
    expect(await store.find<Deal>(KEY, { limit: 10 })).toEqual([
      deal(1, 'won').doc,
      deal(2, 'won').doc,
    ]);
  });

  it('given several queries at once, then each gets what find gives it, in its order and limit', async () => {
    await store.commit(
      KEY,
      [
        deal(1),
        deal(2, 'won'),
        deal(3, 'won'),
        deal(4),
        deal(5, 'won'),
        { id: 'd-6', doc: null, position: 6 },
      ],
      6,
    );
    const queries: DocumentQuery[] = [
      { where: { stage: 'won' }, limit: 2 },
      { where: { stage: 'won' }, orderBy: { direction: 'desc' }, limit: 2 },
      { where: { 'owner.team': 'sales', stage: 'open' }, limit: 10 },
      { where: { stage: 'lost' }, limit: 10 },
      { limit: 0 },
    ];
    const each = await store.findEach<Deal>(KEY, queries);
    const one = await Promise.all(queries.map((query) => store.find<Deal>(KEY, query)));

    expect(each.map(ids)).toEqual([['d-2', 'd-3'], ['d-5', 'd-3'], ['d-1'], [], []]);
    expect(each).toEqual(one);
    const paged: DocumentQuery[] = [
      { where: { stage: 'won' }, afterId: 'd-2', limit: 5 },
      { limit: 1 },
    ];
    expect((await store.findEach<Deal>(KEY, paged)).map(ids)).toEqual([['d-3', 'd-5'], ['d-1']]);
  });

  it('given a read model that holds documents, when it commits while catching up, then its indexes stay', async () => {
    await store.commit(KEY, [deal(1)], 1);

    await store.commit(KEY, [deal(2)], 2, { catchingUp: true });

    expect(indexes()).toEqual(ALL);
  });

  it('given a rebuild that stopped before its last commit, when the read model is ensured again, then its indexes are back', async () => {
    await store.commit(KEY, [deal(1), deal(2)], 2, { catchingUp: true });
    await store.close();

    store = new SqliteReadModelStore(file);
    await store.ensure({ key: KEY, indexes: INDEXES });

    expect(indexes()).toEqual(ALL);
    expect(await store.checkpoint(KEY)).toBe(2);
    expect((await store.load<Deal>(KEY, ['d-1'])).get('d-1')).toEqual(deal(1));
  });

  it('given a commit that fails while catching up, then nothing of it is stored and the indexes are kept', async () => {
    const unserializable = { id: 'd-9', doc: { amount: 1n }, position: 9 };

    await expect(
      store.commit(KEY, [deal(1), unserializable], 9, { catchingUp: true }),
    ).rejects.toThrow();

    expect(indexes()).toEqual(ALL);
    expect(await store.checkpoint(KEY)).toBe(0);
    expect(await store.load(KEY, ['d-1'])).toEqual(new Map());
  });

  it('given a read model reset, then it is empty and a rebuild into it defers its indexes again', async () => {
    await store.commit(KEY, [deal(1)], 1);
    await store.reset(KEY);
    await store.ensure({ key: KEY, indexes: INDEXES });
    expect(await store.find(KEY, { limit: 10 })).toEqual([]);

    await store.commit(KEY, [deal(2)], 2, { catchingUp: true });
    expect(indexes()).toEqual([]);
    await store.commit(KEY, [], 3);

    expect(indexes()).toEqual(ALL);
    expect(ids(await store.find<Deal>(KEY, { limit: 10 }))).toEqual(['d-2']);
  });

  describe('search and multi-valued fields', () => {
    const PEOPLE = {
      key: 'people_v1',
      indexes: ['name'],
      search: { field: 'words' },
      multiValued: ['tags'],
    };
    interface Person {
      readonly id: string;
      readonly name: string;
      readonly tags: readonly string[];
      readonly words: readonly string[];
    }
    /** 2500 people, all tagged `all` and named `common`, every 500th also `rare`. */
    const people = Array.from({ length: 2500 }, (_, i): StoredDocument<Person> => {
      const id = `p-${String(i).padStart(4, '0')}`;
      const rare = i % 500 === 7;
      return {
        id,
        position: i + 1,
        doc: {
          id,
          name: `n${String((i * 37) % 2500).padStart(4, '0')}`,
          tags: rare ? ['all', 'rare'] : ['all'],
          words: rare ? ['common', 'rarity'] : ['common'],
        },
      };
    });
    const names = (docs: readonly Person[]) => docs.map((d) => d.id);

    beforeEach(async () => {
      await store.ensure(PEOPLE);
    });

    it('given broad and narrow matches, then both give the same pages as the documents say', async () => {
      await store.commit(PEOPLE.key, people, 2500);
      const ordered = [...people].reverse().map((p) => p.id);
      const find = (query: object) =>
        store.find<Person>(PEOPLE.key, { limit: 3, ...query }).then(names);

      expect(await find({ contains: { tags: 'all' }, orderBy: { direction: 'desc' } })).toEqual(
        ordered.slice(0, 3),
      );
      expect(await find({ search: ['comm'], orderBy: { direction: 'desc' } })).toEqual(
        ordered.slice(0, 3),
      );
      expect(await find({ search: ['comm', 'rar'], contains: { tags: 'all' } })).toEqual([
        'p-0007',
        'p-0507',
        'p-1007',
      ]);
      expect(
        await find({ contains: { tags: 'rare' }, search: ['co'], after: { id: 'p-1007' } }),
      ).toEqual(['p-1507', 'p-2007']);
      const byName = await store.find<Person>(PEOPLE.key, {
        search: ['c'],
        contains: { tags: 'all' },
        orderBy: { field: 'name', direction: 'asc' },
        after: { value: 'n1000', id: 'x' },
        limit: 2,
      });
      expect(byName.map((p) => p.name)).toEqual(['n1001', 'n1002']);
    });

    it('given a rebuild, when documents gain and lose values while catching up, then the side tables hold what the documents hold at the end', async () => {
      const bare = (person: StoredDocument<Person>, position: number): StoredDocument<Person> => ({
        ...person,
        position,
        doc: { ...(person.doc as Person), tags: [], words: [] },
      });
      const rare = (person: StoredDocument<Person>, position: number): StoredDocument<Person> => ({
        ...person,
        position,
        doc: { ...(person.doc as Person), tags: ['rare'], words: ['rarity'] },
      });
      const [p0, p1, p2] = people as [StoredDocument<Person>, ...StoredDocument<Person>[]];
      await store.commit(PEOPLE.key, [bare(p0, 1), p1 as StoredDocument<Person>], 2, {
        catchingUp: true,
      });
      await store.commit(
        PEOPLE.key,
        [rare(p0, 3), bare(p1 as StoredDocument<Person>, 4), bare(p2 as StoredDocument<Person>, 5)],
        5,
        { catchingUp: true },
      );

      await store.commit(PEOPLE.key, [], 6);

      const find = (query: object) =>
        store.find<Person>(PEOPLE.key, { limit: 5, ...query }).then(names);
      expect(await find({ contains: { tags: 'rare' } })).toEqual(['p-0000']);
      expect(await find({ contains: { tags: 'all' } })).toEqual([]);
      expect(await find({ search: ['rar'] })).toEqual(['p-0000']);
      expect(await find({ search: ['comm'] })).toEqual([]);
    });

    it('given a rebuild that stopped before its last commit, when ensured again, then the side tables are rebuilt from the documents', async () => {
      await store.commit(PEOPLE.key, people.slice(0, 10), 10, { catchingUp: true });
      await store.close();

      store = new SqliteReadModelStore(file);
      await store.ensure(PEOPLE);

      expect(
        names(
          await store.find<Person>(PEOPLE.key, {
            search: ['rar'],
            contains: { tags: 'rare' },
            limit: 5,
          }),
        ),
      ).toEqual(['p-0007']);
    });

    it('given another connection rebuilding the read model, then queries here answer the same before, during and after', async () => {
      const writer = new SqliteReadModelStore(file);
      await writer.ensure(PEOPLE);
      const rare = () =>
        store
          .find<Person>(PEOPLE.key, { search: ['rar'], contains: { tags: 'rare' }, limit: 5 })
          .then(names);
      try {
        await writer.commit(PEOPLE.key, people.slice(0, 10), 10);
        expect(await rare()).toEqual(['p-0007']);

        await writer.reset(PEOPLE.key);
        await writer.commit(PEOPLE.key, people.slice(0, 600), 600, { catchingUp: true });
        expect(await rare()).toEqual(['p-0007', 'p-0507']);

        await writer.commit(PEOPLE.key, people.slice(600, 1100), 1100);
        expect(await rare()).toEqual(['p-0007', 'p-0507', 'p-1007']);
      } finally {
        await writer.close();
      }
    });
  });
});
