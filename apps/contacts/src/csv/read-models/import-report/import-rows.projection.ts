import type {
  ImportEvent,
  ImportRowError,
  ImportRowRecord,
  Projection,
  RevertRowOutcome,
} from '@crm/events';

export interface ImportRowReport extends ImportRowRecord {
  /** What reverting the import did with the row; null until then (or when there was nothing). */
  readonly revert: {
    readonly outcome: RevertRowOutcome;
    readonly errors: readonly ImportRowError[];
  } | null;
}

/** One recorded chunk of an import's rows: a document per chunk, in row order. */
export interface ImportRowsDoc {
  readonly id: string;
  readonly importId: string;
  readonly chunk: number;
  readonly rows: readonly ImportRowReport[];
}

/** Chunk documents sort by id in chunk order within an import. */
export const chunkDocId = (importId: string, chunk: number): string =>
  `${importId}:${String(chunk).padStart(8, '0')}`;

export const importRowsProjection: Projection<ImportRowsDoc, ImportEvent> = {
  name: 'import_rows',
  version: 1,
  handles: ['ImportRowsRecorded', 'ImportRowsReverted'],
  indexes: ['importId'],
  documentId: (event) =>
    chunkDocId(event.data.importId, 'chunk' in event.data ? event.data.chunk : -1),
  evolve(doc, event) {
    switch (event.type) {
      case 'ImportRowsRecorded': {
        const { importId, chunk, rows } = event.data;
        const reports = rows.map((row) => ({ ...row, revert: null }));
        return { id: chunkDocId(importId, chunk), importId, chunk, rows: reports };
      }
      case 'ImportRowsReverted': {
        if (!doc) return null;
        const reverted = new Map(event.data.rows.map((row) => [row.row, row]));
        const rows = doc.rows.map((row) => {
          const revert = reverted.get(row.row);
          return revert
            ? { ...row, revert: { outcome: revert.outcome, errors: revert.errors } }
            : row;
        });
        return { ...doc, rows };
      }
      default:
        return doc;
    }
  },
};
