import { ValidationFailed } from './problems';

/** Weak ETag carrying a stream revision: `W/"3"`. */
export function etagOf(revision: number): string {
  return `W/"${revision}"`;
}

/** Parses `If-Match` into the expected revision; absent → undefined. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(header);
  if (!match?.[1]) {
    throw new ValidationFailed([
      { field: 'If-Match', message: 'must be an ETag from this API, such as W/"3"' },
    ]);
  }
  return Number(match[1]);
}
