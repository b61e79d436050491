import type { ExpectedRevision } from './event-store.port';

/**
 * Base of every error that maps to an RFC 9457 problem response. The problem type is a
 * stable slug; the HTTP layer turns it into a URI.
 */
export abstract class ProblemError extends Error {
  abstract readonly status: number;
  abstract readonly problemType: string;
  abstract readonly title: string;

  constructor(
    message: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream's revision is not the one the append expected: another writer won. */
export class WrongExpectedRevision extends ProblemError {
  readonly status = 409;
  readonly problemType = 'concurrency-conflict';
  readonly title = 'Concurrent modification';

  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`${streamId} is at revision ${String(actual)}, expected ${String(expected)}`, {
      expectedRevision: expected,
      actualRevision: actual,
    });
  }
}

/** Checks an expected revision against the stream's current one (-1 when absent). */
export function assertExpectedRevision(
  streamId: string,
  expected: ExpectedRevision,
  current: number,
): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === -1) ||
    (typeof expected === 'number' && expected === current);
  if (!ok)
    throw new WrongExpectedRevision(streamId, expected, current === -1 ? 'no_stream' : current);
}
