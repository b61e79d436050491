import { ProblemError } from '@crm/events';

export class ImportNotFound extends ProblemError {
  readonly status = 404;
  readonly problemType = 'import-not-found';
  readonly title = 'Import not found';
  constructor(importId: string) {
    super(`no import with id ${importId}`, { importId });
  }
}

/** The import is not in a state that allows this (a revert of a reverted import, …). */
export class ImportRuleBroken extends ProblemError {
  readonly status = 422;
  readonly problemType = 'import-not-allowed';
  readonly title = 'Not allowed for this import';
  constructor(importId: string, message: string) {
    super(message, { importId });
  }
}

/** The file is not text in an encoding we can read, or not the one it declares. */
export class UnreadableEncoding extends ProblemError {
  readonly status = 415;
  readonly problemType = 'unreadable-encoding';
  readonly title = 'The file is not in a readable text encoding';
}

/** The client stopped sending the file before its end. */
export class UploadInterrupted extends ProblemError {
  readonly status = 400;
  readonly problemType = 'upload-interrupted';
  readonly title = 'The upload was interrupted';
}

/** The file is broken beyond one row, so reading stops (e.g. a quote that never closes). */
export class MalformedCsv extends ProblemError {
  readonly status = 400;
  readonly problemType = 'malformed-csv';
  readonly title = 'The file is not well-formed CSV';
}

/** An import that stopped part way, for the reason `cause` gives; its rows so far stay. */
export class ImportStopped extends ProblemError {
  readonly status: number;
  readonly problemType: string;
  readonly title: string;
  constructor(importId: string, cause: ProblemError) {
    super(`import ${importId} stopped: ${cause.message}`, { ...cause.extensions, importId });
    this.status = cause.status;
    this.problemType = cause.problemType;
    this.title = cause.title;
  }
}

/** The service stopped (or restarted) while the import ran in the background. */
export class ImportInterrupted extends ProblemError {
  readonly status = 503;
  readonly problemType = 'import-interrupted';
  readonly title = 'The import was interrupted';
  constructor() {
    super(
      'the service stopped during the import; import the file again: rows already imported come out unchanged',
    );
  }
}
