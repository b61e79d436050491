import type { ImportEvent, ImportRowRecord, RevertRowRecord } from '@crm/events';
import { deciderSpec } from '@crm/events/testing';
import { importDecider } from './import.decider';
import { ImportNotFound, ImportRuleBroken } from './import.errors';

const importId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const contactId = '01a242b7-74cb-754e-8a51-c229a3e10640';
const spec = deciderSpec(importDecider);
const row = (n: number, outcome: ImportRowRecord['outcome']): ImportRowRecord => ({
  row: n,
  outcome,
  contactId: outcome === 'rejected' ? null : contactId,
  revisions: outcome === 'created' ? { from: 0, to: 2 } : null,
  changes: [],
  duplicateOf: null,
  errors: [],
});
const reverted = (n: number): RevertRowRecord => ({
  row: n,
  contactId,
  outcome: 'archived',
  errors: [],
});
const zero = { created: 0, updated: 0, unchanged: 0, duplicate: 0, rejected: 0 };

const started: ImportEvent = {
  type: 'ImportStarted',
  data: { importId, columns: ['kind', 'relationship', 'name'], encoding: 'utf-8' },
};
const chunk0: ImportEvent = {
  type: 'ImportRowsRecorded',
  data: { importId, chunk: 0, rows: [row(2, 'created'), row(3, 'rejected')] },
};
const chunk1: ImportEvent = {
  type: 'ImportRowsRecorded',
  data: { importId, chunk: 1, rows: [row(4, 'created')] },
};
const completed: ImportEvent = {
  type: 'ImportCompleted',
  data: { importId, rows: 3, counts: { ...zero, created: 2, rejected: 1 } },
};
const revertStarted: ImportEvent = { type: 'ImportRevertStarted', data: { importId } };

describe('import decider', () => {
  it('starts an import once', () => {
    spec
      .given([])
      .when({
        type: 'StartImport',
        importId,
        columns: ['kind', 'relationship', 'name'],
        encoding: 'utf-8',
      })
      .then([started]);
    spec
      .given([started])
      .when({ type: 'StartImport', importId, columns: ['name'], encoding: 'utf-8' })
      .thenThrows(ImportRuleBroken, /already started/);
  });

  it('numbers the chunks it records, and records nothing for an empty one', () => {
    spec
      .given([started, chunk0])
      .when({ type: 'RecordRows', importId, rows: [row(4, 'created')] })
      .then([chunk1]);
    spec.given([started]).when({ type: 'RecordRows', importId, rows: [] }).then([]);
  });

  it('completes or fails with the counts of what it recorded', () => {
    spec
      .given([started, chunk0, chunk1])
      .when({ type: 'CompleteImport', importId })
      .then([completed]);
    const reason = { code: 'payload-too-large', field: null, message: 'the file exceeds 10 bytes' };
    spec
      .given([started, chunk0])
      .when({ type: 'FailImport', importId, reason })
      .then([
        {
          type: 'ImportFailed',
          data: { importId, rows: 2, counts: { ...zero, created: 1, rejected: 1 }, reason },
        },
      ]);
  });

  it('records no rows once it ended', () => {
    spec
      .given([started, chunk0, chunk1, completed])
      .when({ type: 'RecordRows', importId, rows: [row(5, 'created')] })
      .thenThrows(ImportRuleBroken, /completed, no longer running/);
  });

  it('reverts a completed or failed import, not a running or unknown one', () => {
    spec
      .given([started, chunk0, chunk1, completed])
      .when({ type: 'StartRevert', importId })
      .then([revertStarted]);
    spec
      .given([started])
      .when({ type: 'StartRevert', importId })
      .thenThrows(ImportRuleBroken, /still running/);
    spec.given([]).when({ type: 'StartRevert', importId }).thenThrows(ImportNotFound);
  });

  it('resumes a revert that stopped half way, after the last chunk it recorded', () => {
    const chunk0Reverted: ImportEvent = {
      type: 'ImportRowsReverted',
      data: { importId, chunk: 0, rows: [reverted(2)] },
    };
    const history = [started, chunk0, chunk1, completed, revertStarted, chunk0Reverted];
    spec.given(history).when({ type: 'StartRevert', importId }).then([]);
    spec
      .given(history)
      .when({ type: 'RecordRevertedRows', importId, chunk: 0, rows: [reverted(2)] })
      .thenThrows(ImportRuleBroken, /reverted already/);
    spec
      .given(history)
      .when({ type: 'RecordRevertedRows', importId, chunk: 1, rows: [reverted(4)] })
      .then([{ type: 'ImportRowsReverted', data: { importId, chunk: 1, rows: [reverted(4)] } }]);
    spec
      .given(history)
      .when({ type: 'CompleteRevert', importId })
      .then([
        {
          type: 'ImportReverted',
          data: { importId, counts: { archived: 1, undone: 0, unchanged: 0, skipped: 0 } },
        },
      ]);
  });

  it('refuses a second revert (422)', () => {
    const done: ImportEvent = {
      type: 'ImportReverted',
      data: { importId, counts: { archived: 0, undone: 0, unchanged: 0, skipped: 0 } },
    };
    spec
      .given([started, chunk0, completed, revertStarted, done])
      .when({ type: 'StartRevert', importId })
      .thenThrows(ImportRuleBroken, /already reverted/);
    spec
      .given([started, chunk0, completed, revertStarted, done])
      .when({ type: 'RecordRevertedRows', importId, chunk: 0, rows: [reverted(2)] })
      .thenThrows(ImportRuleBroken, /not being reverted/);
  });
});
