import {
  CONTACT_LIMITS,
  type ImportRowError,
  LIFECYCLE_STAGES,
  type LifecycleStage,
  PARTY_KINDS,
  type PartyKind,
  RELATIONSHIPS,
  type Relationship,
} from '@crm/events';
import { isEmail, isUUID } from 'class-validator';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizeTag } from '../contacts/dto-fields';
import { normalizeEmail } from '../contacts/contact-points';
import type { CsvColumn, CsvHeader } from './csv-columns';

/** One valid row, normalized the way the API normalizes (lower-cased emails, E.164 phones). */
export interface ImportRow {
  readonly row: number;
  readonly id: string | null;
  readonly externalId: string | null;
  readonly kind: PartyKind;
  readonly relationship: Relationship;
  readonly name: string;
  /** The first is the primary one; empty leaves the party's emails as they are. */
  readonly emails: readonly string[];
  readonly phones: readonly string[];
  readonly tags: readonly string[];
  readonly stage: LifecycleStage | null;
  readonly owner: string | null;
}

export type ParsedRow =
  | { readonly ok: true; readonly value: ImportRow }
  | { readonly ok: false; readonly row: number; readonly errors: readonly ImportRowError[] };

/** A record of the file as the CSV reader delivers it: its fields, or why it is unreadable. */
export type CsvRecord =
  | { readonly row: number; readonly fields: readonly string[] }
  | { readonly row: number; readonly error: ImportRowError };

export const EXTERNAL_ID_MAX = 200;
const OWNER_MAX = 200;
const TAG = /^[a-z0-9][a-z0-9 _-]*$/;
/** What a decoder puts where the bytes were not valid in the file's encoding. */
const REPLACEMENT = '\uFFFD';

const invalid = (field: CsvColumn, message: string): ImportRowError => ({
  code: 'invalid-field',
  field,
  message,
});

const list = (cell: string): string[] =>
  cell
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function oneOf<T extends string>(
  column: CsvColumn,
  value: string,
  allowed: readonly T[],
  errors: ImportRowError[],
): T | null {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  errors.push(invalid(column, `must be one of ${allowed.join(', ')}`));
  return null;
}

function emails(cell: string, errors: ImportRowError[]): string[] {
  const found = list(cell).map(normalizeEmail);
  if (found.some((email) => email.length > CONTACT_LIMITS.email || !isEmail(email))) {
    errors.push(invalid('emails', 'each entry must be an email address (separate them with ";")'));
  }
  return [...new Set(found)];
}

/** Valid the way the API's DTOs check them (full libphonenumber metadata), stored as E.164. */
function phones(cell: string, errors: ImportRowError[]): string[] {
  const found: string[] = [];
  for (const phone of list(cell)) {
    const parsed = parsePhoneNumberFromString(phone);
    if (!parsed?.isValid()) {
      errors.push(
        invalid(
          'phones',
          'each entry must be a phone number in international format (+country code)',
        ),
      );
      return [];
    }
    found.push(parsed.number);
  }
  return [...new Set(found)];
}

function tags(cell: string, errors: ImportRowError[]): string[] {
  const found = [...new Set(list(cell).map(normalizeTag))];
  if (found.some((tag) => tag.length > CONTACT_LIMITS.tag || !TAG.test(tag))) {
    errors.push(invalid('tags', 'each tag is 1-50 letters, digits, spaces, "-" or "_"'));
  }
  if (found.length > CONTACT_LIMITS.tags) {
    errors.push(invalid('tags', `at most ${CONTACT_LIMITS.tags} tags`));
  }
  return found;
}

function text(column: CsvColumn, cell: string, max: number, errors: ImportRowError[]) {
  if (cell.length > max) errors.push(invalid(column, `must be at most ${max} characters`));
  return cell === '' ? null : cell;
}

/**
 * Validates and normalizes one record against the header. Every problem of the row is
 * reported, and no message quotes a value: reports and events must not carry personal data.
 */
export function parseRow(header: CsvHeader, record: CsvRecord): ParsedRow {
  if ('error' in record) return { ok: false, row: record.row, errors: [record.error] };
  const { row, fields } = record;
  if (fields.length !== header.columns.length) {
    const error = {
      code: 'wrong-column-count',
      field: null,
      message: `expected ${header.columns.length} columns, found ${fields.length}`,
    };
    return { ok: false, row, errors: [error] };
  }
  const cell = (column: CsvColumn): string => {
    const index = header.columns.indexOf(column);
    return index < 0 ? '' : (fields[index] ?? '').trim();
  };
  if (fields.some((field) => field.includes(REPLACEMENT))) {
    const error = {
      code: 'invalid-encoding',
      field: null,
      message: "the row has bytes that are not valid in the file's encoding",
    };
    return { ok: false, row, errors: [error] };
  }

  const errors: ImportRowError[] = [];
  const id = cell('id');
  if (id !== '' && !isUUID(id)) errors.push(invalid('id', 'must be a contact id (UUID)'));
  const required = (column: CsvColumn) => {
    const value = cell(column);
    if (value === '') errors.push(invalid(column, 'is required'));
    return value;
  };
  const kindCell = required('kind');
  const relationshipCell = required('relationship');
  const name = required('name');
  const kind = kindCell && oneOf('kind', kindCell, PARTY_KINDS, errors);
  const relationship =
    relationshipCell && oneOf('relationship', relationshipCell, RELATIONSHIPS, errors);
  text('name', name, CONTACT_LIMITS.name, errors);
  const stageCell = cell('stage');
  const stage = stageCell === '' ? null : oneOf('stage', stageCell, LIFECYCLE_STAGES, errors);
  const value: Omit<ImportRow, 'kind' | 'relationship'> = {
    row,
    id: id === '' ? null : id.toLowerCase(),
    externalId: text('external_id', cell('external_id'), EXTERNAL_ID_MAX, errors),
    name,
    emails: emails(cell('emails'), errors),
    phones: phones(cell('phones'), errors),
    tags: tags(cell('tags'), errors),
    stage,
    owner: text('owner', cell('owner'), OWNER_MAX, errors),
  };
  if (errors.length > 0 || !kind || !relationship) return { ok: false, row, errors };
  return { ok: true, value: { ...value, kind, relationship } };
}
