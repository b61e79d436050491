import {
  Body,
  Controller,
  Delete,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@crm/events';
import { CommandCtx, Roles, ValidationFailed } from '@crm/platform';
import type { Response } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { ContactCommands } from './contact-commands';
import { ContactHistory } from './contact-history';
import { ContactView } from './contact.view';
import { contactIdPipe, ifMatch, WRITERS } from './contacts.controller';
import { AffiliateDto, EndAffiliationDto, SetParentDto } from './contact-relations.dto';

const affiliationIdPipe = new ParseUUIDPipe({
  exceptionFactory: () =>
    new ValidationFailed([{ field: 'affiliationId', message: 'must be a UUID' }]),
});
/** Deeper trees than this are refused rather than walked forever. */
const MAX_DEPTH = 50;

/** Parents (subsidiaries, the unit tree) and affiliations of people. */
@ApiTags('contacts')
@ApiBearerAuth()
@Controller('contacts/:id')
export class ContactRelationsController {
  constructor(
    private readonly commands: ContactCommands,
    private readonly contacts: ContactHistory,
  ) {}

  @Put('parent')
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  async setParent(
    @Param('id', contactIdPipe) id: string,
    @Body() dto: SetParentDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    const parent =
      dto.parentId === null
        ? null
        : {
            id: dto.parentId,
            kind: (await this.contacts.party(dto.parentId)).kind,
            ancestors: await this.ancestors(dto.parentId),
          };
    return this.commands.execute(
      { type: 'SetParent', contactId: id, parent },
      context,
      response,
      etag,
    );
  }

  @Post('affiliations')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  async affiliate(
    @Param('id', contactIdPipe) id: string,
    @Body() dto: AffiliateDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    const organization = await this.contacts.party(dto.organizationId);
    return this.commands.execute(
      {
        type: 'Affiliate',
        contactId: id,
        affiliationId: uuidv7(),
        organization: { id: organization.id, kind: organization.kind },
        title: dto.title ?? null,
        since: dto.since ?? null,
        until: dto.until ?? null,
      },
      context,
      response,
      etag,
    );
  }

  @Put('affiliations/:affiliationId/until')
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  endAffiliation(
    @Param('id', contactIdPipe) id: string,
    @Param('affiliationId', affiliationIdPipe) affiliationId: string,
    @Body() dto: EndAffiliationDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      { type: 'EndAffiliation', contactId: id, affiliationId, until: dto.until },
      context,
      response,
      etag,
    );
  }

  @Delete('affiliations/:affiliationId')
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  removeAffiliation(
    @Param('id', contactIdPipe) id: string,
    @Param('affiliationId', affiliationIdPipe) affiliationId: string,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      { type: 'RemoveAffiliation', contactId: id, affiliationId },
      context,
      response,
      etag,
    );
  }

  /** The chain of parents above a party, nearest first. */
  private async ancestors(contactId: string): Promise<string[]> {
    const chain: string[] = [];
    let next = (await this.contacts.party(contactId)).parentId;
    while (next !== null && chain.length < MAX_DEPTH && !chain.includes(next)) {
      chain.push(next);
      next = (await this.contacts.party(next)).parentId;
    }
    return chain;
  }
}
