import { Inject, Injectable } from '@nestjs/common';
import { type CommandContext, CommandHandler, type EventStore, ProblemError } from '@crm/events';
import { EVENT_STORE, ServiceUnavailable, ValidationFailed } from '@crm/platform';
import { v7 as uuidv7 } from 'uuid';
import { parseHeader } from './csv-columns';
import { type CsvText, readCsvRecords } from './csv-reader';
import type { CsvRecord } from './csv-row';
import { ImportBatch } from './import-batch';
import { type ImportLog, ImportLogs } from './import-log';
import { ImportInterrupted, ImportStopped } from './import.errors';
import { ContactMatchQuery } from './read-models/contact-match/contact-match.query';
import type { Importer } from './row.decider';

/** Rows per recorded chunk: the unit of work, of memory and of the report's storage. */
export const CHUNK_ROWS = 500;
const MATCH_INDEX_WAIT_MS = 30_000;

/**
 * Imports a CSV file as a batch: the header first (nothing is written for a bad one), then
 * chunk by chunk, each chunk's rows applied (ImportBatch) and their outcomes recorded on the
 * import's stream. Memory holds one chunk, plus the keys of the rows seen so far.
 */
@Injectable()
export class ContactImporter {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly commands: CommandHandler,
    private readonly matches: ContactMatchQuery,
    private readonly logs: ImportLogs,
  ) {}

  /** Imports the whole file; resolves with the import's id and the position of its last event. */
  async run(
    text: CsvText,
    importer: Importer,
    context: CommandContext,
  ): Promise<{ importId: string; position: number }> {
    const started = await this.start(text, importer, context);
    return { importId: started.importId, position: await started.rows() };
  }

  /**
   * Checks the header and records ImportStarted (a bad header records nothing); `rows()`
   * then imports the rows and resolves with the position of the import's last event. It
   * stops at the next chunk once `signal` is aborted, recording the import as failed.
   */
  async start(text: CsvText, importer: Importer, context: CommandContext): Promise<StartedImport> {
    const records = readCsvRecords(text);
    const first = await records.next();
    if (first.done || 'error' in first.value) {
      throw new ValidationFailed([
        { field: 'header', message: 'the first row must name the columns' },
      ]);
    }
    const header = parseHeader(first.value.fields);
    // Rows must match what exists, including what was imported a moment ago.
    if (!(await this.matches.caughtUp(await this.store.headPosition(), MATCH_INDEX_WAIT_MS))) {
      throw new ServiceUnavailable('the index imports match rows against is catching up; retry');
    }
    const importId = uuidv7();
    const log = this.logs.open(importId, context);
    const position = await log.run({
      type: 'StartImport',
      importId,
      columns: header.columns,
      encoding: text.encoding,
    });
    // The import id as causation id: every party change of the batch says where it came from.
    const rows = { ...context, causationId: importId };
    const batch = new ImportBatch(header, importer, rows, this.commands, this.matches);
    return {
      importId,
      position: position ?? 0,
      rows: (signal?: AbortSignal) => this.importRows(records, batch, log, signal),
    };
  }

  private async importRows(
    records: AsyncIterable<CsvRecord>,
    batch: ImportBatch,
    log: ImportLog,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const { importId } = log;
    try {
      let chunk: CsvRecord[] = [];
      for await (const csvRecord of records) {
        chunk.push(csvRecord);
        if (chunk.length < CHUNK_ROWS) continue;
        await log.run({ type: 'RecordRows', importId, rows: await batch.apply(chunk) });
        chunk = [];
        if (signal?.aborted) throw new ImportInterrupted();
      }
      await log.run({ type: 'RecordRows', importId, rows: await batch.apply(chunk) });
      return (await log.run({ type: 'CompleteImport', importId })) ?? 0;
    } catch (error) {
      const reason =
        error instanceof ProblemError
          ? { code: error.problemType, field: null, message: error.message }
          : {
              code: 'internal-error',
              field: null,
              message: 'the import stopped on an unexpected error',
            };
      // Best effort: when the store itself is failing, this fails too and the import stays running.
      await log.run({ type: 'FailImport', importId, reason }).catch(() => null);
      throw error instanceof ProblemError ? new ImportStopped(importId, error) : error;
    }
  }
}

export interface StartedImport {
  readonly importId: string;
  /** Position of ImportStarted. */
  readonly position: number;
  rows(signal?: AbortSignal): Promise<number>;
}
