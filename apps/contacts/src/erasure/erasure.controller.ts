import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { CommandContext } from '@crm/events';
import { CommandCtx, Roles } from '@crm/platform';
import { contactIdPipe } from '../contacts/contacts.controller';
import { ContactErasure } from './contact-erasure';

@ApiTags('erasure')
@ApiBearerAuth()
@Controller('contacts/:id')
export class ErasureController {
  constructor(private readonly erasure: ContactErasure) {}

  @Delete('personal-data')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({
    summary: 'Erase the personal data of a party (right to erasure); admins only',
    description:
      'Records ContactErased and destroys the party\u2019s key: from then on no API, history, time-travel query, export or rebuilt read model shows its personal data; kind, relationship, tags, owner, stage and its history of events remain. Also erases the parties merged into it. Idempotent: erasing again answers 204 without a second event.',
  })
  @ApiNoContentResponse({ description: 'erased (or already erased)' })
  @ApiForbiddenResponse({ description: 'not an admin' })
  @ApiNotFoundResponse({ description: 'no such contact' })
  @ApiUnprocessableEntityResponse({
    description: 'the party is merged into a survivor (contact-merged): erase the survivor',
  })
  async erase(
    @Param('id', contactIdPipe) id: string,
    @CommandCtx() context: CommandContext,
  ): Promise<void> {
    await this.erasure.erase(id, context);
  }
}
