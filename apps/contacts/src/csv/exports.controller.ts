import { Controller, Get, Logger, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ContactExport, type ExportFilter } from './contact-export';
import { ExportContactsQueryDto } from './imports.dto';

@ApiTags('imports')
@ApiBearerAuth()
@Controller('exports')
export class ExportsController {
  private readonly logger = new Logger('ExportsController');

  constructor(private readonly exports: ContactExport) {}

  /**
   * Streamed: a page of the list at a time, written as the client reads. The file starts
   * with a UTF-8 byte-order mark so that spreadsheets read it as UTF-8; imports accept it.
   */
  @Get('contacts.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'the columns an import reads; it imports back as all unchanged',
    schema: { type: 'string' },
  })
  async contacts(@Query() query: ExportContactsQueryDto, @Res() response: Response): Promise<void> {
    // Every filter the list takes (the DTO is the list's, less its paging), under its name.
    const filter = Object.fromEntries(
      Object.entries(query).filter(([, value]) => value !== undefined),
    ) as ExportFilter;
    const rows = await this.exports.open(filter);
    const date = new Date().toISOString().slice(0, 10);
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="contacts-${date}.csv"`);
    try {
      await pipeline(Readable.from(rows), stringify({ bom: true }), response);
    } catch (error) {
      // Once the first bytes are out, a failure can only cut the file short (the pipeline
      // has destroyed the response): the client sees an incomplete transfer.
      this.logger.warn(`export stopped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
