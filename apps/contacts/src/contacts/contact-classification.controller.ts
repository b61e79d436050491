import { Body, Controller, Delete, Headers, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  type CommandContext,
  CONTACT_LIMITS,
  type CustomFieldType,
  type CustomFieldValue,
} from '@crm/events';
import { CommandCtx, Roles, ValidationFailed } from '@crm/platform';
import type { Response } from 'express';
import { ContactCommands } from './contact-commands';
import { ContactView } from './contact.view';
import { contactIdPipe, ifMatch, MANAGERS, WRITERS } from './contacts.controller';
import {
  AssignOwnerDto,
  ChangeStageDto,
  SetCustomFieldDto,
  TagContactDto,
} from './contact-classification.dto';
import { normalizeTag } from './dto-fields';

const FIELD_NAME = /^[a-z][a-zA-Z0-9_]{0,39}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function invalid(field: string, message: string): never {
  throw new ValidationFailed([{ field, message }]);
}

function fieldName(name: string): string {
  if (!FIELD_NAME.test(name)) {
    invalid('field', 'a custom field name is a letter, then up to 39 letters, digits or "_"');
  }
  return name;
}

/** The value must be of the declared type; dates are calendar dates (YYYY-MM-DD). */
export function customFieldValue(valueType: CustomFieldType, value: unknown): CustomFieldValue {
  switch (valueType) {
    case 'string':
      if (typeof value !== 'string') invalid('value', 'value must be a string');
      if (value.length > CONTACT_LIMITS.customFieldString) {
        invalid('value', `value must be at most ${CONTACT_LIMITS.customFieldString} characters`);
      }
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        invalid('value', 'value must be a finite number');
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') invalid('value', 'value must be true or false');
      return value;
    case 'date': {
      const valid =
        typeof value === 'string' &&
        DATE.test(value) &&
        new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
      if (!valid) invalid('value', 'value must be a calendar date (YYYY-MM-DD)');
      return value;
    }
  }
}

/** Tags, owner, lifecycle stage and typed custom fields. */
@ApiTags('contacts')
@ApiBearerAuth()
@Controller('contacts/:id')
export class ContactClassificationController {
  constructor(private readonly commands: ContactCommands) {}

  @Post('tags')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  tag(
    @Param('id', contactIdPipe) id: string,
    @Body() dto: TagContactDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      { type: 'TagContact', contactId: id, tags: dto.tags },
      context,
      response,
      etag,
    );
  }

  @Delete('tags/:tag')
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  untag(
    @Param('id', contactIdPipe) id: string,
    @Param('tag') tag: string,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      { type: 'UntagContact', contactId: id, tag: normalizeTag(tag) },
      context,
      response,
      etag,
    );
  }

  @Put('owner')
  @Roles(...MANAGERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  assignOwner(
    @Param('id', contactIdPipe) id: string,
    @Body() dto: AssignOwnerDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      { type: 'AssignOwner', contactId: id, ownerId: dto.ownerId },
      context,
      response,
      etag,
    );
  }

  @Put('stage')
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  changeStage(
    @Param('id', contactIdPipe) id: string,
    @Body() dto: ChangeStageDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      { type: 'ChangeStage', contactId: id, stage: dto.stage },
      context,
      response,
      etag,
    );
  }

  @Put('custom-fields/:field')
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  setCustomField(
    @Param('id', contactIdPipe) id: string,
    @Param('field') field: string,
    @Body() dto: SetCustomFieldDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      {
        type: 'SetCustomField',
        contactId: id,
        field: fieldName(field),
        valueType: dto.valueType,
        value: customFieldValue(dto.valueType, dto.value),
      },
      context,
      response,
      etag,
    );
  }

  @Delete('custom-fields/:field')
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  removeCustomField(
    @Param('id', contactIdPipe) id: string,
    @Param('field') field: string,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      { type: 'RemoveCustomField', contactId: id, field: fieldName(field) },
      context,
      response,
      etag,
    );
  }
}
