import { Injectable } from '@nestjs/common';
import { type CommandContext, CommandHandler, type CommandOptions } from '@crm/events';
import { etagOf, parseIfMatch } from '@crm/platform';
import type { Response } from 'express';
import { contactStreamId } from './contact';
import { type ContactCommand, contactDecider } from './contact.decider';
import { type ContactView, toContactView } from './contact.view';

/**
 * Runs one contact command the way every endpoint does: `If-Match` becomes the expected
 * revision, the new revision goes out as the ETag, the party comes back as its view.
 */
@Injectable()
export class ContactCommands {
  constructor(private readonly commands: CommandHandler) {}

  async execute(
    command: ContactCommand,
    context: CommandContext,
    response: Response,
    etag?: string,
  ): Promise<ContactView> {
    const expectedRevision = parseIfMatch(etag);
    return this.run(
      command,
      context,
      response,
      expectedRevision === undefined ? {} : { expectedRevision },
    );
  }

  /** A registration under an id generated for it: there is no stream to read first. */
  register(
    command: Extract<ContactCommand, { type: 'RegisterContact' }>,
    context: CommandContext,
    response: Response,
  ): Promise<ContactView> {
    return this.run(command, context, response, { newStream: true });
  }

  private async run(
    command: ContactCommand,
    context: CommandContext,
    response: Response,
    options: CommandOptions,
  ): Promise<ContactView> {
    const { state, revision } = await this.commands.handle(
      contactDecider,
      contactStreamId(command.contactId),
      command,
      context,
      options,
    );
    response.setHeader('ETag', etagOf(revision));
    return toContactView(state, revision, command.contactId);
  }
}
