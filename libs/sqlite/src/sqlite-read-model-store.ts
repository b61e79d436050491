import type {
  CommitOptions,
  DocumentQuery,
  ReadModelDefinition,
  ReadModelStore,
  StoredDocument,
} from '@crm/events';
import type { Statement } from 'better-sqlite3';
import { openDatabase, settingsOf, type SqliteDatabase } from './open-database';
import { type Deferral, planByRowid } from './rebuild-rowids';
import {
  applyRowidWrites,
  RebuildWriter,
  RebuildWriterDiedError,
  RebuildWriterUnavailableError,
  type RowidWrites,
} from './rebuild-writer';
import { upsertAll, upsertWithSideTables } from './document-upserts';
import { DocumentQueries } from './read-model-queries';
import {
  columnOf,
  type Derived,
  idIndexOn,
  indexName,
  indexOn,
  jsonValueOf,
  searchTable,
  sideTablesOf,
  tableExists,
  table,
  valuesTable,
} from './read-model-schema';

/**
 * The embedded read-model store: one SQLite file, a table of JSON documents per read model
 * and a checkpoint table, written in the same transaction so the checkpoint never runs
 * ahead of (or behind) the data. Indexed fields get expression indexes over the JSON.
 * Document tables are rowid tables (documents are far larger than the 1/20 of a page that
 * WITHOUT ROWID tables suit).
 *
 * A rebuild into an empty table drops the indexes with its first commit and builds them
 * in its last (the first without `catchingUp`): one sort instead of a b-tree update per
 * document and field. Should the process die in between, `ensure` builds them at start.
 * Until then, queries scan the table; their results are the same. The search and
 * multi-valued side tables follow the same path: dropped with the indexes, then filled in
 * one statement each from the documents. So does the unique index on the id: meanwhile
 * the store finds the documents it wrote by the rowids it keeps in memory (the table was
 * empty, so no other document exists). Every commit of a rebuild would otherwise rewrite
 * most of that index, as ids arrive in no order. It also notes which documents have values
 * for each side table, so that filling them reads only those.
 * The rebuild may be another connection's (the projection thread's): queries look at which
 * side tables exist, not at this one's state.
 *
 * A rebuild's commits run on a writer thread with a connection of its own (ADR 17):
 * decided here (documents serialized, rowids given), written there while this thread folds
 * the next batches; only the first one's index drop and the last one's index builds run
 * here. Every other write here waits for them to land.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly db: SqliteDatabase;
  private readonly statements = new Map<string, Statement>();
  /** The indexes and side tables of each ensured read model. */
  private readonly derived = new Map<string, Derived>();
  /**
   * Read models whose indexes were dropped for a rebuild and are yet to be built, with what
   * the rebuild knows of its documents, or null when the id index was kept.
   */
  private readonly deferred = new Map<string, Deferral | null>();
  private readonly maxDeferredIds: number;
  private readonly queries: DocumentQueries;
  /** Runs a rebuild's commits; null where there is none (`:memory:`). */
  private readonly writer: RebuildWriter | null;
  /** Commits handed to the writer and not settled yet; `writerSettled` settles with the last. */
  private handedOver = 0;
  private writerSettled: Promise<void> = Promise.resolve();

  /**
   * `maxDeferredIds`: beyond this many documents written by a rebuild, their rowids are
   * no longer kept in memory; the id index is built then, the other indexes still wait.
   * `writerThread` (default true): a rebuild's commits run on a thread of their own.
   */
  constructor(file: string, options: { maxDeferredIds?: number; writerThread?: boolean } = {}) {
    this.maxDeferredIds = options.maxDeferredIds ?? 1_000_000;
    this.db = openDatabase(file, { rebuildable: true });
    this.writer =
      options.writerThread === false || file === ':memory:'
        ? null
        : new RebuildWriter(file, settingsOf(this.db));
    this.queries = new DocumentQueries(this.db, {
      statement: (sql) => this.statement(sql),
      layout: (key) => this.derived.get(key),
      rebuilding: (key) => this.deferred.has(key),
    });
    this.db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (
      read_model TEXT PRIMARY KEY,
      position   INTEGER NOT NULL
    ) WITHOUT ROWID`);
  }

  /** How many of this store's commits ran on its writer thread (diagnostics, tests). */
  get writerCommits(): number {
    return this.writer?.landed ?? 0;
  }

  ensure(definition: ReadModelDefinition): Promise<void> {
    return this.afterWriter(() => this.ensureHere(definition));
  }

  private ensureHere(definition: ReadModelDefinition): Promise<void> {
    const { key, indexes: fields } = definition;
    const name = table(key);
    // Immediate: what the columns are and what is added or dropped are decided on one
    // schema, whatever another connection (the other thread's store) ensures meanwhile.
    const derived = this.db
      .transaction((): Derived => {
        this.db.exec(`CREATE TABLE IF NOT EXISTS ${name} (
        id       TEXT NOT NULL,
        position INTEGER NOT NULL,
        doc      TEXT${fields.map((field) => `,\n        ${columnOf(field)}`).join('')}
      )`);
        this.alignColumns(key, fields);
        const keyed =
          this.statement(`SELECT 1 FROM pragma_index_list(?) WHERE origin = 'pk'`).get(name) !==
          undefined;
        const built: Derived = {
          fields,
          idIndex: keyed ? null : idIndexOn(key),
          indexes: fields.map((field) => indexOn(key, field)),
          search: definition.search ? searchTable(key, definition.search.field) : null,
          multiValued: (definition.multiValued ?? []).map((field) => valuesTable(key, field)),
        };
        this.build(built);
        return built;
      })
      .immediate();
    this.derived.set(key, derived);
    this.deferred.delete(key);
    return Promise.resolve();
  }

  /**
   * Gives each indexed field a column, filled from the documents, where the table lacks it
   * (made before the field was indexed, or when indexes were over the JSON: that index
   * goes), and drops the columns of fields no longer indexed, which writes would leave stale.
   */
  private alignColumns(key: string, fields: readonly string[]): void {
    const name = table(key);
    const present = new Set(
      (this.statement('SELECT name FROM pragma_table_info(?)').all(name) as { name: string }[])
        .map((column) => column.name)
        .filter((column) => column.startsWith('doc.'))
        .map((column) => column.slice('doc.'.length)),
    );
    for (const field of present) {
      if (fields.includes(field)) continue;
      this.db.exec(`DROP INDEX IF EXISTS ${indexName(key, field)}`);
      this.db.exec(`ALTER TABLE ${name} DROP COLUMN ${columnOf(field)}`);
    }
    const missing = fields.filter((field) => !present.has(field));
    if (missing.length === 0) return;
    for (const field of missing) {
      this.db.exec(`DROP INDEX IF EXISTS ${indexName(key, field)}`);
      this.db.exec(`ALTER TABLE ${name} ADD COLUMN ${columnOf(field)}`);
    }
    const fill = missing.map((field) => `${columnOf(field)} = ${jsonValueOf(field)}`);
    this.db.exec(`UPDATE ${name} SET ${fill.join(', ')} WHERE doc IS NOT NULL`);
  }

  /**
   * Creates the indexes and side tables that are missing, the latter filled from the
   * documents (those `valued` lists for a side table, when given).
   */
  private build(derived: Derived, valued?: ReadonlyMap<string, readonly number[]>): void {
    if (derived.idIndex) this.db.exec(derived.idIndex.create);
    for (const index of derived.indexes) this.db.exec(index.create);
    for (const side of sideTablesOf(derived)) {
      if (this.exists(side.name)) continue;
      this.db.exec(side.create);
      // Deleted entries leave the index at once rather than at the next merge of its
      // segments: words of an erased subject must not linger in the file.
      if (side === derived.search) {
        this.db.exec(`INSERT INTO ${side.name} (${side.name}, rank) VALUES ('secure-delete', 1)`);
      }
      const some = valued?.get(side.name);
      if (!valued) this.db.exec(side.fill);
      else if (some) this.statement(side.fillSome).run(JSON.stringify(some));
    }
  }

  private exists(name: string): boolean {
    return tableExists(this.statement.bind(this), name);
  }

  findEach<D>(key: string, queries: readonly DocumentQuery[]): Promise<D[][]> {
    return this.queries.findEach<D>(key, queries);
  }

  find<D>(key: string, query: DocumentQuery): Promise<D[]> {
    return this.queries.find<D>(key, query);
  }

  checkpoint(key: string): Promise<number> {
    const row = this.statement('SELECT position FROM checkpoints WHERE read_model = ?').get(key) as
      { position: number } | undefined;
    return Promise.resolve(row?.position ?? 0);
  }

  isEmpty(key: string): Promise<boolean> {
    return Promise.resolve(this.holdsNothing(key));
  }

  load<D>(key: string, ids: readonly string[]): Promise<Map<string, StoredDocument<D>>> {
    const found = new Map<string, StoredDocument<D>>();
    const rowids = this.deferred.get(key)?.rowids;
    const select = this.statement(
      `SELECT position, doc FROM ${table(key)} WHERE ${rowids ? 'rowid' : 'id'} = ?`,
    );
    for (const id of ids) {
      const rowid = rowids?.get(id);
      if (rowids && rowid === undefined) continue;
      const row = select.get(rowid ?? id) as { position: number; doc: string | null } | undefined;
      if (row)
        found.set(id, {
          id,
          position: row.position,
          doc: row.doc === null ? null : (JSON.parse(row.doc) as D),
        });
    }
    return Promise.resolve(found);
  }

  commit(
    key: string,
    changes: readonly StoredDocument<unknown>[],
    checkpoint: number,
    options: CommitOptions = {},
  ): Promise<void> {
    const writer = this.writer;
    if (options.catchingUp && writer?.available) {
      const kept = this.deferred.get(key);
      const deferral = kept ?? (this.deferred.has(key) ? null : this.rebuildToStart(key));
      // One that may take the rowids kept past their limit is made here: it builds the id
      // index, and the schema changes only on this connection.
      if (deferral && deferral.rowids.size + changes.length <= this.maxDeferredIds) {
        const added: string[] = [];
        let writes: RowidWrites;
        try {
          writes = planByRowid(key, this.derived.get(key), changes, deferral, added);
        } catch (error) {
          for (const id of added) deferral.rowids.delete(id);
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
        if (!kept) this.startRebuildHere(key, deferral);
        // Nothing here holds the writes (the serialized documents) while the commit is on
        // its way: the thread has a copy, and holding them would have the garbage
        // collector copy and promote them.
        const landed = writer.commit({
          writes,
          secureDelete: this.secureDelete(key),
          checkpoint: { key, position: checkpoint },
        });
        return this.handOver(
          this.whenLanded(landed, { key, changes, checkpoint, deferral, added }),
        );
      }
    }
    return this.afterWriter(() => this.commitHere(key, changes, checkpoint, options));
  }

  /**
   * Where a catching-up commit starts a rebuild that the writer thread can take from its
   * first commit: the read model has an id index and holds nothing, and nothing is handed
   * over (the writer would hold the lock that dropping the indexes needs). Its deferral,
   * used once the commit's writes are decided.
   */
  private rebuildToStart(key: string): Deferral | null {
    if (this.handedOver > 0 || !this.derived.get(key)?.idIndex || !this.holdsNothing(key)) {
      return null;
    }
    return this.newDeferral(key);
  }

  /**
   * Drops the indexes and side tables of an empty read model in a transaction of its own,
   * once its first commit's writes are decided (documents that cannot be written leave
   * them as they were), so that this commit too runs on the writer while the log is folded
   * on. A crash before it lands leaves an empty table without indexes, which `ensure`
   * builds at the next start, as after a crash later in the rebuild.
   */
  private startRebuildHere(key: string, deferral: Deferral): void {
    this.db.pragma(`secure_delete = ${this.secureDelete(key)}`);
    this.db.transaction(() => this.dropIndexesIfEmpty(key))();
    this.deferred.set(key, deferral);
  }

  /** Counts a commit on its way to the writer until it settles, for `afterWriter`. */
  private handOver(commit: Promise<void>): Promise<void> {
    this.handedOver += 1;
    const settled = commit.then(
      () => undefined,
      () => undefined,
    );
    this.writerSettled = Promise.all([this.writerSettled, settled]).then(() => {
      this.handedOver -= 1;
    });
    return commit;
  }

  /**
   * Runs `write` on this connection once the commits handed to the writer have landed: it
   * would otherwise wait for their lock, blocking this thread, or come before them.
   */
  private afterWriter(write: () => Promise<void>): Promise<void> {
    return this.handedOver > 0 ? this.writerSettled.then(write) : write();
  }

  /**
   * A read model with a search field holds words in clear: what its rewrites free is zeroed
   * (where that costs no extra I/O), so an erased value does not stay in free space. Only
   * there: it costs a rebuild of the contact list about a tenth.
   */
  private secureDelete(key: string): 'FAST' | 'OFF' {
    return this.derived.get(key)?.search ? 'FAST' : 'OFF';
  }

  private commitHere(
    key: string,
    changes: readonly StoredDocument<unknown>[],
    checkpoint: number,
    options: CommitOptions,
  ): Promise<void> {
    const setCheckpoint = this.statement(
      `INSERT INTO checkpoints (read_model, position) VALUES (?, ?)
       ON CONFLICT (read_model) DO UPDATE SET position = excluded.position`,
    );
    const derived = this.derived.get(key);
    this.db.pragma(`secure_delete = ${this.secureDelete(key)}`);
    // In the executor, a failed write becomes a rejection, as with a store over the network.
    return new Promise((resolve) => {
      const deferred = this.deferred.has(key);
      const kept = this.deferred.get(key) ?? null;
      /** Ids given a rowid by this commit, forgotten again should it roll back. */
      const added: string[] = [];
      let outcome: { dropped: boolean; deferral: Deferral | null };
      try {
        outcome = this.db.transaction(() => {
          const dropped = options.catchingUp === true && !deferred && this.dropIndexesIfEmpty(key);
          let deferral =
            dropped && derived?.idIndex ? this.newDeferral(key) : dropped ? null : kept;
          const sides = dropped || deferred ? [] : sideTablesOf(derived);
          if (deferral) {
            applyRowidWrites(
              this.statement.bind(this),
              planByRowid(key, this.derived.get(key), changes, deferral, added),
            );
          } else {
            const prepare = this.statement.bind(this);
            const fields = derived?.fields ?? [];
            if (sides.length === 0) upsertAll(prepare, key, fields, changes);
            else
              upsertWithSideTables(
                prepare,
                { key, fields, search: derived?.search ?? null, sides },
                changes,
              );
          }
          if (deferral && derived?.idIndex && deferral.rowids.size > this.maxDeferredIds) {
            this.db.exec(derived.idIndex.create);
            deferral = null;
          }
          setCheckpoint.run(key, checkpoint);
          if (!options.catchingUp && deferred && derived) {
            this.build(derived, kept?.valued);
            // Sampled statistics (milliseconds): without them the planner takes an index on
            // a field of two values for a selective one and sorts what it finds.
            this.db.pragma('analysis_limit = 400');
            this.db.exec(`ANALYZE ${table(key)}`);
          }
          return { dropped, deferral };
        })();
      } catch (error) {
        // The rowids noted for side tables may stay: a superset only costs a lookup.
        for (const id of added) kept?.rowids.delete(id);
        throw error;
      }
      // Only now that the transaction committed: a rolled back one left the indexes as they were.
      if (!options.catchingUp) this.deferred.delete(key);
      else if (outcome.dropped || deferred) this.deferred.set(key, outcome.deferral);
      // A rebuild ended: the writer's connection and page cache are freed until the next.
      if (!options.catchingUp && deferred && ![...this.deferred.values()].some(Boolean)) {
        void this.writer?.close();
      }
      resolve();
    });
  }

  /**
   * A commit of a rebuild, decided here as `commitHere` would with the rowids kept here,
   * and `landed` once the writer thread ran it while this one folded on (ADR 17). Made
   * here instead should the thread not start.
   */
  private async whenLanded(
    landed: Promise<void>,
    commit: {
      readonly key: string;
      readonly changes: readonly StoredDocument<unknown>[];
      readonly checkpoint: number;
      readonly deferral: Deferral;
      /** Ids given a rowid by it, forgotten again should it fail. */
      readonly added: readonly string[];
    },
  ): Promise<void> {
    const { key, changes, checkpoint, deferral, added } = commit;
    try {
      await landed;
    } catch (error) {
      for (const id of added) deferral.rowids.delete(id);
      if (error instanceof RebuildWriterUnavailableError) {
        return this.commitHere(key, changes, checkpoint, { catchingUp: true });
      }
      // Died with it on the way: whether it landed is not known, so the rowids kept may be
      // wrong. Documents are found by id from now on, as past the limit of rowids kept.
      const idIndex = this.derived.get(key)?.idIndex;
      if (error instanceof RebuildWriterDiedError && idIndex) {
        this.db.exec(idIndex.create);
        this.deferred.set(key, null);
      }
      throw error;
    }
  }

  /** A rebuild's state from its first commit, into the empty table. */
  private newDeferral(key: string): Deferral {
    const { last } = this.statement(
      `SELECT coalesce(max(rowid), 0) AS last FROM ${table(key)}`,
    ).get() as { last: number };
    return { rowids: new Map(), valued: new Map(), next: last + 1 };
  }

  /**
   * Drops the read model's secondary indexes and side tables when it holds no document;
   * true if it did.
   */
  private dropIndexesIfEmpty(key: string): boolean {
    const derived = this.derived.get(key);
    const indexes = [...(derived?.idIndex ? [derived.idIndex] : []), ...(derived?.indexes ?? [])];
    const sides = sideTablesOf(derived);
    if (indexes.length === 0 && sides.length === 0) return false;
    if (!this.holdsNothing(key)) return false;
    for (const index of indexes) this.db.exec(`DROP INDEX IF EXISTS ${index.name}`);
    for (const side of sides) this.db.exec(`DROP TABLE IF EXISTS ${side.name}`);
    return true;
  }

  private holdsNothing(key: string): boolean {
    return this.statement(`SELECT 1 FROM ${table(key)} LIMIT 1`).get() === undefined;
  }

  reset(key: string): Promise<void> {
    return this.afterWriter(() => this.resetHere(key));
  }

  private resetHere(key: string): Promise<void> {
    this.db.transaction(() => {
      this.db.exec(`DELETE FROM ${table(key)}`);
      // Side tables by name, known to this store or not: rowids of the emptied table are
      // handed out again, and a stale search entry would match the wrong document.
      const sides = this.statement(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? ESCAPE '!' ORDER BY length(name)`,
      ).all(`${table(key).replace(/_/g, '!_')}!_!_%`) as { name: string }[];
      for (const { name } of sides) this.db.exec(`DROP TABLE IF EXISTS ${name}`);
      const derived = this.derived.get(key);
      if (derived) this.build(derived);
      this.db.prepare('DELETE FROM checkpoints WHERE read_model = ?').run(key);
    })();
    // Built again above; the rowids kept for a rebuild are of deleted rows.
    this.deferred.delete(key);
    return Promise.resolve();
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async close(): Promise<void> {
    await this.writer?.close();
    if (this.db.open) {
      // Refreshes the planner's statistics where they went stale, as SQLite advises on close.
      this.db.pragma('optimize');
      this.db.close();
    }
  }
}
