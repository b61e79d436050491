/**
 * How the embedded read-model store lays out a read model in SQLite: the document table,
 * its indexes and the side tables derived from the documents.
 */

import type { Statement } from 'better-sqlite3';

export type Param = string | number | null;

const KEY_PATTERN = /^[a-z][a-z0-9_]*$/;
const FIELD_PATTERN = /^[a-zA-Z][a-zA-Z0-9_.]*$/;

export function table(key: string): string {
  if (!KEY_PATTERN.test(key)) throw new Error(`invalid read-model key ${key}`);
  return `rm_${key}`;
}

export function checkedField(field: string): string {
  if (!FIELD_PATTERN.test(field)) throw new Error(`invalid document field ${field}`);
  return field;
}

/** The SQL of a document field's value read from the JSON. */
export const jsonValueOf = (field: string): string =>
  `json_extract(doc, '$.${checkedField(field)}')`;

/**
 * The column that holds an indexed field's value next to the document, written by the
 * store with each document: indexing and filtering it needs no JSON parsing, where an
 * expression index over the JSON parsed every document it wrote or built (ADR 15).
 */
export const columnOf = (field: string): string => `"doc.${checkedField(field)}"`;

export interface Index {
  readonly name: string;
  readonly create: string;
}

export function indexOn(key: string, field: string): Index {
  return {
    name: indexName(key, field),
    create: `CREATE INDEX IF NOT EXISTS ${indexName(key, field)} ON ${table(key)} (${columnOf(field)}, id)`,
  };
}

/** The same name the expression index on the field had: the column's index replaces it. */
export const indexName = (key: string, field: string): string =>
  `${table(key)}_${checkedField(field).replace(/\./g, '_')}`;

/**
 * Tables derived from the documents, rebuilt from them whenever missing: an FTS5 index of
 * the search field's words (contentless, keyed by the document's rowid, with prefix indexes
 * for short prefixes), and a `(value, id)` table per multi-valued field.
 */
export interface SideTable {
  readonly field: string;
  readonly name: string;
  readonly create: string;
  /** Fills it from every live document. */
  readonly fill: string;
  /** Fills it from the documents whose rowids are in the JSON array given. */
  readonly fillSome: string;
}

export function searchTable(key: string, field: string): SideTable {
  const name = `${table(key)}__search`;
  return {
    field: checkedField(field),
    name,
    create: `CREATE VIRTUAL TABLE ${name} USING fts5(words, content='', contentless_delete=1,
      prefix='1 2 3', tokenize='unicode61 remove_diacritics 0')`,
    fill: `INSERT INTO ${name} (rowid, words)
      SELECT rowid, (SELECT group_concat(value, ' ') FROM json_each(doc, '$.${field}'))
      FROM ${table(key)} WHERE doc IS NOT NULL`,
    fillSome: `INSERT INTO ${name} (rowid, words)
      SELECT rowid, (SELECT group_concat(value, ' ') FROM json_each(doc, '$.${field}'))
      FROM ${table(key)} WHERE doc IS NOT NULL AND rowid IN (SELECT value FROM json_each(?))`,
  };
}

export function valuesTable(key: string, field: string): SideTable {
  const name = `${table(key)}__${checkedField(field).replace(/\./g, '_')}`;
  return {
    field,
    name,
    create: `CREATE TABLE ${name} (value TEXT NOT NULL, id TEXT NOT NULL,
      PRIMARY KEY (value, id)) WITHOUT ROWID`,
    fill: `INSERT OR IGNORE INTO ${name} (value, id)
      SELECT j.value, d.id FROM ${table(key)} d, json_each(d.doc, '$.${field}') j
      WHERE d.doc IS NOT NULL AND j.value IS NOT NULL`,
    fillSome: `INSERT OR IGNORE INTO ${name} (value, id)
      SELECT j.value, d.id FROM ${table(key)} d, json_each(d.doc, '$.${field}') j
      WHERE d.doc IS NOT NULL AND j.value IS NOT NULL
        AND d.rowid IN (SELECT value FROM json_each(?))`,
  };
}

/**
 * The unique index on a document table's id. Tables created before it was split off keep
 * theirs as a primary key, which cannot be dropped.
 */
export function idIndexOn(key: string): Index {
  // `pk_` and not `rm_`: no field's index or side table can be named so.
  const name = `pk_${table(key)}`;
  return { name, create: `CREATE UNIQUE INDEX IF NOT EXISTS ${name} ON ${table(key)} (id)` };
}

/** What a read model keeps besides its documents. */
export interface Derived {
  /** The indexed fields, each held in its column (`columnOf`). */
  readonly fields: readonly string[];
  /** null where the table's primary key is its id index. */
  readonly idIndex: Index | null;
  readonly indexes: readonly Index[];
  readonly search: SideTable | null;
  readonly multiValued: readonly SideTable[];
}

/** An FTS5 query: every word, quoted, as a prefix. */
export const matchAll = (words: readonly string[]): string =>
  words.map((word) => `"${word.replace(/"/g, '""')}"*`).join(' ');

function member(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

function valueAt(doc: unknown, field: string): unknown {
  // Most fields are top-level: a rebuild asks for each of its documents.
  return field.includes('.') ? field.split('.').reduce(member, doc) : member(doc, field);
}

export function wordsOf(doc: unknown, field: string): string | null {
  const value = valueAt(doc, field);
  return Array.isArray(value) && value.length > 0 ? value.join(' ') : null;
}

/** Whether a side table can hold anything of the document's field (an empty array: no). */
export function hasValues(doc: unknown, field: string): boolean {
  const value = valueAt(doc, field);
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

/**
 * A field's value as `json_extract` gives it, for its column: booleans as 1 and 0, objects
 * and arrays as JSON text, anything missing as NULL. Filters bind their values the same way.
 */
export function columnValue(doc: unknown, field: string): Param {
  const value = valueAt(doc, field);
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value ? 1 : 0;
    case 'object':
      return value === null ? null : JSON.stringify(value);
    default:
      return null;
  }
}

/** The side tables of a read model: its search table first, then its multi-valued ones. */
export function sideTablesOf(derived: Derived | undefined): SideTable[] {
  if (!derived) return [];
  return [...(derived.search ? [derived.search] : []), ...derived.multiValued];
}

export function tableExists(statement: (sql: string) => Statement, name: string): boolean {
  return statement('SELECT 1 FROM sqlite_master WHERE name = ?').get(name) !== undefined;
}
