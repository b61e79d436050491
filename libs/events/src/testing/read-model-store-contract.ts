import type {
  DocumentQuery,
  ReadModelStore,
  StoredDocument,
} from '../projection/read-model-store.port';

/*
 * The behaviour every ReadModelStore adapter must show, run against its real engine.
 */

export interface ReadModelStoreHarness {
  /** A store on fresh, empty storage. */
  create(): Promise<ReadModelStore>;
  /** Drops what `create` made, after each test (the store is closed by then). */
  cleanUp?(): Promise<void>;
}

interface Contact {
  readonly contactId: string;
  readonly name: string;
  readonly owner: string;
  readonly vip: boolean;
  readonly score: number;
  readonly address: { readonly city: string };
}

const KEY = 'contacts_v1';

function contact(contactId: string, overrides: Partial<Contact> = {}): Contact {
  return {
    contactId,
    name: `Contact ${contactId}`,
    owner: 'employee-1',
    vip: false,
    score: 1,
    address: { city: 'Oslo' },
    ...overrides,
  };
}

const stored = (doc: Contact, position: number): StoredDocument<Contact> => ({
  id: doc.contactId,
  doc,
  position,
});

interface Person {
  readonly id: string;
  readonly name: string | null;
  readonly score: number;
  readonly city?: string | null;
  readonly tags: readonly string[];
  readonly words: readonly string[];
}

const PEOPLE = {
  key: 'people_v1',
  indexes: ['name', 'score', 'city'],
  search: { field: 'words' },
  multiValued: ['tags'],
} as const;

const person = (
  id: string,
  position: number,
  overrides: Partial<Person> = {},
): StoredDocument<Person> => ({
  id,
  position,
  doc: { id, name: null, score: 1, city: 'Oslo', tags: [], words: [], ...overrides },
});

/** By name: p-2 and p-4 have none (nulls first); p-1 and p-5 tie on "b" (then by id). */
const PEOPLE_DOCS = [
  person('p-1', 1, {
    name: 'b',
    score: 0,
    tags: ['vip', 'press'],
    city: 'Bergen',
    words: ['ada', 'lovelace', '442079460958'],
  }),
  person('p-2', 2, { score: 2, city: null, words: ['grace', 'hopper'] }),
  person('p-3', 3, { name: 'c', score: 3, tags: ['vip'], words: ['alan', 'turing'] }),
  // No city at all: a missing field counts as null.
  {
    id: 'p-4',
    position: 4,
    doc: { id: 'p-4', name: null, score: 2, tags: ['press'], words: ['adele', 'goldberg'] },
  },
  person('p-5', 5, { name: 'b', score: 1, tags: ['vip'], words: ['grace', 'murray'] }),
];

const names = (docs: readonly Person[]) => docs.map((d) => d.id);

export function readModelStoreContract(name: string, harness: ReadModelStoreHarness): void {
  describe(`${name} read-model store contract`, () => {
    let store: ReadModelStore;

    beforeEach(async () => {
      store = await harness.create();
      await store.ensure({ key: KEY, indexes: ['owner', 'address.city'] });
    });
    afterEach(async () => {
      await store.close();
      await harness.cleanUp?.();
    });

    const ids = (docs: readonly Contact[]) => docs.map((d) => d.contactId);

    it('given a new read model, then its checkpoint is 0 and it holds no documents', async () => {
      expect(await store.checkpoint(KEY)).toBe(0);
      expect(await store.load(KEY, ['c-1'])).toEqual(new Map());
      expect(await store.load(KEY, [])).toEqual(new Map());
      expect(await store.find(KEY, { limit: 10 })).toEqual([]);
    });

    it('given documents committed, then load returns them with their positions and the checkpoint moved', async () => {
      const one = stored(contact('c-1'), 3);
      const two = stored(contact('c-2', { vip: true }), 5);

      await store.commit(KEY, [one, two], 7);

      expect(await store.load(KEY, ['c-1', 'c-2', 'c-9'])).toEqual(
        new Map([
          ['c-1', one],
          ['c-2', two],
        ]),
      );
      expect(await store.checkpoint(KEY)).toBe(7);
    });

    it('given a read model ensured again, then its documents and checkpoint stay', async () => {
      await store.commit(KEY, [stored(contact('c-1'), 1)], 1);

      await store.ensure({ key: KEY, indexes: ['owner', 'address.city', 'vip'] });

      expect(ids(await store.find<Contact>(KEY, { limit: 10 }))).toEqual(['c-1']);
      expect(await store.checkpoint(KEY)).toBe(1);
    });

    it('given a later change of a document, then it replaces the document', async () => {
      await store.commit(KEY, [stored(contact('c-1'), 1)], 1);

      await store.commit(KEY, [stored(contact('c-1', { name: 'Renamed' }), 4)], 4);

      expect((await store.load<Contact>(KEY, ['c-1'])).get('c-1')).toEqual(
        stored(contact('c-1', { name: 'Renamed' }), 4),
      );
    });

    it('given the same batch committed twice, then documents and checkpoint are as after the first', async () => {
      const batch = [stored(contact('c-1'), 2), stored(contact('c-2'), 3)];
      await store.commit(KEY, batch, 3);
      const first = await store.load(KEY, ['c-1', 'c-2']);

      await store.commit(KEY, batch, 3);

      expect(await store.load(KEY, ['c-1', 'c-2'])).toEqual(first);
      expect(await store.checkpoint(KEY)).toBe(3);
    });

    it('given a document deleted by its projection, then find skips it and load keeps its position', async () => {
      await store.commit(KEY, [stored(contact('c-1'), 1), stored(contact('c-2'), 2)], 2);

      await store.commit(KEY, [{ id: 'c-1', doc: null, position: 5 }], 5);

      expect(ids(await store.find<Contact>(KEY, { limit: 10 }))).toEqual(['c-2']);
      expect((await store.load(KEY, ['c-1'])).get('c-1')).toEqual({
        id: 'c-1',
        doc: null,
        position: 5,
      });
    });

    it('given documents, then find filters by equality on (nested) fields and returns them in id order', async () => {
      await store.commit(
        KEY,
        [
          stored(contact('c-3', { owner: 'employee-2' }), 1),
          stored(contact('c-1', { vip: true, score: 7 }), 2),
          stored(contact('c-2', { address: { city: 'Bergen' }, vip: true }), 3),
          stored(contact('c-4', { score: 7 }), 4),
        ],
        4,
      );

      const where = (filter: Record<string, string | number | boolean>) =>
        store.find<Contact>(KEY, { where: filter, limit: 10 }).then(ids);
      expect(await where({})).toEqual(['c-1', 'c-2', 'c-3', 'c-4']);
      expect(await where({ owner: 'employee-1' })).toEqual(['c-1', 'c-2', 'c-4']);
      expect(await where({ 'address.city': 'Bergen' })).toEqual(['c-2']);
      expect(await where({ vip: true, owner: 'employee-1' })).toEqual(['c-1', 'c-2']);
      expect(await where({ vip: false })).toEqual(['c-3', 'c-4']);
      expect(await where({ score: 7, 'address.city': 'Oslo' })).toEqual(['c-1', 'c-4']);
      expect(await where({ owner: 'nobody' })).toEqual([]);
      expect(await store.find(KEY, { where: { owner: 'employee-1' }, limit: 10 })).toEqual([
        contact('c-1', { vip: true, score: 7 }),
        contact('c-2', { address: { city: 'Bergen' }, vip: true }),
        contact('c-4', { score: 7 }),
      ]);
    });

    it('given several queries at once, then each gets what find gives it', async () => {
      await store.commit(
        KEY,
        [
          stored(contact('c-3', { owner: 'employee-2' }), 1),
          stored(contact('c-1', { vip: true, score: 7 }), 2),
          stored(contact('c-2', { vip: true }), 3),
          stored(contact('c-4', { score: 7 }), 4),
          { id: 'c-5', doc: null, position: 5 },
        ],
        5,
      );
      const queries: DocumentQuery[] = [
        { where: { owner: 'employee-1' }, limit: 2 },
        { where: { vip: true }, orderBy: { direction: 'desc' }, limit: 10 },
        { where: { owner: 'nobody' }, limit: 10 },
        { afterId: 'c-2', limit: 10 },
        { limit: 0 },
      ];

      const each = await store.findEach<Contact>(KEY, queries);

      expect(each.map(ids)).toEqual([['c-1', 'c-2'], ['c-2', 'c-1'], [], ['c-3', 'c-4'], []]);
      expect(each).toEqual(await Promise.all(queries.map((q) => store.find<Contact>(KEY, q))));
    });

    it('given more documents than the limit, then pages after the last id return each live document once', async () => {
      const all = ['c-01', 'c-02', 'c-03', 'c-04', 'c-05', 'c-06', 'c-07'];
      await store.commit(
        KEY,
        all.map((id, i) => stored(contact(id), i + 1)),
        7,
      );
      await store.commit(KEY, [{ id: 'c-03', doc: null, position: 8 }], 8);

      const pages: string[][] = [];
      let afterId: string | undefined;
      for (;;) {
        const page = ids(await store.find<Contact>(KEY, { limit: 2, afterId }));
        if (page.length === 0) break;
        pages.push(page);
        afterId = page[page.length - 1];
      }

      expect(pages).toEqual([
        ['c-01', 'c-02'],
        ['c-04', 'c-05'],
        ['c-06', 'c-07'],
      ]);
      expect(await store.find(KEY, { limit: 0 })).toEqual([]);
      expect(ids(await store.find<Contact>(KEY, { afterId: 'c-06', limit: 5 }))).toEqual(['c-07']);
    });

    it('given two read models, then each keeps its own documents and checkpoint', async () => {
      await store.ensure({ key: 'contacts_v2', indexes: [] });
      await store.commit(KEY, [stored(contact('c-1'), 1)], 1);
      await store.commit('contacts_v2', [stored(contact('c-2'), 2)], 2);

      expect(ids(await store.find<Contact>(KEY, { limit: 10 }))).toEqual(['c-1']);
      expect(ids(await store.find<Contact>('contacts_v2', { limit: 10 }))).toEqual(['c-2']);
      expect([await store.checkpoint(KEY), await store.checkpoint('contacts_v2')]).toEqual([1, 2]);
    });

    it('given a read model reset, then its documents and checkpoint are gone and another read model is untouched', async () => {
      await store.ensure({ key: 'contacts_v2', indexes: [] });
      await store.commit(KEY, [stored(contact('c-1'), 1)], 1);
      await store.commit('contacts_v2', [stored(contact('c-2'), 2)], 2);

      await store.reset(KEY);
      await store.ensure({ key: KEY, indexes: ['owner'] });

      expect(await store.checkpoint(KEY)).toBe(0);
      expect(await store.load(KEY, ['c-1'])).toEqual(new Map());
      expect(await store.find(KEY, { limit: 10 })).toEqual([]);
      expect(ids(await store.find<Contact>('contacts_v2', { limit: 10 }))).toEqual(['c-2']);
      await store.commit(KEY, [stored(contact('c-1'), 1)], 1);
      expect(ids(await store.find<Contact>(KEY, { limit: 10 }))).toEqual(['c-1']);
    });

    describe('search, multi-valued fields and order', () => {
      beforeEach(() => store.ensure(PEOPLE));

      const find = (query: Omit<DocumentQuery, 'limit'>, limit = 50) =>
        store.find<Person>(PEOPLE.key, { ...query, limit }).then(names);

      /** Every page of a query, following `after` from each page's last document. */
      async function pages(query: Omit<DocumentQuery, 'limit'>, limit: number) {
        const field = query.orderBy?.field as keyof Person | undefined;
        const all: string[][] = [];
        let after: DocumentQuery['after'];
        for (;;) {
          const page = await store.find<Person>(PEOPLE.key, {
            ...query,
            ...(after && { after }),
            limit,
          });
          if (page.length === 0) return all;
          all.push(names(page));
          const last = page[page.length - 1] as Person;
          after = { value: field ? (last[field] as string | number | null) : null, id: last.id };
        }
      }

      it('given words, then a search matches documents holding a word that starts with each query word', async () => {
        await store.commit(PEOPLE.key, PEOPLE_DOCS, 10);

        expect(await find({ search: ['ad'] })).toEqual(['p-1', 'p-4']);
        expect(await find({ search: ['ada', 'love'] })).toEqual(['p-1']);
        expect(await find({ search: ['lovelace', 'ad'] })).toEqual(['p-1']);
        expect(await find({ search: ['4420'] })).toEqual(['p-1']);
        expect(await find({ search: ['velace'] })).toEqual([]);
        expect(await find({ search: ['ada', 'hopper'] })).toEqual([]);
        expect(await find({ search: ['zz'] })).toEqual([]);
        expect(await find({ search: [] })).toEqual(['p-1', 'p-2', 'p-3', 'p-4', 'p-5']);
      });

      it('given a document changed or deleted, then the search follows its new words only', async () => {
        await store.commit(PEOPLE.key, PEOPLE_DOCS, 10);

        await store.commit(
          PEOPLE.key,
          [
            person('p-1', 11, { words: ['augusta', 'king'] }),
            { id: 'p-4', doc: null, position: 12 },
          ],
          12,
        );

        expect(await find({ search: ['ada'] })).toEqual([]);
        expect(await find({ search: ['aug', 'ki'] })).toEqual(['p-1']);
        expect(await find({ search: ['goldberg'] })).toEqual([]);
        expect(await find({ search: ['grace'] })).toEqual(['p-2', 'p-5']);
      });

      it('given a very long word, then every prefix of it matches and nothing longer does', async () => {
        const long = 'supercalifragilisticexpialidocious';
        await store.commit(PEOPLE.key, [person('p-9', 1, { words: [long] })], 1);

        expect(await find({ search: [long.slice(0, 20)] })).toEqual(['p-9']);
        expect(await find({ search: [long] })).toEqual(['p-9']);
        expect(await find({ search: [`${long}x`] })).toEqual([]);
        expect(await find({ search: [`${long.slice(0, 20)}x`] })).toEqual([]);
      });

      it('given multi-valued fields, then contains matches an element, with where and search alike', async () => {
        await store.commit(PEOPLE.key, PEOPLE_DOCS, 10);

        expect(await find({ contains: { tags: 'vip' } })).toEqual(['p-1', 'p-3', 'p-5']);
        expect(await find({ contains: { tags: 'vi' } })).toEqual([]);
        expect(await find({ contains: { tags: 'vip' }, where: { city: 'Oslo' } })).toEqual([
          'p-3',
          'p-5',
        ]);
        expect(await find({ contains: { tags: 'vip' }, search: ['ada'] })).toEqual(['p-1']);
        await store.commit(PEOPLE.key, [person('p-1', 11, { tags: ['press'] })], 11);
        expect(await find({ contains: { tags: 'vip' } })).toEqual(['p-3', 'p-5']);
        expect(await find({ contains: { tags: 'press' } })).toEqual(['p-1', 'p-4']);
      });

      it('given a null in where, then it matches null and missing fields', async () => {
        await store.commit(PEOPLE.key, PEOPLE_DOCS, 10);

        expect(await find({ where: { city: null } })).toEqual(['p-2', 'p-4']);
        expect(await find({ where: { city: null }, contains: { tags: 'press' } })).toEqual(['p-4']);
      });

      it('given an order by a field, then pages follow it with nulls first and ties by id, in both directions', async () => {
        await store.commit(PEOPLE.key, PEOPLE_DOCS, 10);
        const asc = ['p-2', 'p-4', 'p-1', 'p-5', 'p-3'];

        expect(await pages({ orderBy: { field: 'name', direction: 'asc' } }, 2)).toEqual([
          ['p-2', 'p-4'],
          ['p-1', 'p-5'],
          ['p-3'],
        ]);
        expect((await pages({ orderBy: { field: 'name', direction: 'desc' } }, 2)).flat()).toEqual(
          [...asc].reverse(),
        );
        expect((await pages({ orderBy: { field: 'name', direction: 'asc' } }, 1)).flat()).toEqual(
          asc,
        );
        expect((await pages({ orderBy: { field: 'score', direction: 'desc' } }, 2)).flat()).toEqual(
          ['p-3', 'p-4', 'p-2', 'p-5', 'p-1'],
        );
        expect(
          (
            await pages(
              { orderBy: { field: 'name', direction: 'asc' }, contains: { tags: 'vip' } },
              1,
            )
          ).flat(),
        ).toEqual(['p-1', 'p-5', 'p-3']);
      });

      it('given an order by id, then both directions page through every document once', async () => {
        await store.commit(PEOPLE.key, PEOPLE_DOCS, 10);

        expect((await pages({ orderBy: { direction: 'asc' } }, 2)).flat()).toEqual([
          'p-1',
          'p-2',
          'p-3',
          'p-4',
          'p-5',
        ]);
        expect((await pages({ orderBy: { direction: 'desc' } }, 2)).flat()).toEqual([
          'p-5',
          'p-4',
          'p-3',
          'p-2',
          'p-1',
        ]);
        expect(await find({ orderBy: { direction: 'desc' }, search: ['ad'] }, 1)).toEqual(['p-4']);
      });

      it('given a rebuild committed while catching up, then search and contains answer the same during and after it', async () => {
        await store.commit(PEOPLE.key, PEOPLE_DOCS.slice(0, 3), 3, { catchingUp: true });

        expect(await find({ search: ['ad'] })).toEqual(['p-1']);
        expect(await find({ contains: { tags: 'vip' } })).toEqual(['p-1', 'p-3']);
        await store.commit(PEOPLE.key, PEOPLE_DOCS.slice(3), 5, { catchingUp: true });
        await store.commit(PEOPLE.key, [person('p-3', 11, { tags: [] })], 11);

        expect(await find({ search: ['ad'] })).toEqual(['p-1', 'p-4']);
        expect(await find({ contains: { tags: 'vip' } })).toEqual(['p-1', 'p-5']);
        await store.commit(PEOPLE.key, [person('p-2', 12, { words: ['adele'] })], 12);
        expect(await find({ search: ['ad'] })).toEqual(['p-1', 'p-2', 'p-4']);
      });

      it('given a read model reset, then nothing of its old documents is found by search or contains', async () => {
        await store.commit(PEOPLE.key, PEOPLE_DOCS, 10);

        await store.reset(PEOPLE.key);
        await store.ensure(PEOPLE);
        await store.commit(PEOPLE.key, [person('p-7', 1, { words: ['zoe'], tags: [] })], 1);

        expect(await find({ search: ['ad'] })).toEqual([]);
        expect(await find({ contains: { tags: 'vip' } })).toEqual([]);
        expect(await find({ search: ['zo'] })).toEqual(['p-7']);
      });
    });
  });
}
