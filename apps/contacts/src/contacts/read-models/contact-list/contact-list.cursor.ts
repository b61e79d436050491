import { ValidationFailed } from '@crm/platform';

export const CONTACT_SORTS = [
  'registered',
  '-registered',
  'updated',
  '-updated',
  'name',
  '-name',
] as const;
export type ContactSort = (typeof CONTACT_SORTS)[number];

/** Where a page ended: the sort it belongs to, the last item's sort value and id. */
export interface ListCursor {
  readonly sort: ContactSort;
  readonly value: string | null;
  readonly id: string;
}

export const encodeCursor = (cursor: ListCursor): string =>
  Buffer.from(JSON.stringify({ s: cursor.sort, v: cursor.value, id: cursor.id })).toString(
    'base64url',
  );

/** The cursor, if it is one this list handed out for the same sort; else a 400 problem. */
export function decodeCursor(cursor: string, sort: ContactSort): ListCursor {
  try {
    const { s, v, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      s?: unknown;
      v?: unknown;
      id?: unknown;
    };
    if (s === sort && typeof id === 'string' && (v === null || typeof v === 'string')) {
      return { sort, value: v, id };
    }
  } catch {
    // falls through to the validation problem below
  }
  throw new ValidationFailed([
    { field: 'cursor', message: 'is not a cursor returned by this list for this sort' },
  ]);
}
