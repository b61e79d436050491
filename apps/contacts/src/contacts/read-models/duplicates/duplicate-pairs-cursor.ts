import { ValidationFailed } from '@crm/platform';

/** Where a page of candidate pairs ended. */
export interface Cursor {
  readonly partyId: string;
  /** Pairs of partyId up to this one were returned; null: all of them. */
  readonly duplicateId: string | null;
}

export const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify(cursor)).toString('base64url');

export function decodeCursor(cursor: string): Cursor {
  try {
    const { partyId, duplicateId } = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    ) as Partial<Cursor>;
    if (typeof partyId === 'string' && (duplicateId === null || typeof duplicateId === 'string')) {
      return { partyId, duplicateId };
    }
  } catch {
    // falls through to the validation problem below
  }
  throw new ValidationFailed([
    { field: 'cursor', message: 'is not a cursor returned by this list' },
  ]);
}
