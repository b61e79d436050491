import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type CommandContext, CommandHandler } from '@crm/events';
import { CommandCtx, etagOf, parseIfMatch, Roles, ValidationFailed } from '@crm/platform';
import type { Response } from 'express';
import { parsePhoneNumberWithError } from 'libphonenumber-js';
import { v7 as uuidv7 } from 'uuid';
import { contactStreamId } from './contact';
import { type ContactCommand, contactDecider } from './contact.decider';
import {
  ContactHistoryView,
  ContactListPageView,
  ContactView,
  toContactView,
} from './contact.view';
import { ContactHistory } from './contact-history';
import {
  HistoryQueryDto,
  ListContactsQueryDto,
  RegisterContactDto,
  RenameContactDto,
  SetPrimaryEmailDto,
  SetPrimaryPhoneDto,
} from './contacts.dto';
import { ContactListQuery } from './read-models/contact-list/contact-list.query';

const WRITERS = ['rep', 'manager', 'admin'] as const;
const uuid = new ParseUUIDPipe({
  exceptionFactory: () => new ValidationFailed([{ field: 'id', message: 'must be a UUID' }]),
});
const normalizeEmail = (email: string): string => email.trim().toLowerCase();
const normalizePhone = (phone: string): string => parsePhoneNumberWithError(phone).number;
const ifMatch = {
  name: 'If-Match',
  required: false,
  description: 'ETag of the revision you edit (412 if stale)',
};

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('contacts')
export class ContactsController {
  constructor(
    private readonly commands: CommandHandler,
    private readonly list: ContactListQuery,
    private readonly history: ContactHistory,
  ) {}

  @Post()
  @Roles(...WRITERS)
  @ApiCreatedResponse({ type: ContactView })
  register(
    @Body() dto: RegisterContactDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    const contactId = uuidv7();
    response.location(`/contacts/${contactId}`);
    return this.execute(context, undefined, response, {
      type: 'RegisterContact',
      contactId,
      kind: dto.kind,
      relationship: dto.relationship,
      name: dto.name,
      primaryEmail: dto.primaryEmail === undefined ? null : normalizeEmail(dto.primaryEmail),
      primaryPhone: dto.primaryPhone === undefined ? null : normalizePhone(dto.primaryPhone),
    });
  }

  @Get()
  @ApiOkResponse({ type: ContactListPageView })
  find(@Query() query: ListContactsQueryDto): Promise<ContactListPageView> {
    return this.list.page({
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.relationship ? { relationship: query.relationship } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
      limit: query.limit ?? 20,
    });
  }

  @Get(':id')
  @ApiOkResponse({ type: ContactView })
  async get(
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    const { state, revision } = await this.history.current(id);
    response.setHeader('ETag', etagOf(revision));
    return toContactView(state, revision, id);
  }

  @Get(':id/history')
  @ApiOkResponse({ type: ContactHistoryView })
  events(
    @Param('id', uuid) id: string,
    @Query() query: HistoryQueryDto,
  ): Promise<ContactHistoryView> {
    return this.history.page(id, query.fromRevision ?? 0, query.limit ?? 100);
  }

  @Put(':id/name')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  rename(
    @Param('id', uuid) id: string,
    @Body() dto: RenameContactDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.execute(context, etag, response, {
      type: 'RenameContact',
      contactId: id,
      name: dto.name,
    });
  }

  @Put(':id/primary-email')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  setPrimaryEmail(
    @Param('id', uuid) id: string,
    @Body() dto: SetPrimaryEmailDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    const email = dto.email === null ? null : normalizeEmail(dto.email);
    return this.execute(context, etag, response, { type: 'SetPrimaryEmail', contactId: id, email });
  }

  @Put(':id/primary-phone')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  setPrimaryPhone(
    @Param('id', uuid) id: string,
    @Body() dto: SetPrimaryPhoneDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    const phone = dto.phone === null ? null : normalizePhone(dto.phone);
    return this.execute(context, etag, response, { type: 'SetPrimaryPhone', contactId: id, phone });
  }

  private async execute(
    context: CommandContext,
    etag: string | undefined,
    response: Response,
    command: ContactCommand,
  ): Promise<ContactView> {
    const expectedRevision = parseIfMatch(etag);
    const { state, revision } = await this.commands.handle(
      contactDecider,
      contactStreamId(command.contactId),
      command,
      context,
      expectedRevision === undefined ? {} : { expectedRevision },
    );
    response.setHeader('ETag', etagOf(revision));
    return toContactView(state, revision, command.contactId);
  }
}
