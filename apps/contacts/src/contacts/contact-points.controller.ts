import {
  Body,
  Controller,
  Delete,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@crm/events';
import { CommandCtx, Roles, ValidationFailed } from '@crm/platform';
import { isEmail } from 'class-validator';
import type { Response } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { ContactCommands } from './contact-commands';
import { normalizeEmail, normalizePhone } from './contact-points';
import { ContactView } from './contact.view';
import { contactIdPipe, ifMatch, WRITERS } from './contacts.controller';
import { AddAddressDto, AddEmailDto, AddPhoneDto } from './contact-points.dto';

const addressIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new ValidationFailed([{ field: 'addressId', message: 'must be a UUID' }]),
});

/** Labelled emails, phones and postal addresses of a party; one primary email and phone. */
@ApiTags('contacts')
@ApiBearerAuth()
@Controller('contacts/:id')
export class ContactPointsController {
  constructor(private readonly commands: ContactCommands) {}

  @Post('emails')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  addEmail(
    @Param('id', contactIdPipe) id: string,
    @Body() dto: AddEmailDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      {
        type: 'AddEmail',
        contactId: id,
        email: normalizeEmail(dto.email),
        label: dto.label ?? 'work',
        primary: dto.primary ?? false,
      },
      context,
      response,
      etag,
    );
  }

  @Delete('emails/:email')
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  removeEmail(
    @Param('id', contactIdPipe) id: string,
    @Param('email') email: string,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    if (!isEmail(email)) {
      throw new ValidationFailed([{ field: 'email', message: 'email must be an email' }]);
    }
    return this.commands.execute(
      { type: 'RemoveEmail', contactId: id, email: normalizeEmail(email) },
      context,
      response,
      etag,
    );
  }

  @Post('phones')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  addPhone(
    @Param('id', contactIdPipe) id: string,
    @Body() dto: AddPhoneDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      {
        type: 'AddPhone',
        contactId: id,
        phone: normalizePhone(dto.phone),
        label: dto.label ?? 'work',
        primary: dto.primary ?? false,
      },
      context,
      response,
      etag,
    );
  }

  @Delete('phones/:phone')
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  removePhone(
    @Param('id', contactIdPipe) id: string,
    @Param('phone') phone: string,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      { type: 'RemovePhone', contactId: id, phone: normalizePhone(phone) },
      context,
      response,
      etag,
    );
  }

  @Post('addresses')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  addAddress(
    @Param('id', contactIdPipe) id: string,
    @Body() dto: AddAddressDto,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      {
        type: 'AddAddress',
        contactId: id,
        addressId: uuidv7(),
        label: dto.label ?? 'work',
        address: {
          street: dto.street ?? null,
          city: dto.city ?? null,
          region: dto.region ?? null,
          postalCode: dto.postalCode ?? null,
          country: dto.country,
        },
      },
      context,
      response,
      etag,
    );
  }

  @Delete('addresses/:addressId')
  @Roles(...WRITERS)
  @ApiHeader(ifMatch)
  @ApiOkResponse({ type: ContactView })
  removeAddress(
    @Param('id', contactIdPipe) id: string,
    @Param('addressId', addressIdPipe) addressId: string,
    @Headers('if-match') etag: string | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    return this.commands.execute(
      { type: 'RemoveAddress', contactId: id, addressId },
      context,
      response,
      etag,
    );
  }
}
