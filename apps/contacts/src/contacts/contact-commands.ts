import { Injectable } from '@nestjs/common';
import { type CommandContext, CommandHandler } from '@crm/events';
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
