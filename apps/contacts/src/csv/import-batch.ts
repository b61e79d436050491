import {
  type CommandContext,
  CommandHandler,
  type ImportRowError,
  type ImportRowRecord,
  ProblemError,
} from '@crm/events';
import { v7 as uuidv7 } from 'uuid';
import { contactStreamId } from '../contacts/contact';
import type { CsvHeader } from './csv-columns';
import { type CsvRecord, type ImportRow, parseRow } from './csv-row';
import { mapConcurrently } from './map-concurrently';
import { nameKeyOf } from './read-models/contact-match/contact-match.projection';
import type { ContactMatchQuery } from './read-models/contact-match/contact-match.query';
import { changesOf, type Importer, rowDecider, type RowCommand } from './row.decider';

/** Parties written at once: enough for the event store to commit many appends together. */
export const WRITERS = 128;

/** Where a row goes once matched: a new party, or one that exists. */
type Target =
  | { readonly row: ImportRow; readonly command: 'UpdateFromRow'; readonly contactId: string }
  | { readonly row: ImportRow; readonly command: 'CreateFromRow' }
  | { readonly record: ImportRowRecord };
type Write = {
  readonly row: ImportRow;
  readonly command: RowCommand['type'];
  readonly contactId: string;
};

export const record = (
  row: number,
  outcome: ImportRowRecord['outcome'],
  extra: Partial<ImportRowRecord> = {},
): ImportRowRecord => ({
  row,
  outcome,
  contactId: null,
  revisions: null,
  changes: [],
  duplicateOf: null,
  errors: [],
  ...extra,
});

/** A rule of the party or the import refused the row: the problem, without values. */
export function rowError(error: ProblemError): ImportRowError {
  const field = (error as { field?: unknown }).field;
  return {
    code: error.problemType,
    field: typeof field === 'string' ? field : (FIELDS[error.problemType] ?? null),
    message: error.message,
  };
}

const FIELDS: Readonly<Record<string, string>> = {
  'stage-transition-not-allowed': 'stage',
  'relationship-not-allowed': 'relationship',
  'tag-limit-reached': 'tags',
  'custom-field-limit-reached': 'external_id',
  'contact-not-found': 'id',
};

/**
 * The rows of one file as they go through: each is validated, matched (id column, else
 * external id, else primary email, else kind and name for a row with none of these) and
 * applied to its party as one append. What was seen so far tells a row that repeats an
 * earlier one of the same file.
 */
export class ImportBatch {
  /**
   * Key → the first row that had it: `i:` id column, `x:` external id, `e:` primary email,
   * `p:` the party a row resolved to.
   */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly header: CsvHeader,
    private readonly importer: Importer,
    private readonly context: CommandContext,
    private readonly commands: CommandHandler,
    private readonly matches: ContactMatchQuery,
  ) {}

  async apply(chunk: readonly CsvRecord[]): Promise<ImportRowRecord[]> {
    // Validation and the duplicate checks go in file order; matching and writing in parallel.
    const claimed = chunk.map((csvRecord): Target | { row: ImportRow } => {
      const parsed = parseRow(this.header, csvRecord);
      if (!parsed.ok) return { record: record(parsed.row, 'rejected', { errors: parsed.errors }) };
      return this.claim(parsed.value, keysOf(parsed.value)) ?? { row: parsed.value };
    });
    const matched = await mapConcurrently(claimed, WRITERS, (c) =>
      'record' in c || 'command' in c ? c : this.match(c.row),
    );
    // New ids in file order (the list shows parties in id order); a new party cannot have
    // been matched by an earlier row, so only existing ones are claimed.
    const targets = matched.map((t) => {
      if ('record' in t) return t;
      if (t.command === 'CreateFromRow') return { ...t, contactId: uuidv7() };
      return this.claim(t.row, [`p:${t.contactId}`]) ?? t;
    });
    return mapConcurrently(targets, WRITERS, (t) => ('record' in t ? t.record : this.write(t)));
  }

  /** A row with a key an earlier row of the file had is a duplicate of that row. */
  private claim(row: ImportRow, keys: readonly string[]): { record: ImportRowRecord } | null {
    for (const key of keys) {
      const first = this.seen.get(key);
      if (first !== undefined)
        return { record: record(row.row, 'duplicate', { duplicateOf: first }) };
    }
    for (const key of keys) this.seen.set(key, row.row);
    return null;
  }

  private async match(row: ImportRow): Promise<Target> {
    const update = (contactId: string) => ({ row, command: 'UpdateFromRow' as const, contactId });
    const ambiguous = (field: string) => ({
      record: record(row.row, 'rejected', {
        errors: [
          {
            code: 'ambiguous-match',
            field,
            message: `several parties match this ${field}; add the id column to say which`,
          },
        ],
      }),
    });
    if (row.id !== null) return update(row.id);
    if (row.externalId !== null) {
      const ids = await this.matches.byExternalId(row.externalId);
      if (ids.length > 1) return ambiguous('external_id');
      if (ids[0] !== undefined) return update(ids[0]);
    }
    const [email] = row.emails;
    if (email !== undefined) {
      // A party that has an external id is another record of the source than this row's.
      const parties = (await this.matches.byEmail(email)).filter(
        (party) => row.externalId === null || !party.hasExternalId,
      );
      if (parties.length > 1) return ambiguous('emails');
      if (parties[0] !== undefined) return update(parties[0].id);
    }
    if (row.externalId === null && email === undefined) {
      // Nothing identifies the row but what it names: the same file imported twice still
      // finds its parties.
      const ids = await this.matches.byName(row.kind, row.name);
      if (ids.length > 1) return ambiguous('name');
      if (ids[0] !== undefined) return update(ids[0]);
    }
    return { row, command: 'CreateFromRow' };
  }

  private async write(target: Write): Promise<ImportRowRecord> {
    const { row, contactId } = target;
    try {
      const { events, revision } = await this.commands.handle(
        rowDecider,
        contactStreamId(contactId),
        { type: target.command, contactId, row, importer: this.importer },
        this.context,
        { retriesOnConflict: 2 },
      );
      if (events.length === 0) return record(row.row, 'unchanged', { contactId });
      const revisions = { from: revision - events.length + 1, to: revision };
      return target.command === 'CreateFromRow'
        ? record(row.row, 'created', { contactId, revisions })
        : record(row.row, 'updated', { contactId, revisions, changes: changesOf(events) });
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      const matched = target.command === 'UpdateFromRow' ? { contactId } : {};
      return record(row.row, 'rejected', { ...matched, errors: [rowError(error)] });
    }
  }
}

function keysOf(row: ImportRow): string[] {
  const keys: string[] = [];
  if (row.id !== null) keys.push(`i:${row.id}`);
  if (row.externalId !== null) keys.push(`x:${row.externalId}`);
  if (row.emails[0] !== undefined) keys.push(`e:${row.emails[0]}`);
  if (keys.length === 0) keys.push(`n:${nameKeyOf(row.kind, row.name)}`);
  return keys;
}
