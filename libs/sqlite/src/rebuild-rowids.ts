import type { StoredDocument } from '@crm/events';
import {
  columnOf,
  columnValue,
  type Derived,
  hasValues,
  type Param,
  sideTablesOf,
  table,
} from './read-model-schema';
import type { RowidOp, RowidWrites } from './rebuild-writer';

/** A rebuild's state while the id index is dropped (see SqliteReadModelStore). */
export interface Deferral {
  /** The rowid of each document written since. */
  readonly rowids: Map<string, number>;
  /**
   * Per side table, the rowids of the documents written with values for it (some may have
   * lost them since): what it is filled from when built.
   */
  readonly valued: Map<string, number[]>;
  /** The rowid of the next new document. */
  next: number;
}

/** New documents per INSERT statement during a rebuild (4 parameters each). */
const INSERT_ROWS = 200;

/**
 * Writes while the id index is dropped: a document this rebuild wrote before is found by
 * the rowid kept for it, any other is new and gets the next rowid, kept in the deferral, its
 * id in `added`. New rows go in a few hundred per statement, which halves the cost of
 * calling into SQLite per row.
 */
export function planByRowid(
  key: string,
  derived: Derived | undefined,
  changes: readonly StoredDocument<unknown>[],
  deferral: Deferral,
  added: string[],
): RowidWrites {
  const { rowids, valued } = deferral;
  const sides = sideTablesOf(derived).map((side) => {
    let rowidsOf = valued.get(side.name);
    if (!rowidsOf) valued.set(side.name, (rowidsOf = []));
    return { field: side.field, rowids: rowidsOf };
  });
  const fields = derived?.fields ?? [];
  const width = 4 + fields.length;
  const ops: RowidOp[] = [];
  /** rowid, id, position, doc and the field columns of each new document not inserted yet. */
  let rows: Param[] = [];
  for (const change of changes) {
    const doc = change.doc === null ? null : JSON.stringify(change.doc);
    const rowid = rowids.get(change.id);
    for (const side of sides) {
      if (hasValues(change.doc, side.field)) side.rowids.push(rowid ?? deferral.next);
    }
    const values = fields.map((field) => columnValue(change.doc, field));
    if (rowid === undefined) {
      rowids.set(change.id, deferral.next);
      added.push(change.id);
      rows.push(deferral.next++, change.id, change.position, doc, ...values);
      if (rows.length === width * INSERT_ROWS) {
        ops.push({ insert: rows });
        rows = [];
      }
    } else {
      // The row may be one of those not inserted yet.
      if (rows.length > 0) ops.push({ insert: rows });
      rows = [];
      ops.push({ update: [change.position, doc, ...values, rowid] });
    }
  }
  if (rows.length > 0) ops.push({ insert: rows });
  return { table: table(key), columns: fields.map(columnOf), ops };
}
