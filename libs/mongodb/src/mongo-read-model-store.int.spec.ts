import type { StoredDocument } from '@crm/events';
import { readModelStoreContract } from '@crm/events/testing';
import type { Connection } from 'mongoose';
import { MongoReadModelStore } from './mongo-read-model-store';
import { describeWithMongo, TestDatabases } from './testing/mongo-test-database';

interface Deal {
  readonly dealId: string;
  readonly stage: string;
}

const KEY = 'deals_v1';
const deal = (dealId: string, stage: string, position: number): StoredDocument<Deal> => ({
  id: dealId,
  doc: { dealId, stage },
  position,
});

describeWithMongo('MongoReadModelStore', (url) => {
  const databases = new TestDatabases(url);

  readModelStoreContract('MongoDB', {
    create: () => MongoReadModelStore.connect(url, { dbName: databases.fresh() }),
    cleanUp: () => databases.dropAll(),
  });

  describe('without transactions, guarded by position', () => {
    let connection: Connection;
    let store: MongoReadModelStore;

    beforeEach(async () => {
      connection = await databases.connect();
      store = new MongoReadModelStore(connection);
      await store.ensure({ key: KEY, indexes: ['stage'] });
    });
    afterEach(async () => {
      await store.close();
      await connection.close();
      await databases.dropAll();
    });

    /** [id, stage, position] of each stored document, in the order asked. */
    const stages = async (...ids: string[]) => {
      const stored = await store.load<Deal>(KEY, ids);
      return ids.flatMap((id) => {
        const found = stored.get(id);
        return found ? [[id, found.doc?.stage, found.position]] : [];
      });
    };

    it('given a document at a later position, when an older change of it is committed, then the document stays as it is', async () => {
      await store.commit(KEY, [deal('d-1', 'won', 9)], 9);

      await store.commit(KEY, [deal('d-1', 'open', 4)], 4);

      expect(await stages('d-1')).toEqual([['d-1', 'won', 9]]);
    });

    it('given a batch mixing older and newer changes, then every newer change lands around the older ones', async () => {
      await store.commit(KEY, [deal('d-2', 'won', 9), deal('d-4', 'open', 1)], 9);

      // FerretDB v1 stops a bulk write at its first error; d-3 and d-4 come after that error.
      await store.commit(
        KEY,
        [deal('d-1', 'open', 10), deal('d-2', 'open', 5), deal('d-3', 'open', 11)],
        11,
      );
      await store.commit(KEY, [deal('d-2', 'lost', 3), deal('d-4', 'won', 12)], 12);

      expect(await stages('d-1', 'd-2', 'd-3', 'd-4')).toEqual([
        ['d-1', 'open', 10],
        ['d-2', 'won', 9],
        ['d-3', 'open', 11],
        ['d-4', 'won', 12],
      ]);
    });

    it('given a checkpoint, when a commit brings an older one, then the checkpoint does not move back', async () => {
      await store.commit(KEY, [], 10);

      await store.commit(KEY, [deal('d-1', 'open', 4)], 4);

      expect(await store.checkpoint(KEY)).toBe(10);
      expect(await stages('d-1')).toEqual([['d-1', 'open', 4]]);
    });

    it('given documents committed, then they are stored as { _id, position, doc } in rm_<key>, with the checkpoint in checkpoints and indexes on doc fields', async () => {
      await store.commit(KEY, [deal('d-1', 'open', 3), { id: 'd-2', doc: null, position: 4 }], 4);

      const rows = await connection.collection('rm_deals_v1').find().sort({ _id: 1 }).toArray();
      expect(rows).toEqual([
        { _id: 'd-1', position: 3, doc: { dealId: 'd-1', stage: 'open' } },
        { _id: 'd-2', position: 4, doc: null },
      ]);
      expect(await connection.collection('checkpoints').find().toArray()).toEqual([
        { _id: KEY, position: 4 },
      ]);
      const indexes = await connection.collection('rm_deals_v1').indexes();
      expect(indexes.map((index) => index.key)).toContainEqual({ 'doc.stage': 1, _id: 1 });
    });

    it('given a read model, then it is empty until a document is stored, and a deleted one still counts', async () => {
      expect(await store.isEmpty(KEY)).toBe(true);

      await store.commit(KEY, [{ id: 'd-1', doc: null, position: 1 }], 1);

      expect(await store.isEmpty(KEY)).toBe(false);
    });

    it('given documents with undefined members, then those members are left out as in JSON', async () => {
      await store.commit(
        KEY,
        [{ id: 'd-1', doc: { dealId: 'd-1', note: undefined }, position: 1 }],
        1,
      );

      expect((await store.load(KEY, ['d-1'])).get('d-1')?.doc).toEqual({ dealId: 'd-1' });
      expect(await store.find(KEY, { limit: 1 })).toEqual([{ dealId: 'd-1' }]);
    });

    it('given a key or field that is not a plain name, then it is refused before reaching the server', async () => {
      await expect(store.ensure({ key: 'Deals-v1', indexes: [] })).rejects.toThrow(
        'invalid read-model key Deals-v1',
      );
      await expect(store.find(KEY, { where: { $where: 'true' }, limit: 1 })).rejects.toThrow(
        'invalid document field $where',
      );
      await expect(store.ensure({ key: KEY, indexes: ['stage..x'] })).rejects.toThrow(
        'invalid document field stage..x',
      );
    });
  });
});
