import { ValidationFailed } from '@crm/platform';

/**
 * The columns of an import file and of an export, in export order. Lists (emails, phones,
 * tags) are separated by `;` inside their cell; the first email and phone are the primary
 * ones. An empty cell leaves the party's value as it is.
 */
export const CSV_COLUMNS = [
  'id',
  'external_id',
  'kind',
  'relationship',
  'name',
  'emails',
  'phones',
  'tags',
  'stage',
  'owner',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Every row describes the whole party, so these are needed even to match an existing one. */
export const REQUIRED_COLUMNS: readonly CsvColumn[] = ['kind', 'relationship', 'name'];

/** Headers people write for the same thing. */
const ALIASES: Readonly<Record<string, CsvColumn>> = {
  email: 'emails',
  phone: 'phones',
  tag: 'tags',
  owner_id: 'owner',
  externalid: 'external_id',
  contact_id: 'id',
};

/** The file's columns in file order; null where a column is not one of ours. */
export interface CsvHeader {
  readonly columns: readonly CsvColumn[];
}

const canonical = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/**
 * Reads the header row. Unknown or repeated columns are refused rather than ignored, so a
 * misspelt `emial` column cannot silently import nothing.
 */
export function parseHeader(fields: readonly string[]): CsvHeader {
  const columns: CsvColumn[] = [];
  const errors: { field: string; message: string }[] = [];
  fields.forEach((field, index) => {
    const name = canonical(field);
    const column =
      ALIASES[name] ?? (CSV_COLUMNS as readonly string[]).find((known) => known === name);
    if (!column) {
      errors.push({
        field: `header[${index + 1}]`,
        message: `unknown column; the columns are ${CSV_COLUMNS.join(', ')}`,
      });
    } else if (columns.includes(column as CsvColumn)) {
      errors.push({ field: `header[${index + 1}]`, message: `column ${column} appears twice` });
    } else {
      columns.push(column as CsvColumn);
    }
  });
  for (const required of REQUIRED_COLUMNS) {
    if (!columns.includes(required)) {
      errors.push({ field: 'header', message: `the column ${required} is required` });
    }
  }
  if (errors.length > 0) throw new ValidationFailed(errors);
  return { columns };
}
