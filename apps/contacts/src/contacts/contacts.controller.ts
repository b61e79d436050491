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
import type { CommandContext } from '@crm/events';
import {
  CommandCtx,
  CurrentPrincipal,
  etagOf,
  Forbidden,
  type Principal,
  Roles,
  ValidationFailed,
} from '@crm/platform';
import type { Response } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { ContactCommands } from './contact-commands';
import { ContactHistory } from './contact-history';
import {
  ContactHistoryView,
  ContactListPageView,
  ContactView,
  RegisteredContactView,
  toContactView,
} from './contact.view';
import { GetContactQueryDto, HistoryQueryDto, ListContactsQueryDto } from './contact-queries.dto';
import {
  ArchiveContactDto,
  RegisterContactDto,
  RenameContactDto,
  SetPrimaryEmailDto,
  SetPrimaryPhoneDto,
} from './contacts.dto';
import { normalizeEmail, normalizePhone } from './contact-points';
import { ContactListQuery } from './read-models/contact-list/contact-list.query';
import { DuplicatesQuery } from './read-models/duplicates/duplicates.query';

export const WRITERS = ['rep', 'manager', 'admin'] as const;
export const MANAGERS = ['manager', 'admin'] as const;
export const contactIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new ValidationFailed([{ field: 'id', message: 'must be a UUID' }]),
});
export const ifMatch = {
  name: 'If-Match',
  required: false,
  description: 'ETag of the revision you edit (412 if stale)',
};

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('contacts')
export class ContactsController {
  constructor(
    private readonly commands: ContactCommands,
    private readonly list: ContactListQuery,
    private readonly history: ContactHistory,
    private readonly duplicates: DuplicatesQuery,
  ) {}

  @Post()
  @Roles(...WRITERS)
  @ApiCreatedResponse({ type: RegisteredContactView })
  async register(
    @Body() dto: RegisterContactDto,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RegisteredContactView> {
    const ownerId = dto.ownerId ?? principal.employeeId;
    if (ownerId !== principal.employeeId && !principal.roles.some((r) => r !== 'rep')) {
      throw new Forbidden('only managers and admins register contacts for another owner');
    }
    const contactId = uuidv7();
    const primaryEmail = dto.primaryEmail === undefined ? null : normalizeEmail(dto.primaryEmail);
    const primaryPhone = dto.primaryPhone === undefined ? null : normalizePhone(dto.primaryPhone);
    // Looked up before the write: should the lookup fail, nothing was registered.
    const possibleDuplicates = await this.duplicates.forNewParty({
      kind: dto.kind,
      name: dto.name,
      primaryEmail,
      primaryPhone,
    });
    response.location(`/contacts/${contactId}`);
    const view = await this.commands.register(
      {
        type: 'RegisterContact',
        contactId,
        kind: dto.kind,
        relationship: dto.relationship,
        name: dto.name,
        primaryEmail,
        primaryPhone,
        ownerId,
        stage: dto.stage ?? null,
        tags: dto.tags ?? [],
      },
      context,
      response,
    );
    return Object.assign(view, { possibleDuplicates });
  }

  @Get()
  @ApiOkResponse({ type: ContactListPageView })
  find(@Query() query: ListContactsQueryDto): Promise<ContactListPageView> {
    const { limit = 20, archived = 'false', ...filter } = query;
    return this.list.page({
      ...filter,
      archived: archived === 'any' ? 'any' : archived === 'true',
      limit,
    });
  }

  @Get(':id')
  @ApiOkResponse({ type: ContactView })
  async get(
    @Param('id', contactIdPipe) id: string,
    @Query() query: GetContactQueryDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    if (query.asOf !== undefined) {
      const { state, revision } = await this.history.asOf(id, new Date(query.asOf));
      return toContactView(state, revision, id);
    }
    const { state, revision } = await this.history.current(id);
    response.setHeader('ETag', etagOf(revision));
    return toContactView(state, revision, id);
  }

  @Get(':id/history')
  @ApiOkResponse({ type: ContactHistoryView })
  events(
    @Param('id', contactIdPipe) id: string,
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
    @Param('id', contactIdPipe) id: string,
    @Body() dto: RenameContactDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      { type: 'RenameContact', contactId: id, name: dto.name },
      context,
      response,
      etag,
    );
  }

  @Put(':id/primary-email')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  setPrimaryEmail(
    @Param('id', contactIdPipe) id: string,
    @Body() dto: SetPrimaryEmailDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    const email = dto.email === null ? null : normalizeEmail(dto.email);
    return this.commands.execute(
      { type: 'SetPrimaryEmail', contactId: id, email },
      context,
      response,
      etag,
    );
  }

  @Put(':id/primary-phone')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  setPrimaryPhone(
    @Param('id', contactIdPipe) id: string,
    @Body() dto: SetPrimaryPhoneDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    const phone = dto.phone === null ? null : normalizePhone(dto.phone);
    return this.commands.execute(
      { type: 'SetPrimaryPhone', contactId: id, phone },
      context,
      response,
      etag,
    );
  }

  @Post(':id/archive')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  archive(
    @Param('id', contactIdPipe) id: string,
    @Body() dto: ArchiveContactDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      { type: 'ArchiveContact', contactId: id, reason: dto.reason ?? null },
      context,
      response,
      etag,
    );
  }

  @Post(':id/restore')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  restore(
    @Param('id', contactIdPipe) id: string,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      { type: 'RestoreContact', contactId: id },
      context,
      response,
      etag,
    );
  }
}
