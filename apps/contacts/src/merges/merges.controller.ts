import {
  Body,
  Controller,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
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
  parseIfMatch,
  type Principal,
  Roles,
  ValidationFailed,
} from '@crm/platform';
import type { Response } from 'express';
import { toContactView } from '../contacts/contact.view';
import { contactIdPipe, MANAGERS, WRITERS } from '../contacts/contacts.controller';
import { ContactMerges } from './contact-merges';
import { MergeContactsDto } from './merges.dto';
import { MergePreviewView, MergeResultView, UndoResultView } from './merges.view';

const mergeIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new ValidationFailed([{ field: 'mergeId', message: 'must be a UUID' }]),
});

@ApiTags('merges')
@ApiBearerAuth()
@Controller()
export class MergesController {
  constructor(private readonly merges: ContactMerges) {}

  @Post('merges')
  @Roles(...WRITERS)
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: "ETag of the survivor's revision you merge into (412 if stale)",
  })
  @ApiCreatedResponse({ type: MergeResultView, description: 'merged' })
  @ApiOkResponse({ type: MergePreviewView, description: 'dry run: nothing was written' })
  async merge(
    @Body() dto: MergeContactsDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MergeResultView | MergePreviewView> {
    const expectedRevision = parseIfMatch(etag);
    const dryRun = dto.dryRun ?? false;
    const { mergeId, absorbedIds, survivor } = await this.merges.merge(
      {
        survivorId: dto.survivorId,
        absorbedIds: dto.absorbedIds,
        prefer: dto.prefer ?? 'survivor',
        dryRun,
        ...(expectedRevision === undefined ? {} : { expectedRevision }),
        mayReassignOwner: principal.roles.some((role) => MANAGERS.some((m) => m === role)),
      },
      context,
    );
    const view = toContactView(survivor.state, survivor.revision, dto.survivorId);
    if (dryRun) {
      response.status(200);
      return { dryRun: true, absorbedIds: [...absorbedIds], survivor: view };
    }
    response.status(201).location(`/contacts/${dto.survivorId}`);
    response.setHeader('ETag', etagOf(survivor.revision));
    return { mergeId, absorbedIds: [...absorbedIds], survivor: view };
  }

  @Post('contacts/:id/merges/:mergeId/undo')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({
    type: UndoResultView,
    description: 'the survivor without what the merge brought, the absorbed parties restored',
  })
  async undo(
    @Param('id', contactIdPipe) id: string,
    @Param('mergeId', mergeIdPipe) mergeId: string,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<UndoResultView> {
    const { restoredIds, survivor } = await this.merges.undo(id, mergeId, context);
    response.setHeader('ETag', etagOf(survivor.revision));
    return {
      mergeId,
      restoredIds: [...restoredIds],
      survivor: toContactView(survivor.state, survivor.revision, id),
    };
  }
}
