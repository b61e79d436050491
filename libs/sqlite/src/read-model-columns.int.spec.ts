import type { StoredDocument } from '@crm/events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from './open-database';
import { columnValue } from './read-model-schema';
import { SqliteReadModelStore } from './sqlite-read-model-store';

interface Deal {
  readonly dealId: string;
  readonly stage: string | null;
  readonly owner: { readonly team: string };
}

const KEY = 'deals_v1';
const deal = (n: number, stage: string | null = 'open', position = n): StoredDocument<Deal> => ({
  id: `d-${n}`,
  doc: { dealId: `d-${n}`, stage, owner: { team: n % 2 ? 'sales' : 'key-accounts' } },
  position,
});
const ids = (docs: readonly Deal[]) => docs.map((d) => d.dealId);

describe('SQLite read-model store: indexed fields in columns of their own', () => {
  let dir: string;
  let file: string;
  let store: SqliteReadModelStore | null;
  /** Another connection, as an operator's or the other thread's. */
  let raw: SqliteDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crm-read-model-columns-'));
    file = join(dir, 'read-models.db');
    raw = openDatabase(file);
    store = null;
  });
  afterEach(async () => {
    await store?.close();
    raw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const columns = () =>
    raw
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('rm_deals_v1')")
      .all()
      .map((column) => column.name);
  const indexSql = (name: string) =>
    raw.prepare<[string], { sql: string }>('SELECT sql FROM sqlite_master WHERE name = ?').get(name)
      ?.sql;
  const stageColumn = () =>
    raw
      .prepare<[], { id: string; stage: unknown }>(
        'SELECT id, "doc.stage" AS stage FROM rm_deals_v1 ORDER BY id',
      )
      .all();

  async function ensured(indexes: string[]): Promise<SqliteReadModelStore> {
    await store?.close();
    store = new SqliteReadModelStore(file);
    await store.ensure({ key: KEY, indexes });
    return store;
  }

  it('given a table whose indexes were over the JSON, when it is ensured, then each indexed field gets a column filled from the documents and the index moves to it', async () => {
    raw.exec(`CREATE TABLE rm_deals_v1 (id TEXT NOT NULL, position INTEGER NOT NULL, doc TEXT);
      CREATE UNIQUE INDEX pk_rm_deals_v1 ON rm_deals_v1 (id);
      CREATE INDEX rm_deals_v1_stage ON rm_deals_v1 (json_extract(doc, '$.stage'), id);`);
    const insert = raw.prepare('INSERT INTO rm_deals_v1 (id, position, doc) VALUES (?, ?, ?)');
    for (const d of [deal(1), deal(2, 'won'), deal(3, 'won')]) {
      insert.run(d.id, d.position, JSON.stringify(d.doc));
    }
    insert.run('d-4', 4, null);

    const s = await ensured(['stage', 'owner.team']);

    expect(columns()).toEqual(['id', 'position', 'doc', 'doc.stage', 'doc.owner.team']);
    expect(stageColumn()).toEqual([
      { id: 'd-1', stage: 'open' },
      { id: 'd-2', stage: 'won' },
      { id: 'd-3', stage: 'won' },
      { id: 'd-4', stage: null },
    ]);
    expect(indexSql('rm_deals_v1_stage')).toContain('"doc.stage"');
    expect(indexSql('rm_deals_v1_stage')).not.toContain('json_extract');
    expect(ids(await s.find<Deal>(KEY, { where: { stage: 'won' }, limit: 10 }))).toEqual([
      'd-2',
      'd-3',
    ]);
    expect(ids(await s.find<Deal>(KEY, { where: { 'owner.team': 'sales' }, limit: 10 }))).toEqual([
      'd-1',
      'd-3',
    ]);
  });

  it('given an indexed field, when a document changes it, loses it or is deleted, then its column follows', async () => {
    const s = await ensured(['stage']);
    await s.commit(KEY, [deal(1, 'won'), deal(2, 'won'), deal(3, 'won')], 3);

    await s.commit(
      KEY,
      [deal(1, 'lost', 4), deal(2, null, 5), { id: 'd-3', doc: null, position: 6 }],
      6,
    );

    expect(stageColumn()).toEqual([
      { id: 'd-1', stage: 'lost' },
      { id: 'd-2', stage: null },
      { id: 'd-3', stage: null },
    ]);
    expect(ids(await s.find<Deal>(KEY, { where: { stage: 'won' }, limit: 10 }))).toEqual([]);
    expect(ids(await s.find<Deal>(KEY, { where: { stage: null }, limit: 10 }))).toEqual(['d-2']);
  });

  it('given a rebuild, then the documents it writes and rewrites have their columns, and the index is built over them', async () => {
    const s = await ensured(['stage']);
    await s.commit(KEY, [deal(1), deal(2)], 2, { catchingUp: true });
    await s.commit(KEY, [deal(1, 'won', 3), deal(3, 'won')], 3, { catchingUp: true });

    await s.commit(KEY, [], 3);

    expect(stageColumn()).toEqual([
      { id: 'd-1', stage: 'won' },
      { id: 'd-2', stage: 'open' },
      { id: 'd-3', stage: 'won' },
    ]);
    expect(ids(await s.find<Deal>(KEY, { where: { stage: 'won' }, limit: 10 }))).toEqual([
      'd-1',
      'd-3',
    ]);
  });

  it('given a field indexed no more, when the read model is ensured, then its column and index go and filters on it read the JSON', async () => {
    const before = await ensured(['stage', 'owner.team']);
    await before.commit(KEY, [deal(1, 'won'), deal(2)], 2);

    const s = await ensured(['owner.team']);

    expect(columns()).toEqual(['id', 'position', 'doc', 'doc.owner.team']);
    expect(indexSql('rm_deals_v1_stage')).toBeUndefined();
    expect(ids(await s.find<Deal>(KEY, { where: { stage: 'won' }, limit: 10 }))).toEqual(['d-1']);
  });

  it('given a field indexed again after it was not, when ensured, then its column is filled afresh', async () => {
    const first = await ensured(['stage']);
    await first.commit(KEY, [deal(1, 'won')], 1);
    const unindexed = await ensured([]);
    await unindexed.commit(KEY, [deal(1, 'lost', 2)], 2);

    const s = await ensured(['stage']);

    expect(stageColumn()).toEqual([{ id: 'd-1', stage: 'lost' }]);
    expect(ids(await s.find<Deal>(KEY, { where: { stage: 'lost' }, limit: 10 }))).toEqual(['d-1']);
  });

  it.each([
    ['a string', { f: 'won' }, 'f'],
    ['an integer', { f: 42 }, 'f'],
    ['a fraction', { f: 0.25 }, 'f'],
    ['true', { f: true }, 'f'],
    ['false', { f: false }, 'f'],
    ['null', { f: null }, 'f'],
    ['a missing field', {}, 'f'],
    ['an object', { f: { b: [1, 'x'], a: null } }, 'f'],
    ['an array', { f: ['x', 2, true] }, 'f'],
    ['a nested field', { f: { g: 'deep' } }, 'f.g'],
    ['a path through a scalar', { f: 'flat' }, 'f.g'],
  ])('given %s, then the column holds what json_extract gives', (_, doc, field) => {
    const extracted = raw
      .prepare<[string], { value: unknown }>(`SELECT json_extract(?, '$.${field}') AS value`)
      .get(JSON.stringify(doc))?.value;

    expect(columnValue(doc, field)).toEqual(extracted);
  });
});
