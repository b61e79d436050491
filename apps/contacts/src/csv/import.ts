import {
  IMPORT_ROW_OUTCOMES,
  IMPORT_STREAM_CATEGORY,
  type ImportCounts,
  type ImportEvent,
  type ImportRowOutcome,
  REVERT_ROW_OUTCOMES,
  type RevertCounts,
  type RevertRowOutcome,
} from '@crm/events';

export type { ImportEvent } from '@crm/events';

export const importStreamId = (importId: string): string => `${IMPORT_STREAM_CATEGORY}-${importId}`;

interface Batch {
  readonly importId: string;
  /** Chunks recorded so far; the next one gets this number. */
  readonly chunks: number;
  readonly rows: number;
  readonly counts: ImportCounts;
}

/**
 * An import batch. It does not keep its rows: they are in its ImportRowsRecorded events,
 * which a revert reads chunk by chunk.
 */
interface Revert {
  /** Highest chunk whose rows were reverted, -1 before the first. */
  readonly revertedThrough: number;
  readonly revertCounts: RevertCounts;
}

export type ImportState =
  | { readonly status: 'none' }
  | (Batch & { readonly status: 'running' })
  | (Batch & { readonly status: 'completed' })
  | (Batch & { readonly status: 'failed' })
  | (Batch & Revert & { readonly status: 'reverting' })
  | (Batch & Revert & { readonly status: 'reverted' });

export const zeroCounts = (): Record<ImportRowOutcome, number> =>
  Object.fromEntries(IMPORT_ROW_OUTCOMES.map((o) => [o, 0])) as Record<ImportRowOutcome, number>;
export const zeroRevertCounts = (): Record<RevertRowOutcome, number> =>
  Object.fromEntries(REVERT_ROW_OUTCOMES.map((o) => [o, 0])) as Record<RevertRowOutcome, number>;

/** Adds one to the count of each outcome. */
export function tally<K extends string>(
  counts: Readonly<Record<K, number>>,
  outcomes: readonly K[],
): Record<K, number> {
  const next: Record<K, number> = { ...counts };
  for (const outcome of outcomes) next[outcome] += 1;
  return next;
}

export function initialImportState(): ImportState {
  return { status: 'none' };
}

export function evolveImport(state: ImportState, event: ImportEvent): ImportState {
  if (event.type === 'ImportStarted') {
    if (state.status !== 'none') return state;
    const { importId } = event.data;
    return { status: 'running', importId, chunks: 0, rows: 0, counts: zeroCounts() };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ImportRowsRecorded': {
      const { rows } = event.data;
      const counts = tally(
        state.counts,
        rows.map((r) => r.outcome),
      );
      return { ...state, chunks: event.data.chunk + 1, rows: state.rows + rows.length, counts };
    }
    case 'ImportCompleted':
      return { ...state, status: 'completed' };
    case 'ImportFailed':
      return { ...state, status: 'failed' };
    case 'ImportRevertStarted':
      return {
        ...state,
        status: 'reverting',
        revertedThrough: -1,
        revertCounts: zeroRevertCounts(),
      };
    case 'ImportRowsReverted':
      if (state.status !== 'reverting') return state;
      return {
        ...state,
        revertedThrough: event.data.chunk,
        revertCounts: tally(
          state.revertCounts,
          event.data.rows.map((r) => r.outcome),
        ),
      };
    case 'ImportReverted':
      return state.status === 'reverting' ? { ...state, status: 'reverted' } : state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
