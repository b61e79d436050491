import type {
  DocumentQuery,
  OrderCursor,
  ReadModelDefinition,
  ReadModelStore,
  StoredDocument,
} from '@crm/events';
import mongoose, { type Connection, mongo } from 'mongoose';

const KEY_PATTERN = /^[a-z][a-z0-9_]*$/;
const FIELD_PATTERN = /^[a-zA-Z][a-zA-Z0-9_.]*$/;
const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
/**
 * Write rounds of one commit before giving up. A second round follows only a duplicate-key
 * error, i.e. another writer of the same read model (or a redelivered batch) got there first.
 */
const MAX_COMMIT_ROUNDS = 5;

/**
 * Longest word prefix stored for search. A longer query word is matched by its first
 * PREFIX_CAP characters through the index, then by a regular expression on the words.
 */
const PREFIX_CAP = 16;

/**
 * One read-model document: the projection's document under the position guard, and with a
 * search field, every prefix of its words (multikey-indexed; a query word must be one).
 */
interface Row {
  _id: string;
  position: number;
  doc: unknown;
  prefixes?: string[];
}

/** Characters, not UTF-16 units: a prefix never splits a surrogate pair. */
const capped = (word: string): string => Array.from(word).slice(0, PREFIX_CAP).join('');

function prefixesOf(doc: unknown, field: string): string[] {
  const words = field
    .split('.')
    .reduce<unknown>(
      (v, part) =>
        v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined,
      doc,
    );
  const prefixes = new Set<string>();
  if (!Array.isArray(words)) return [];
  for (const word of words) {
    if (typeof word !== 'string') continue;
    const chars = Array.from(word);
    for (let n = 1; n <= Math.min(chars.length, PREFIX_CAP); n++) {
      prefixes.add(chars.slice(0, n).join(''));
    }
    if (chars.length > PREFIX_CAP) prefixes.add(word);
  }
  return [...prefixes];
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Segment = 'nulls' | 'values';

interface CheckpointRow {
  _id: string;
  position: number;
}

function collectionName(key: string): string {
  if (!KEY_PATTERN.test(key)) throw new Error(`invalid read-model key ${key}`);
  return `rm_${key}`;
}

function docPath(field: string): string {
  // The pattern also keeps `$` operators and empty path segments out of the queries.
  if (!FIELD_PATTERN.test(field) || field.split('.').includes('')) {
    throw new Error(`invalid document field ${field}`);
  }
  return `doc.${field}`;
}

/** Writes a change only over an older version of its document (or where there is none). */
function upsertIfNewer(
  change: StoredDocument<unknown>,
  searchField: string | undefined,
): mongo.AnyBulkWriteOperation<Row> {
  const prefixes =
    searchField === undefined ? {} : { prefixes: prefixesOf(change.doc, searchField) };
  return {
    updateOne: {
      filter: { _id: change.id, position: { $lt: change.position } },
      update: { $set: { position: change.position, doc: change.doc, ...prefixes } },
      upsert: true,
    },
  };
}

const segmentOf = (cursor: OrderCursor): Segment =>
  cursor.value === null || cursor.value === undefined ? 'nulls' : 'values';

function isServerError(error: unknown, code: number): boolean {
  return error instanceof mongo.MongoServerError && error.code === code;
}

export interface MongoReadModelStoreOptions {
  /** Database to use instead of the one named in the URL. */
  readonly dbName?: string;
  readonly serverSelectionTimeoutMS?: number;
}

/**
 * The production read-model store, through mongoose's connection: a collection per read
 * model (`rm_<key>`) of `{ _id, position, doc }` and a `checkpoints` collection.
 *
 * No transactions: MongoDB needs a replica set for them and FerretDB v1 has none, so a
 * commit is two writes, documents first, then the checkpoint. That is safe because every
 * write is guarded by position: a document is only replaced by a change from a later event
 * (`position < event position` in the upsert's filter) and the checkpoint only moves forward
 * (`$max`). A crash between the two writes leaves documents ahead of the checkpoint; the
 * runner then redelivers those events, finds the documents at or past their positions and
 * skips them (`applyEvent`), and even a change that still reaches `commit` matches no filter.
 * The checkpoint never runs ahead of the documents, since it is written only after them.
 * What readers can see is a batch half applied: each document is right for some position,
 * not all documents for the same one, which eventually consistent reads accept anyway.
 */
export class MongoReadModelStore implements ReadModelStore {
  private readonly db: mongo.Db;
  private readonly checkpoints: mongo.Collection<CheckpointRow>;
  private readonly definitions = new Map<string, ReadModelDefinition>();

  /** Opens its own connection, which `close()` closes. */
  static async connect(
    url: string,
    options: MongoReadModelStoreOptions = {},
  ): Promise<MongoReadModelStore> {
    const connection = await mongoose.createConnection(url, options).asPromise();
    return new MongoReadModelStore(connection, true);
  }

  /** On an open connection; `close()` leaves it open unless `ownsConnection`. */
  constructor(
    private readonly connection: Connection,
    private readonly ownsConnection = false,
  ) {
    if (!connection.db) throw new Error('the mongoose connection is not open');
    this.db = connection.db;
    this.checkpoints = this.db.collection<CheckpointRow>('checkpoints');
  }

  async ensure(definition: ReadModelDefinition): Promise<void> {
    const name = collectionName(definition.key);
    // The field, then _id: equality on the field, then find()'s id order and cursor.
    const indexes: { key: Record<string, 1> }[] = [
      ...definition.indexes,
      ...(definition.multiValued ?? []),
    ].map((field) => ({ key: { [docPath(field)]: 1, _id: 1 } }));
    if (definition.search) {
      docPath(definition.search.field);
      indexes.push({ key: { prefixes: 1 } });
    }
    this.definitions.set(definition.key, definition);
    try {
      await this.db.createCollection(name);
    } catch (error) {
      if (!isServerError(error, NAMESPACE_EXISTS)) throw error;
    }
    // Only the missing ones, one per call: FerretDB 1.24 crashes when a createIndexes with
    // two or more indexes finds them all existing, and may report an index that another
    // replica (or a concurrent ensure) just created as an error rather than a no-op.
    const collection = this.db.collection(name);
    const found = (await collection.listIndexes().toArray()) as { key: unknown }[];
    const existing = new Set(found.map((index) => JSON.stringify(index.key)));
    for (const index of indexes) {
      if (existing.has(JSON.stringify(index.key))) continue;
      try {
        await collection.createIndexes([index]);
      } catch (error) {
        if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
      }
    }
  }

  async checkpoint(key: string): Promise<number> {
    collectionName(key);
    const row = await this.checkpoints.findOne({ _id: key });
    return row?.position ?? 0;
  }

  async isEmpty(key: string): Promise<boolean> {
    return (await this.rows(key).findOne({}, { projection: { _id: 1 } })) === null;
  }

  async load<D>(key: string, ids: readonly string[]): Promise<Map<string, StoredDocument<D>>> {
    const found = new Map<string, StoredDocument<D>>();
    if (ids.length === 0) return found;
    const rows = await this.rows(key)
      .find({ _id: { $in: [...ids] } })
      .toArray();
    for (const row of rows) {
      found.set(row._id, { id: row._id, position: row.position, doc: row.doc as D | null });
    }
    return found;
  }

  findEach<D>(key: string, queries: readonly DocumentQuery[]): Promise<D[][]> {
    return Promise.all(queries.map((query) => this.find<D>(key, query)));
  }

  async find<D>(key: string, query: DocumentQuery): Promise<D[]> {
    // MongoDB reads limit 0 as "no limit"; the port means "nothing".
    if (query.limit <= 0) return [];
    const filter = this.filter(key, query);
    const desc = query.orderBy?.direction === 'desc';
    const gt = desc ? '$lt' : '$gt';
    const dir = desc ? -1 : 1;
    const cursor = query.after ?? (query.afterId === undefined ? undefined : { id: query.afterId });
    const field = query.orderBy?.field;
    if (field === undefined) {
      const bound = cursor === undefined ? [] : [{ _id: { [gt]: cursor.id } }];
      return this.page<D>(key, [...filter, ...bound], { _id: dir }, query.limit);
    }
    // Nulls (and missing fields) sort first: one query per segment, as in the embedded store.
    const path = docPath(field);
    const segments: Segment[] = desc ? ['values', 'nulls'] : ['nulls', 'values'];
    const from = cursor === undefined ? 0 : segments.indexOf(segmentOf(cursor));
    const docs: D[] = [];
    for (let i = from; i < segments.length && docs.length < query.limit; i++) {
      const segment = segments[i] as Segment;
      const clauses: mongo.Filter<Row>[] = [
        ...filter,
        { [path]: segment === 'nulls' ? null : { $ne: null } },
      ];
      if (cursor !== undefined && i === from) {
        clauses.push(
          segment === 'nulls'
            ? { _id: { [gt]: cursor.id } }
            : {
                $or: [
                  { [path]: { [gt]: cursor.value } },
                  { [path]: cursor.value, _id: { [gt]: cursor.id } },
                ],
              },
        );
      }
      const sort: mongo.Sort = segment === 'nulls' ? { _id: dir } : { [path]: dir, _id: dir };
      docs.push(...(await this.page<D>(key, clauses, sort, query.limit - docs.length)));
    }
    return docs;
  }

  /** The clauses of a query other than its cursor. */
  private filter(key: string, query: DocumentQuery): mongo.Filter<Row>[] {
    const clauses: mongo.Filter<Row>[] = [{ doc: { $ne: null } }];
    for (const [field, value] of Object.entries(query.where ?? {})) {
      clauses.push({ [docPath(field)]: value });
    }
    // On an array field, equality matches an element (through the multikey index).
    for (const [field, value] of Object.entries(query.contains ?? {})) {
      clauses.push({ [docPath(field)]: value });
    }
    const words = (query.search ?? []).filter((word) => word.length > 0);
    if (words.length > 0) {
      const field = this.definitions.get(key)?.search?.field;
      if (field === undefined) throw new Error(`read model ${key} has no search field`);
      clauses.push({ prefixes: { $all: [...new Set(words.map(capped))] } });
      for (const word of words) {
        if (capped(word) === word) continue;
        clauses.push({ [docPath(field)]: { $regex: `^${escapeRegExp(word)}` } });
      }
    }
    return clauses;
  }

  private async page<D>(
    key: string,
    clauses: mongo.Filter<Row>[],
    sort: mongo.Sort,
    limit: number,
  ): Promise<D[]> {
    const rows = await this.rows(key)
      .find({ $and: clauses }, { projection: { doc: 1 } })
      .sort(sort)
      .limit(limit)
      .toArray();
    return rows.map((row) => row.doc as D);
  }

  async commit(
    key: string,
    changes: readonly StoredDocument<unknown>[],
    checkpoint: number,
  ): Promise<void> {
    const rows = this.rows(key);
    const searchField = this.definitions.get(key)?.search?.field;
    let pending = changes;
    for (let round = 1; pending.length > 0; round++) {
      try {
        // ignoreUndefined: like the embedded store's JSON, undefined members are left out.
        await rows.bulkWrite(
          pending.map((change) => upsertIfNewer(change, searchField)),
          { ordered: true, ignoreUndefined: true },
        );
        break;
      } catch (error) {
        // A guarded upsert whose filter missed an existing document tries to insert it and
        // hits its _id: that document is at or past the change, i.e. already applied.
        if (!isServerError(error, DUPLICATE_KEY) || round === MAX_COMMIT_ROUNDS) throw error;
        pending = await this.stillNewer(key, pending);
      }
    }
    await this.checkpoints.updateOne(
      { _id: key },
      { $max: { position: checkpoint } },
      { upsert: true },
    );
  }

  async reset(key: string): Promise<void> {
    // Checkpoint first: a crash in between leaves old documents under checkpoint 0, which the
    // rebuild's next reset clears. The other order could leave a checkpoint past documents
    // that no longer exist, and nothing would ever write them again.
    await this.checkpoints.deleteOne({ _id: key });
    await this.rows(key).drop();
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  private rows(key: string): mongo.Collection<Row> {
    return this.db.collection<Row>(collectionName(key));
  }

  /**
   * The changes still ahead of their stored documents, after a duplicate-key error. Which
   * writes of the failed bulk ran is read back rather than taken from the error: FerretDB v1
   * ignores `ordered: false` and reports its first error at index 0 whatever the write.
   */
  private async stillNewer(
    key: string,
    changes: readonly StoredDocument<unknown>[],
  ): Promise<StoredDocument<unknown>[]> {
    const stored = await this.rows(key)
      .find({ _id: { $in: changes.map((c) => c.id) } }, { projection: { position: 1 } })
      .toArray();
    const positions = new Map(stored.map((row) => [row._id, row.position]));
    return changes.filter((c) => (positions.get(c.id) ?? -Infinity) < c.position);
  }
}
