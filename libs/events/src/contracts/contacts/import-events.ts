import type { DomainEvent } from '../../store/event';
import type { EventContract } from '../event-contract';
import { CONTACTS_SOURCE } from './contact-events';

// Events of a CSV import batch (stream `import-<id>`). They record ids, row numbers, outcomes
// and which fields changed, never the personal values themselves: those live only in the
// parties' own streams, sealed with each party's key. So the batch needs no key of its own
// and erasing a party leaves nothing of it here but its id. The category has no Kafka topic:
// other services learn of imported parties from the contact events (caused by the import).

export const IMPORT_STREAM_CATEGORY = 'import';

/** What an import did with one row of the file. */
export const IMPORT_ROW_OUTCOMES = [
  'created',
  'updated',
  'unchanged',
  'duplicate',
  'rejected',
] as const;
export type ImportRowOutcome = (typeof IMPORT_ROW_OUTCOMES)[number];
/** What reverting did with a row the import created or updated. */
export const REVERT_ROW_OUTCOMES = ['archived', 'undone', 'unchanged', 'skipped'] as const;
export type RevertRowOutcome = (typeof REVERT_ROW_OUTCOMES)[number];
/** Fields of a party an import may change, as reported per updated row. */
export const IMPORT_CHANGES = [
  'name',
  'emails',
  'primaryEmail',
  'phones',
  'primaryPhone',
  'tags',
  'stage',
  'owner',
  'externalId',
] as const;
export type ImportChange = (typeof IMPORT_CHANGES)[number];

/** Why a row was rejected (or not reverted). Messages never quote the row's values. */
export interface ImportRowError {
  /** A problem type slug: `invalid-field`, `malformed-csv`, `stage-transition-not-allowed`… */
  readonly code: string;
  /** The CSV column concerned, when there is one. */
  readonly field: string | null;
  readonly message: string;
}

export interface ImportRowRecord {
  /** Line of the file where the record starts; the header is row 1. */
  readonly row: number;
  readonly outcome: ImportRowOutcome;
  /** The party created, updated or matched; null when rejected before matching. */
  readonly contactId: string | null;
  /** Revisions of the party's stream the import appended (created and updated rows). */
  readonly revisions: { readonly from: number; readonly to: number } | null;
  readonly changes: readonly ImportChange[];
  /** For a duplicate: the earlier row of the same file it repeats. */
  readonly duplicateOf: number | null;
  readonly errors: readonly ImportRowError[];
}

export interface RevertRowRecord {
  readonly row: number;
  readonly contactId: string;
  readonly outcome: RevertRowOutcome;
  /** Why a row was skipped, or which fields were left because they changed since. */
  readonly errors: readonly ImportRowError[];
}

export type ImportCounts = Readonly<Record<ImportRowOutcome, number>>;
export type RevertCounts = Readonly<Record<RevertRowOutcome, number>>;

type Id = { readonly importId: string };
type ImportEventOf<T extends string, D = object> = DomainEvent<T, Id & Readonly<D>>;

export type ImportStarted = ImportEventOf<
  'ImportStarted',
  {
    /** The file's columns as understood (canonical names), in file order. */
    columns: readonly string[];
    /** Encoding the file was read in (`utf-8`, `utf-16le`, `windows-1252`…). */
    encoding: string;
  }
>;
/** One chunk of consecutive rows, numbered from 0. */
export type ImportRowsRecorded = ImportEventOf<
  'ImportRowsRecorded',
  { chunk: number; rows: readonly ImportRowRecord[] }
>;
export type ImportCompleted = ImportEventOf<
  'ImportCompleted',
  { rows: number; counts: ImportCounts }
>;
/** The file could not be read to its end; the rows recorded so far stay (and can be reverted). */
export type ImportFailed = ImportEventOf<
  'ImportFailed',
  { rows: number; counts: ImportCounts; reason: ImportRowError }
>;
export type ImportRevertStarted = ImportEventOf<'ImportRevertStarted'>;
/** The revert of the created and updated rows of one recorded chunk (chunks without any have none). */
export type ImportRowsReverted = ImportEventOf<
  'ImportRowsReverted',
  { chunk: number; rows: readonly RevertRowRecord[] }
>;
export type ImportReverted = ImportEventOf<'ImportReverted', { counts: RevertCounts }>;

export type ImportEvent =
  | ImportStarted
  | ImportRowsRecorded
  | ImportCompleted
  | ImportFailed
  | ImportRevertStarted
  | ImportRowsReverted
  | ImportReverted;

const uuid = { type: 'string', format: 'uuid' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const closed = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});
const counts = (outcomes: readonly string[]) =>
  closed(Object.fromEntries(outcomes.map((outcome) => [outcome, count])));
const rowError = closed({
  code: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', maxLength: 80 },
  field: nullable({ type: 'string', maxLength: 40 }),
  message: { type: 'string', minLength: 1, maxLength: 500 },
});
const row = { type: 'integer', minimum: 2 } as const;
const importRow = closed({
  row,
  outcome: { enum: IMPORT_ROW_OUTCOMES },
  contactId: nullable(uuid),
  revisions: nullable(closed({ from: count, to: count })),
  changes: { type: 'array', items: { enum: IMPORT_CHANGES }, uniqueItems: true },
  duplicateOf: nullable(row),
  errors: { type: 'array', items: rowError },
});
const revertRow = closed({
  row,
  contactId: uuid,
  outcome: { enum: REVERT_ROW_OUTCOMES },
  errors: { type: 'array', items: rowError },
});

function contract(
  type: ImportEvent['type'],
  slug: string,
  properties: Record<string, unknown>,
): EventContract {
  const all = { importId: uuid, ...properties };
  return {
    type,
    ceType: `crm.contacts.${slug}.v1`,
    source: CONTACTS_SOURCE,
    category: IMPORT_STREAM_CATEGORY,
    personalFields: [],
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: type,
      type: 'object',
      additionalProperties: false,
      required: Object.keys(all),
      properties: all,
    },
  };
}

export const IMPORT_EVENT_CONTRACTS: readonly EventContract[] = [
  contract('ImportStarted', 'import-started', {
    columns: { type: 'array', items: { type: 'string', maxLength: 40 }, minItems: 1 },
    encoding: { type: 'string', minLength: 1, maxLength: 40 },
  }),
  contract('ImportRowsRecorded', 'import-rows-recorded', {
    chunk: count,
    rows: { type: 'array', items: importRow, minItems: 1 },
  }),
  contract('ImportCompleted', 'import-completed', {
    rows: count,
    counts: counts(IMPORT_ROW_OUTCOMES),
  }),
  contract('ImportFailed', 'import-failed', {
    rows: count,
    counts: counts(IMPORT_ROW_OUTCOMES),
    reason: rowError,
  }),
  contract('ImportRevertStarted', 'import-revert-started', {}),
  contract('ImportRowsReverted', 'import-rows-reverted', {
    chunk: count,
    rows: { type: 'array', items: revertRow, minItems: 1 },
  }),
  contract('ImportReverted', 'import-reverted', { counts: counts(REVERT_ROW_OUTCOMES) }),
];
