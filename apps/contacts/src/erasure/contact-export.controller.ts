import { Controller, Get, Param } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '@crm/platform';
import { contactIdPipe, MANAGERS } from '../contacts/contacts.controller';
import { ContactExport } from './contact-export';
import { ContactExportView } from './contact-export.view';

@ApiTags('erasure')
@ApiBearerAuth()
@Controller('contacts/:id')
export class ContactExportController {
  constructor(private readonly exports: ContactExport) {}

  @Get('export')
  @Roles(...MANAGERS)
  @ApiOperation({
    summary: 'Everything held about a party (right of access); managers and admins',
    description:
      'The party now, every event of its stream decoded (CloudEvents), the merges it took part in, and its document in each read model. After erasure only non-personal facts remain.',
  })
  @ApiOkResponse({ type: ContactExportView })
  @ApiForbiddenResponse({ description: 'not a manager or admin' })
  @ApiNotFoundResponse({ description: 'no such contact' })
  export(@Param('id', contactIdPipe) id: string): Promise<ContactExportView> {
    return this.exports.export(id, new Date());
  }
}
