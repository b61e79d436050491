import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { CommandContext } from '@crm/events';
import {
  CommandCtx,
  CurrentPrincipal,
  PayloadTooLarge,
  type Principal,
  Roles,
  SERVICE_CONFIG,
  type ServiceConfig,
  ServiceUnavailable,
  UnsupportedMediaType,
  ValidationFailed,
} from '@crm/platform';
import type { Request, Response } from 'express';
import { MANAGERS, WRITERS } from '../contacts/contacts.controller';
import { BackgroundImports } from './background-imports';
import { CSV_COLUMNS } from './csv-columns';
import { decodeCsv } from './csv-reader';
import { ContactImporter } from './contact-importer';
import { ImportReverter } from './import-reverter';
import { ImportRowsQueryDto } from './imports.dto';
import { ImportRowsPageView, ImportView } from './imports.view';
import { ImportReportQuery } from './read-models/import-report/import-report.query';

/** The route the platform lets through unparsed, for the importer to stream. */
export const CSV_IMPORT_BODY = { method: 'POST', path: '/imports', types: ['text/csv'] } as const;
/** How long a write waits for its report to be readable, so a GET right after sees it. */
const REPORT_WAIT_MS = 10_000;

const importIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new ValidationFailed([{ field: 'id', message: 'must be a UUID' }]),
});

/** `Prefer: respond-async` (RFC 7240): answer once the import started, run it after. */
const respondAsync = (request: Request): boolean =>
  (request.get('prefer') ?? '')
    .split(',')
    .some((preference) => preference.trim().toLowerCase() === 'respond-async');

function charsetOf(request: Request): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(request.headers['content-type'] ?? '');
  return match?.[1] ?? null;
}

@ApiTags('imports')
@ApiBearerAuth()
@Controller('imports')
export class ImportsController {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly importer: ContactImporter,
    private readonly background: BackgroundImports,
    private readonly reverter: ImportReverter,
    private readonly reports: ImportReportQuery,
  ) {}

  @Post()
  @Roles(...WRITERS)
  @ApiConsumes('text/csv')
  @ApiBody({
    description: `a header row, then a party per row. Columns: ${CSV_COLUMNS.join(', ')} (kind, relationship and name required; lists separated by ";", the first email and phone primary). UTF-8 (a BOM is fine), UTF-16 with a BOM, or the charset named in Content-Type; "," ";" or tab between fields.`,
    schema: { type: 'string', format: 'binary' },
  })
  @ApiHeader({
    name: 'Prefer',
    required: false,
    description:
      'respond-async: 202 once the file is uploaded and its header checked, with Location of the import to poll (GET /imports/{id}); the rows are imported after the response. Without it, the response comes when every row is imported (201), which bounds a file by the server request timeout (300 s).',
  })
  @ApiCreatedResponse({ type: ImportView, description: 'imported' })
  @ApiAcceptedResponse({
    type: ImportView,
    description: 'Prefer: respond-async: started (status running), the rows follow',
  })
  async create(
    @Req() request: Request,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ImportView> {
    if (!request.is('text/csv')) throw new UnsupportedMediaType('send the file as text/csv');
    const limit = this.config.importBodyLimitBytes;
    if (Number(request.headers['content-length'] ?? 0) > limit) {
      throw new PayloadTooLarge(`the file exceeds ${limit} bytes`);
    }
    const importer = {
      employeeId: principal.employeeId,
      assignsOwners: principal.roles.some((role) => (MANAGERS as readonly string[]).includes(role)),
    };
    if (respondAsync(request)) {
      const upload = await this.background.spool(request, limit);
      const started = await this.background.start(upload, charsetOf(request), importer, context);
      response.status(202).location(`/imports/${started.importId}`);
      response.setHeader('Preference-Applied', 'respond-async');
      return this.report(started.importId, started.position);
    }
    const text = await decodeCsv(request, charsetOf(request), limit);
    const { importId, position } = await this.importer.run(text, importer, context);
    response.location(`/imports/${importId}`);
    return this.report(importId, position);
  }

  @Get(':id')
  @ApiOkResponse({ type: ImportView })
  get(@Param('id', importIdPipe) id: string): Promise<ImportView> {
    return this.reports.summary(id) as Promise<ImportView>;
  }

  @Get(':id/rows')
  @ApiOkResponse({ type: ImportRowsPageView })
  rows(
    @Param('id', importIdPipe) id: string,
    @Query() query: ImportRowsQueryDto,
  ): Promise<ImportRowsPageView> {
    return this.reports.rows(id, {
      ...(query.status ? { outcome: query.status } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
      limit: query.limit ?? 100,
    }) as Promise<ImportRowsPageView>;
  }

  @Post(':id/revert')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiOkResponse({ type: ImportView })
  async revert(
    @Param('id', importIdPipe) id: string,
    @CommandCtx() context: CommandContext,
  ): Promise<ImportView> {
    return this.report(id, await this.reverter.revert(id, context));
  }

  private async report(importId: string, position: number): Promise<ImportView> {
    if (!(await this.reports.caughtUp(position, REPORT_WAIT_MS))) {
      throw new ServiceUnavailable(
        `import ${importId} is recorded; its report is not readable yet: GET /imports/${importId}`,
      );
    }
    return (await this.reports.summary(importId)) as ImportView;
  }
}
