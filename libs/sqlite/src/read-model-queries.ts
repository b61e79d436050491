import type { DocumentQuery, OrderCursor } from '@crm/events';
import type { Statement } from 'better-sqlite3';
import { literalLimit } from './literal-limit';
import type { SqliteDatabase } from './open-database';
import {
  checkedField,
  columnOf,
  type Derived,
  jsonValueOf,
  matchAll,
  type Param,
  sideTablesOf,
  table,
  tableExists,
} from './read-model-schema';

/** A match of at least this share of the documents (and this many) counts as broad. */
const BROAD_SHARE = 0.01;
const MIN_BROAD_MATCH = 2000;

/** A part of a query's order: the documents whose order field is null, or the others. */
type Segment = 'nulls' | 'values';

const segmentOf = (cursor: OrderCursor): Segment =>
  cursor.value === null || cursor.value === undefined ? 'nulls' : 'values';

/** What the queries need of the store they read. */
export interface QueriedStore {
  statement(sql: string): Statement;
  /** The indexes and side tables of an ensured read model. */
  layout(key: string): Derived | undefined;
  /** Whether this store's rebuild of the read model has its indexes put off. */
  rebuilding(key: string): boolean;
}

/**
 * The read side of the SQLite read-model store: pages of documents by filter, order,
 * cursor, multi-valued field and search words, using the indexes and side tables where
 * they exist and scanning the documents where a rebuild has put them off.
 */
export class DocumentQueries {
  /**
   * Whether each read model's side tables exist, as of the schema version read last:
   * another connection (the projection thread's) may drop and build them in a rebuild.
   */
  private sidesReady = { schemaVersion: -1, byKey: new Map<string, boolean>() };

  constructor(
    private readonly db: SqliteDatabase,
    private readonly store: QueriedStore,
  ) {}

  /**
   * Queries of a filter in id order (no cursor, search or multi-valued field) run as one
   * statement, a UNION ALL of each query's page: one step of SQLite instead of one each.
   */
  findEach<D>(key: string, queries: readonly DocumentQuery[]): Promise<D[][]> {
    const simple = (query: DocumentQuery) =>
      query.orderBy?.field === undefined &&
      query.after === undefined &&
      query.afterId === undefined &&
      query.contains === undefined &&
      (query.search ?? []).length === 0;
    if (queries.length < 2 || !queries.every(simple)) {
      return Promise.all(queries.map((query) => this.find<D>(key, query)));
    }
    const pages: string[] = [];
    const params: Param[] = [];
    queries.forEach((query, i) => {
      const filter = this.filter(key, query);
      const direction = query.orderBy?.direction === 'desc' ? 'DESC' : 'ASC';
      pages.push(
        `SELECT ${i} AS query, id, doc FROM (SELECT id, doc FROM ${table(key)}
         WHERE ${filter.sql.join(' AND ')} ORDER BY id ${direction} LIMIT ${literalLimit(Math.max(query.limit, 0))})`,
      );
      params.push(...filter.params);
    });
    const rows = this.store.statement(pages.join(' UNION ALL ')).all(...params) as {
      query: number;
      id: string;
      doc: string;
    }[];
    // Each page comes out in its order, but only an outer ORDER BY would promise it.
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    return Promise.resolve(
      queries.map((query, i) => {
        const page = rows.filter((row) => row.query === i).sort(byId);
        if (query.orderBy?.direction === 'desc') page.reverse();
        return page.map((row) => JSON.parse(row.doc) as D);
      }),
    );
  }

  find<D>(key: string, query: DocumentQuery): Promise<D[]> {
    const usesSideTables = query.contains !== undefined || (query.search ?? []).length > 0;
    if (!usesSideTables || sideTablesOf(this.store.layout(key)).length === 0) {
      return Promise.resolve(this.findNow<D>(key, query));
    }
    // One read transaction: whether the side tables exist and the query that uses them
    // see the same schema, whatever another connection commits meanwhile.
    return Promise.resolve(this.db.transaction(() => this.findNow<D>(key, query))());
  }

  private findNow<D>(key: string, query: DocumentQuery): D[] {
    const filter = this.filter(key, query);
    const field = query.orderBy?.field;
    const desc = query.orderBy?.direction === 'desc';
    const cursor = query.after ?? (query.afterId === undefined ? undefined : { id: query.afterId });
    const docs: D[] = [];
    if (field === undefined) {
      const bound =
        cursor === undefined ? null : { sql: `id ${desc ? '<' : '>'} ?`, params: [cursor.id] };
      docs.push(...this.page<D>(key, filter, bound, 'id', desc, query.limit));
      return docs;
    }
    // Nulls sort first: ascending reads the null segment, then the values; descending the
    // other way round. Each segment is one range of the field's index.
    const segments: Segment[] = desc ? ['values', 'nulls'] : ['nulls', 'values'];
    const from = cursor === undefined ? 0 : segments.indexOf(segmentOf(cursor));
    const value = this.valueOf(key, field);
    for (let i = from; i < segments.length && docs.length < query.limit; i++) {
      const segment = segments[i] as Segment;
      const conditions = [segment === 'nulls' ? `${value} IS NULL` : `${value} IS NOT NULL`];
      const params: Param[] = [];
      if (cursor !== undefined && i === from) {
        if (segment === 'nulls') {
          conditions.push(`id ${desc ? '<' : '>'} ?`);
          params.push(cursor.id);
        } else {
          // The plain comparison seeks the index; the row value drops the ties already read.
          conditions.push(
            `${value} ${desc ? '<=' : '>='} ?`,
            `(${value}, id) ${desc ? '<' : '>'} (?, ?)`,
          );
          params.push(cursor.value ?? null, cursor.value ?? null, cursor.id);
        }
      }
      const bound = { sql: conditions.join(' AND '), params };
      const order = segment === 'nulls' ? 'id' : `${value} ${desc ? 'DESC' : 'ASC'}, id`;
      docs.push(...this.page<D>(key, filter, bound, order, desc, query.limit - docs.length));
    }
    return docs;
  }

  /** The conditions of a query other than its cursor. */
  private filter(key: string, query: DocumentQuery): { sql: string[]; params: Param[] } {
    const sql = ['doc IS NOT NULL'];
    const params: Param[] = [];
    for (const [field, value] of Object.entries(query.where ?? {})) {
      if (value === null) sql.push(`${this.valueOf(key, field)} IS NULL`);
      else {
        sql.push(`${this.valueOf(key, field)} = ?`);
        params.push(typeof value === 'boolean' ? Number(value) : value);
      }
    }
    const derived = this.store.layout(key);
    const words = (query.search ?? []).filter((word) => word.length > 0);
    const ready =
      (query.contains === undefined && words.length === 0) || this.sideTablesReady(key, derived);
    for (const [field, value] of Object.entries(query.contains ?? {})) {
      const side = derived?.multiValued.find((s) => s.field === field);
      if (!side || !ready) {
        // While a rebuild has put the side table off, the documents themselves are searched.
        sql.push(
          `EXISTS (SELECT 1 FROM json_each(doc, '$.${checkedField(field)}') WHERE value = ?)`,
        );
      } else if (this.broad(key, `SELECT 1 FROM ${side.name} WHERE value = ?`, [value])) {
        sql.push(`EXISTS (SELECT 1 FROM ${side.name} WHERE value = ? AND id = ${table(key)}.id)`);
      } else {
        sql.push(`id IN (SELECT id FROM ${side.name} WHERE value = ?)`);
      }
      params.push(value);
    }
    if (words.length > 0) {
      const search = derived?.search;
      if (!search) throw new Error(`read model ${key} has no search field`);
      if (ready) {
        const match = `SELECT rowid FROM ${search.name} WHERE ${search.name} MATCH ?`;
        // `+` keeps a broad match from driving the query: it is then a set the rows read in
        // the query's order are checked against.
        const broad = this.broad(key, match, [matchAll(words)]);
        sql.push(`${broad ? '+' : ''}rowid IN (${match})`);
        params.push(matchAll(words));
      } else {
        for (const word of words) {
          sql.push(
            `EXISTS (SELECT 1 FROM json_each(doc, '$.${search.field}') WHERE substr(value, 1, length(?)) = ?)`,
          );
          params.push(word, word);
        }
      }
    }
    return { sql, params };
  }

  /**
   * Whether a side-table match holds at least a share of the documents. A narrow one is
   * best collected first and its documents sorted; a broad one is best checked row by row
   * in the query's order, which fills a page after a few dozen rows, where collecting it
   * would read all of it.
   */
  private broad(key: string, match: string, params: readonly Param[]): boolean {
    const { size } = this.store.statement(`SELECT max(rowid) AS size FROM ${table(key)}`).get() as {
      size: number | null;
    };
    const threshold = Math.max(MIN_BROAD_MATCH, Math.ceil((size ?? 0) * BROAD_SHARE));
    const { n } = this.store
      .statement(`SELECT count(*) AS n FROM (${match} LIMIT ?)`)
      .get(...params, threshold) as { n: number };
    return n >= threshold;
  }

  private page<D>(
    key: string,
    filter: { sql: readonly string[]; params: readonly Param[] },
    bound: { sql: string; params: readonly Param[] } | null,
    order: string,
    desc: boolean,
    limit: number,
  ): D[] {
    if (limit <= 0) return [];
    const conditions = bound ? [...filter.sql, bound.sql] : filter.sql;
    const direction = desc ? 'DESC' : 'ASC';
    const rows = this.store
      .statement(
        `SELECT doc FROM ${table(key)} WHERE ${conditions.join(' AND ')}
       ORDER BY ${order} ${direction} LIMIT ${literalLimit(limit)}`,
      )
      .all(...filter.params, ...(bound?.params ?? [])) as { doc: string }[];
    return rows.map((row) => JSON.parse(row.doc) as D);
  }

  /** False while a rebuild (here or on another connection) has the side tables dropped. */
  private sideTablesReady(key: string, derived: Derived | undefined): boolean {
    if (this.store.rebuilding(key)) return false;
    const schemaVersion = this.store.statement('PRAGMA schema_version').pluck().get() as number;
    if (schemaVersion !== this.sidesReady.schemaVersion) {
      this.sidesReady = { schemaVersion, byKey: new Map() };
    }
    let ready = this.sidesReady.byKey.get(key);
    if (ready === undefined) {
      ready = sideTablesOf(derived).every((side) =>
        tableExists((sql) => this.store.statement(sql), side.name),
      );
      this.sidesReady.byKey.set(key, ready);
    }
    return ready;
  }

  /** The SQL of a document field's value: its column where indexed, else read from the JSON. */
  private valueOf(key: string, field: string): string {
    return this.store.layout(key)?.fields.includes(field) ? columnOf(field) : jsonValueOf(field);
  }
}
