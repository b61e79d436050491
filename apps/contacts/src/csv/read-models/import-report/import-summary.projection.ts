import type {
  ImportCounts,
  ImportEvent,
  ImportRowError,
  Projection,
  RevertCounts,
} from '@crm/events';
import { tally, zeroCounts, zeroRevertCounts } from '../../import';

export type ImportStatus = 'running' | 'completed' | 'failed' | 'reverting' | 'reverted';

/** One import as its report shows it. */
export interface ImportSummaryDoc {
  readonly id: string;
  readonly status: ImportStatus;
  /** Employee who imported the file. */
  readonly startedBy: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly encoding: string;
  readonly columns: readonly string[];
  readonly rows: number;
  readonly counts: ImportCounts;
  readonly failure: ImportRowError | null;
  readonly revert: {
    readonly startedBy: string;
    readonly startedAt: string;
    readonly finishedAt: string | null;
    readonly counts: RevertCounts;
  } | null;
}

export const importSummaryProjection: Projection<ImportSummaryDoc, ImportEvent> = {
  name: 'import_summary',
  version: 1,
  handles: [
    'ImportStarted',
    'ImportRowsRecorded',
    'ImportCompleted',
    'ImportFailed',
    'ImportRevertStarted',
    'ImportRowsReverted',
    'ImportReverted',
  ],
  documentId: (event) => event.data.importId,
  evolve(doc, event) {
    const at = event.metadata.recordedAt;
    if (event.type === 'ImportStarted') {
      const { importId, columns, encoding } = event.data;
      return {
        id: importId,
        status: 'running',
        startedBy: event.metadata.actorId,
        startedAt: at,
        finishedAt: null,
        encoding,
        columns,
        rows: 0,
        counts: zeroCounts(),
        failure: null,
        revert: null,
      };
    }
    if (!doc) return null;
    switch (event.type) {
      case 'ImportRowsRecorded': {
        const { rows } = event.data;
        const outcomes = rows.map((row) => row.outcome);
        return { ...doc, rows: doc.rows + rows.length, counts: tally(doc.counts, outcomes) };
      }
      case 'ImportCompleted':
        return { ...doc, status: 'completed', finishedAt: at };
      case 'ImportFailed':
        return { ...doc, status: 'failed', finishedAt: at, failure: event.data.reason };
      case 'ImportRevertStarted': {
        const revert = {
          startedBy: event.metadata.actorId,
          startedAt: at,
          finishedAt: null,
          counts: zeroRevertCounts(),
        };
        return { ...doc, status: 'reverting', revert };
      }
      case 'ImportRowsReverted': {
        if (!doc.revert) return doc;
        const counts = tally(
          doc.revert.counts,
          event.data.rows.map((row) => row.outcome),
        );
        return { ...doc, revert: { ...doc.revert, counts } };
      }
      case 'ImportReverted':
        return doc.revert
          ? { ...doc, status: 'reverted', revert: { ...doc.revert, finishedAt: at } }
          : doc;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};
