import type {
  Decider,
  ImportEvent,
  ImportRowError,
  ImportRowRecord,
  RevertRowRecord,
} from '@crm/events';
import { evolveImport, type ImportState, initialImportState } from './import';
import { ImportNotFound, ImportRuleBroken } from './import.errors';

export type ImportCommand =
  | {
      readonly type: 'StartImport';
      readonly importId: string;
      readonly columns: readonly string[];
      readonly encoding: string;
    }
  | {
      readonly type: 'RecordRows';
      readonly importId: string;
      readonly rows: readonly ImportRowRecord[];
    }
  | { readonly type: 'CompleteImport'; readonly importId: string }
  | { readonly type: 'FailImport'; readonly importId: string; readonly reason: ImportRowError }
  | { readonly type: 'StartRevert'; readonly importId: string }
  | {
      readonly type: 'RecordRevertedRows';
      readonly importId: string;
      /** The recorded chunk these rows came from. */
      readonly chunk: number;
      readonly rows: readonly RevertRowRecord[];
    }
  | { readonly type: 'CompleteRevert'; readonly importId: string };

type Running = Extract<ImportState, { status: 'running' }>;
type Reverting = Extract<ImportState, { status: 'reverting' }>;

function running(state: ImportState, importId: string): Running {
  if (state.status === 'none') throw new ImportNotFound(importId);
  if (state.status !== 'running') {
    throw new ImportRuleBroken(
      importId,
      `import ${importId} is ${state.status}, no longer running`,
    );
  }
  return state;
}

function reverting(state: ImportState, importId: string): Reverting {
  if (state.status === 'none') throw new ImportNotFound(importId);
  if (state.status !== 'reverting') {
    throw new ImportRuleBroken(
      importId,
      `import ${importId} is ${state.status}, not being reverted`,
    );
  }
  return state;
}

/**
 * A running import records its rows chunk by chunk and ends completed or failed; either can
 * be reverted once. A revert that stopped half way (the process died) is resumed by asking
 * again: it goes on after the last chunk it recorded.
 */
function decide(command: ImportCommand, state: ImportState): ImportEvent[] {
  const { importId } = command;
  switch (command.type) {
    case 'StartImport':
      if (state.status !== 'none') {
        throw new ImportRuleBroken(importId, `import ${importId} was already started`);
      }
      return [
        {
          type: 'ImportStarted',
          data: { importId, columns: command.columns, encoding: command.encoding },
        },
      ];
    case 'RecordRows': {
      const { chunks } = running(state, importId);
      if (command.rows.length === 0) return [];
      return [
        { type: 'ImportRowsRecorded', data: { importId, chunk: chunks, rows: command.rows } },
      ];
    }
    case 'CompleteImport': {
      const { rows, counts } = running(state, importId);
      return [{ type: 'ImportCompleted', data: { importId, rows, counts } }];
    }
    case 'FailImport': {
      const { rows, counts } = running(state, importId);
      return [{ type: 'ImportFailed', data: { importId, rows, counts, reason: command.reason } }];
    }
    case 'StartRevert':
      switch (state.status) {
        case 'none':
          throw new ImportNotFound(importId);
        case 'running':
          throw new ImportRuleBroken(importId, `import ${importId} is still running`);
        case 'reverted':
          throw new ImportRuleBroken(importId, `import ${importId} was already reverted`);
        case 'reverting':
          return [];
        case 'completed':
        case 'failed':
          return [{ type: 'ImportRevertStarted', data: { importId } }];
        default: {
          const unknown: never = state;
          return unknown;
        }
      }
    case 'RecordRevertedRows': {
      const { revertedThrough, chunks } = reverting(state, importId);
      if (command.chunk <= revertedThrough || command.chunk >= chunks) {
        throw new ImportRuleBroken(
          importId,
          `chunk ${command.chunk} of import ${importId} is reverted already or was never recorded`,
        );
      }
      if (command.rows.length === 0) return [];
      return [
        {
          type: 'ImportRowsReverted',
          data: { importId, chunk: command.chunk, rows: command.rows },
        },
      ];
    }
    case 'CompleteRevert': {
      const { revertCounts } = reverting(state, importId);
      return [{ type: 'ImportReverted', data: { importId, counts: revertCounts } }];
    }
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const importDecider: Decider<ImportCommand, ImportEvent, ImportState> = {
  initialState: initialImportState,
  decide,
  evolve: evolveImport,
};
