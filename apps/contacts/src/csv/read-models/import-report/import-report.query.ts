import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  type ImportRowOutcome,
  type ReadModelProgress,
  type ReadModelStore,
  projectionKey,
} from '@crm/events';
import { Projections, READ_MODELS, ValidationFailed } from '@crm/platform';
import { ImportNotFound } from '../../import.errors';
import {
  chunkDocId,
  type ImportRowReport,
  type ImportRowsDoc,
  importRowsProjection,
} from './import-rows.projection';
import { type ImportSummaryDoc, importSummaryProjection } from './import-summary.projection';

export interface ImportRowsPage {
  readonly items: ImportRowReport[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

interface Cursor {
  readonly chunk: number;
  readonly row: number;
}

/** Chunk documents read per round trip while a page fills. */
const CHUNKS_PER_READ = 4;

const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(cursor: string): Cursor {
  try {
    const { chunk, row } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (Number.isInteger(chunk) && chunk >= 0 && Number.isInteger(row)) return { chunk, row };
  } catch {
    // falls through to the validation problem below
  }
  throw new ValidationFailed([
    { field: 'cursor', message: 'is not a cursor returned by this list' },
  ]);
}

/** The report of an import: its summary, and its rows a page at a time. */
@Injectable()
export class ImportReportQuery implements OnModuleInit {
  private readonly summaries = projectionKey(importSummaryProjection);
  private readonly chunks = projectionKey(importRowsProjection);
  private runners: ReadModelProgress[] = [];

  constructor(
    private readonly projections: Projections,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
  ) {}

  onModuleInit(): void {
    this.runners = [
      this.projections.register(importSummaryProjection),
      this.projections.register(importRowsProjection),
    ];
  }

  /** Resolves true once both read models reflect the log up to `position`. */
  async caughtUp(position: number, timeoutMs: number): Promise<boolean> {
    const done = await Promise.all(this.runners.map((r) => r.waitFor(position, timeoutMs)));
    return done.every(Boolean);
  }

  async summary(importId: string): Promise<ImportSummaryDoc> {
    const found = await this.readModels.load<ImportSummaryDoc>(this.summaries, [importId]);
    const doc = found.get(importId)?.doc;
    if (!doc) throw new ImportNotFound(importId);
    return doc;
  }

  /**
   * Rows in file order, optionally only those with one outcome. A filter on a rare outcome
   * reads chunk documents until the page is full: a few hundred rows per document.
   */
  async rows(
    importId: string,
    query: { outcome?: ImportRowOutcome; cursor?: string; limit: number },
  ): Promise<ImportRowsPage> {
    await this.summary(importId);
    const from = query.cursor === undefined ? { chunk: 0, row: 0 } : decodeCursor(query.cursor);
    const items: ImportRowReport[] = [];
    let more = false;
    let afterId = from.chunk === 0 ? `${importId}:` : chunkDocId(importId, from.chunk - 1);
    let last: Cursor | null = null;
    fill: for (;;) {
      const docs = await this.readModels.find<ImportRowsDoc>(this.chunks, {
        where: { importId },
        afterId,
        limit: CHUNKS_PER_READ,
      });
      for (const doc of docs) {
        for (const row of doc.rows) {
          if (doc.chunk === from.chunk && row.row <= from.row) continue;
          if (query.outcome !== undefined && row.outcome !== query.outcome) continue;
          if (items.length === query.limit) {
            more = true;
            break fill;
          }
          items.push(row);
          last = { chunk: doc.chunk, row: row.row };
        }
        afterId = doc.id;
      }
      if (docs.length < CHUNKS_PER_READ) break;
    }
    return { items, nextCursor: more && last ? encodeCursor(last) : null };
  }
}
