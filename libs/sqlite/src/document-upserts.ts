/**
 * How the embedded read-model store writes documents outside a rebuild (and in one whose id
 * index was kept): upserts by id, with the field columns and the side tables kept in step.
 */
import type { StoredDocument } from '@crm/events';
import type { Statement } from 'better-sqlite3';
import {
  columnOf,
  columnValue,
  type Param,
  type SideTable,
  table,
  wordsOf,
} from './read-model-schema';

/** How the writes get their statements: prepared once per SQL text by the store. */
type Prepare = (sql: string) => Statement;

/** Upserts documents into a read model without side tables, one statement per document. */
export function upsertAll(
  prepare: Prepare,
  key: string,
  fields: readonly string[],
  changes: readonly StoredDocument<unknown>[],
): void {
  const { statement, values } = upsert(prepare, key, fields, '');
  for (const change of changes) {
    const doc = change.doc === null ? null : JSON.stringify(change.doc);
    statement.run(...values(change, doc));
  }
}

/**
 * Inserts a document or replaces the stored one, with its field columns; `returning`
 * is added to the statement. `values` gives its parameters for a change and its JSON.
 */
function upsert(
  prepare: Prepare,
  key: string,
  fields: readonly string[],
  returning: string,
): {
  statement: Statement;
  values: (change: StoredDocument<unknown>, doc: string | null) => Param[];
} {
  const columns = ['id', 'position', 'doc', ...fields.map(columnOf)];
  const statement = prepare(
    `INSERT INTO ${table(key)} (${columns.join(', ')})
       VALUES (${columns.map(() => '?').join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${columns
         .slice(1)
         .map((column) => `${column} = excluded.${column}`)
         .join(', ')} ${returning}`,
  );
  return {
    statement,
    values: (change, doc) => [
      change.id,
      change.position,
      doc,
      ...fields.map((field) => columnValue(change.doc, field)),
    ],
  };
}

/** Upserts that keep the search index and the multi-valued tables in step, row by row. */
export function upsertWithSideTables(
  prepare: Prepare,
  layout: {
    readonly key: string;
    readonly fields: readonly string[];
    readonly search: SideTable | null;
    readonly sides: readonly SideTable[];
  },
  changes: readonly StoredDocument<unknown>[],
): void {
  const { key, fields, search, sides } = layout;
  const upserted = upsert(prepare, key, fields, 'RETURNING rowid');
  const multiValued = sides.filter((side) => side !== search);
  const stored = prepare(`SELECT rowid FROM ${table(key)} WHERE id = ?`).pluck();
  for (const change of changes) {
    const doc = change.doc === null ? null : JSON.stringify(change.doc);
    // A document stored before has side-table rows to take out first.
    const before = stored.get(change.id) as number | undefined;
    for (const side of before === undefined ? [] : multiValued) {
      prepare(
        `DELETE FROM ${side.name} WHERE id = ? AND value IN (SELECT value FROM json_each(
             (SELECT doc FROM ${table(key)} WHERE id = ?), '$.${side.field}'))`,
      ).run(change.id, change.id);
    }
    const { rowid } = upserted.statement.get(...upserted.values(change, doc)) as { rowid: number };
    for (const side of multiValued) {
      if (doc === null) continue;
      prepare(
        `INSERT OR IGNORE INTO ${side.name} (value, id)
           SELECT value, ? FROM json_each(?, '$.${side.field}') WHERE value IS NOT NULL`,
      ).run(change.id, doc);
    }
    if (search) {
      if (before !== undefined) {
        prepare(`DELETE FROM ${search.name} WHERE rowid = ?`).run(rowid);
      }
      const words = doc === null ? null : wordsOf(change.doc, search.field);
      if (words !== null) {
        prepare(`INSERT INTO ${search.name} (rowid, words) VALUES (?, ?)`).run(rowid, words);
      }
    }
  }
}
