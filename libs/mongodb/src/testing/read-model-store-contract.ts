import type { ReadModelStore, StoredDocument } from '@crm/events';

/*
 * The behaviour every ReadModelStore adapter must show, run against its real engine.
 * (Lives here until it moves next to the port, in libs/events/src/testing.)
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
  });
}
