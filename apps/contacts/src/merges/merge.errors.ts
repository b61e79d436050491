import { ProblemError } from '@crm/events';

/** A party of a merge (or of its undo) changed between reading it and writing to it. */
export class MergeConflict extends ProblemError {
  readonly status = 409;
  readonly problemType = 'concurrency-conflict';
  readonly title = 'Concurrent modification';
  constructor(mergeId: string, cause: string, advice: string) {
    super(`${cause}; ${advice}`, { mergeId });
  }
}
