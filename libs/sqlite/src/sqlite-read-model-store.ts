import type {
  CommitOptions,
  DocumentQuery,
  ReadModelDefinition,
  ReadModelStore,
  StoredDocument,
} from '@crm/events';
import type { Statement } from 'better-sqlite3';
import { openDatabase, type SqliteDatabase } from './open-database';

const KEY_PATTERN = /^[a-z][a-z0-9_]*$/;
const FIELD_PATTERN = /^[a-zA-Z][a-zA-Z0-9_.]*$/;

function table(key: string): string {
  if (!KEY_PATTERN.test(key)) throw new Error(`invalid read-model key ${key}`);
  return `rm_${key}`;
}

interface Index {
  readonly name: string;
  readonly create: string;
}

function indexOn(key: string, field: string): Index {
  if (!FIELD_PATTERN.test(field)) throw new Error(`invalid index field ${field}`);
  const name = `${table(key)}_${field.replace(/\./g, '_')}`;
  return {
    name,
    create: `CREATE INDEX IF NOT EXISTS ${name} ON ${table(key)} (json_extract(doc, '$.${field}'), id)`,
  };
}

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
 * Until then, queries scan the table; their results are the same.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly db: SqliteDatabase;
  private readonly statements = new Map<string, Statement>();
  /** The secondary indexes of each ensured read model. */
  private readonly indexes = new Map<string, readonly Index[]>();
  /** Read models whose indexes were dropped for a rebuild and are yet to be built. */
  private readonly deferred = new Set<string>();

  constructor(file: string) {
    this.db = openDatabase(file, { rebuildable: true });
    this.db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (
      read_model TEXT PRIMARY KEY,
      position   INTEGER NOT NULL
    ) WITHOUT ROWID`);
  }

  ensure(definition: ReadModelDefinition): Promise<void> {
    const name = table(definition.key);
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${name} (
      id       TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      doc      TEXT
    )`);
    const indexes = definition.indexes.map((field) => indexOn(definition.key, field));
    for (const index of indexes) this.db.exec(index.create);
    this.indexes.set(definition.key, indexes);
    this.deferred.delete(definition.key);
    return Promise.resolve();
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
    const select = this.statement(`SELECT id, position, doc FROM ${table(key)} WHERE id = ?`);
    for (const id of ids) {
      const row = select.get(id) as { position: number; doc: string | null } | undefined;
      if (row)
        found.set(id, {
          id,
          position: row.position,
          doc: row.doc === null ? null : (JSON.parse(row.doc) as D),
        });
    }
    return Promise.resolve(found);
  }

  find<D>(key: string, query: DocumentQuery): Promise<D[]> {
    const conditions = ['doc IS NOT NULL'];
    const params: (string | number)[] = [];
    for (const [field, value] of Object.entries(query.where ?? {})) {
      if (!FIELD_PATTERN.test(field)) throw new Error(`invalid query field ${field}`);
      conditions.push(`json_extract(doc, '$.${field}') = ?`);
      params.push(typeof value === 'boolean' ? Number(value) : value);
    }
    if (query.afterId !== undefined) {
      conditions.push('id > ?');
      params.push(query.afterId);
    }
    params.push(query.limit);
    const rows = this.statement(
      `SELECT doc FROM ${table(key)} WHERE ${conditions.join(' AND ')} ORDER BY id LIMIT ?`,
    ).all(...params) as { doc: string }[];
    return Promise.resolve(rows.map((row) => JSON.parse(row.doc) as D));
  }

  commit(
    key: string,
    changes: readonly StoredDocument<unknown>[],
    checkpoint: number,
    options: CommitOptions = {},
  ): Promise<void> {
    const upsert = this.statement(
      `INSERT INTO ${table(key)} (id, position, doc) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET position = excluded.position, doc = excluded.doc`,
    );
    const setCheckpoint = this.statement(
      `INSERT INTO checkpoints (read_model, position) VALUES (?, ?)
       ON CONFLICT (read_model) DO UPDATE SET position = excluded.position`,
    );
    // In the executor, a failed write becomes a rejection, as with a store over the network.
    return new Promise((resolve) => {
      const dropped = this.db.transaction((): boolean => {
        const drop = options.catchingUp === true && !this.deferred.has(key);
        const dropped = drop && this.dropIndexesIfEmpty(key);
        for (const change of changes) {
          upsert.run(
            change.id,
            change.position,
            change.doc === null ? null : JSON.stringify(change.doc),
          );
        }
        setCheckpoint.run(key, checkpoint);
        if (!options.catchingUp && this.deferred.has(key)) {
          for (const index of this.indexes.get(key) ?? []) this.db.exec(index.create);
        }
        return dropped;
      })();
      // Only now that the transaction committed: a rolled back one left the indexes as they were.
      if (dropped) this.deferred.add(key);
      else if (!options.catchingUp) this.deferred.delete(key);
      resolve();
    });
  }

  /** Drops the read model's secondary indexes when it holds no document; true if it did. */
  private dropIndexesIfEmpty(key: string): boolean {
    const indexes = this.indexes.get(key) ?? [];
    if (indexes.length === 0) return false;
    if (!this.holdsNothing(key)) return false;
    for (const index of indexes) this.db.exec(`DROP INDEX IF EXISTS ${index.name}`);
    return true;
  }

  private holdsNothing(key: string): boolean {
    return this.statement(`SELECT 1 FROM ${table(key)} LIMIT 1`).get() === undefined;
  }

  reset(key: string): Promise<void> {
    this.db.transaction(() => {
      this.db.exec(`DELETE FROM ${table(key)}`);
      this.db.prepare('DELETE FROM checkpoints WHERE read_model = ?').run(key);
    })();
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

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
