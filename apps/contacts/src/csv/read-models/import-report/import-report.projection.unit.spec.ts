import type { ImportEvent, ImportRowRecord } from '@crm/events';
import { projectionSpec } from '@crm/events/testing';
import { chunkDocId, importRowsProjection } from './import-rows.projection';
import { type ImportSummaryDoc, importSummaryProjection } from './import-summary.projection';

const importId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const contactId = '01a242b7-74cb-754e-8a51-c229a3e10640';
const streamId = `import-${importId}`;
const at = (time: string, actorId = 'alice') => ({ metadata: { recordedAt: time, actorId } });
const on = (event: ImportEvent, time = '2026-03-01T10:00:00.000Z', actor = 'alice') => ({
  streamId,
  event,
  ...at(time, actor),
});
const row = (n: number, outcome: ImportRowRecord['outcome']): ImportRowRecord => ({
  row: n,
  outcome,
  contactId: outcome === 'rejected' ? null : contactId,
  revisions: outcome === 'created' ? { from: 0, to: 1 } : null,
  changes: [],
  duplicateOf: null,
  errors: [],
});
const zero = { created: 0, updated: 0, unchanged: 0, duplicate: 0, rejected: 0 };
const zeroRevert = { archived: 0, undone: 0, unchanged: 0, skipped: 0 };

const started = on({
  type: 'ImportStarted',
  data: { importId, columns: ['name'], encoding: 'utf-8' },
});
const chunk = on({
  type: 'ImportRowsRecorded',
  data: { importId, chunk: 0, rows: [row(2, 'created'), row(3, 'rejected'), row(4, 'created')] },
});
const completed = on(
  {
    type: 'ImportCompleted',
    data: { importId, rows: 3, counts: { ...zero, created: 2, rejected: 1 } },
  },
  '2026-03-01T10:01:00.000Z',
);
const revertStarted = on(
  { type: 'ImportRevertStarted', data: { importId } },
  '2026-03-02T08:00:00.000Z',
  'maria',
);
const rowsReverted = on({
  type: 'ImportRowsReverted',
  data: { importId, chunk: 0, rows: [{ row: 2, contactId, outcome: 'archived', errors: [] }] },
});

const summary: ImportSummaryDoc = {
  id: importId,
  status: 'running',
  startedBy: 'alice',
  startedAt: '2026-03-01T10:00:00.000Z',
  finishedAt: null,
  encoding: 'utf-8',
  columns: ['name'],
  rows: 0,
  counts: zero,
  failure: null,
  revert: null,
};
const recorded = { ...summary, rows: 3, counts: { ...zero, created: 2, rejected: 1 } };
const done = { ...recorded, status: 'completed' as const, finishedAt: '2026-03-01T10:01:00.000Z' };
const reverting = {
  ...done,
  status: 'reverting' as const,
  revert: {
    startedBy: 'maria',
    startedAt: '2026-03-02T08:00:00.000Z',
    finishedAt: null,
    counts: zeroRevert,
  },
};

describe('import summary projection', () => {
  const spec = projectionSpec(importSummaryProjection);

  it('ImportStarted opens the summary under the employee who imported', () => {
    spec.given([]).when(started).then(summary);
  });

  it('ImportRowsRecorded counts the outcomes', () => {
    spec.given([started]).when(chunk).then(recorded);
  });

  it('ImportCompleted and ImportFailed close it', () => {
    spec.given([started, chunk]).when(completed).then(done);
    const reason = { code: 'malformed-csv', field: null, message: 'a quote is never closed' };
    spec
      .given([started, chunk])
      .when(
        on({ type: 'ImportFailed', data: { importId, rows: 3, counts: recorded.counts, reason } }),
      )
      .then({
        ...recorded,
        status: 'failed',
        finishedAt: '2026-03-01T10:00:00.000Z',
        failure: reason,
      });
  });

  it('ImportRevertStarted, ImportRowsReverted and ImportReverted follow the revert', () => {
    spec.given([started, chunk, completed]).when(revertStarted).then(reverting);
    const counted = { ...reverting.revert, counts: { ...zeroRevert, archived: 1 } };
    spec
      .given([started, chunk, completed, revertStarted])
      .when(rowsReverted)
      .then({ ...reverting, revert: counted });
    spec
      .given([started, chunk, completed, revertStarted, rowsReverted])
      .when(
        on(
          { type: 'ImportReverted', data: { importId, counts: counted.counts } },
          '2026-03-02T08:05:00.000Z',
        ),
      )
      .then({
        ...reverting,
        status: 'reverted',
        revert: { ...counted, finishedAt: '2026-03-02T08:05:00.000Z' },
      });
  });

  it('an event of an import it never saw started creates nothing', () => {
    spec.given([]).when(chunk).then(null);
  });
});

describe('import rows projection', () => {
  const spec = projectionSpec(importRowsProjection);
  const reports = [row(2, 'created'), row(3, 'rejected'), row(4, 'created')].map((r) => ({
    ...r,
    revert: null,
  }));

  it('ImportRowsRecorded stores the chunk of rows under an id that sorts in chunk order', () => {
    spec
      .given([])
      .when(chunk)
      .then({ id: chunkDocId(importId, 0), importId, chunk: 0, rows: reports });
    expect(chunkDocId(importId, 9) < chunkDocId(importId, 10)).toBe(true);
  });

  it('ImportRowsReverted adds the revert outcome to the rows it reverted', () => {
    const [first, ...rest] = reports;
    spec
      .given([chunk])
      .when(rowsReverted)
      .then({
        id: chunkDocId(importId, 0),
        importId,
        chunk: 0,
        rows: [{ ...first!, revert: { outcome: 'archived', errors: [] } }, ...rest],
      });
  });
});
