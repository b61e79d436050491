import { Inject, Injectable } from '@nestjs/common';
import {
  type CommandContext,
  CommandHandler,
  EventCodec,
  ProblemError,
  type SubjectKeyStore,
} from '@crm/events';
import { SUBJECT_KEYS } from '@crm/platform';
import { contactStreamId, type Party } from '../contacts/contact';
import { contactDecider } from '../contacts/contact.decider';
import { ContactErased as AlreadyErased } from '../contacts/contact.errors';
import { ContactHistory } from '../contacts/contact-history';

/** A party absorbed by a merge lives on in its survivor: the survivor is what gets erased. */
export class ErasureOfMergedParty extends ProblemError {
  readonly status = 422;
  readonly problemType = 'contact-merged';
  readonly title = 'Contact was merged into another';
  constructor(contactId: string, survivorId: string) {
    super(
      `contact ${contactId} was merged into ${survivorId}, which holds copies of its personal data; erase ${survivorId}, which erases ${contactId} with it`,
      { contactId, survivorId },
    );
  }
}

/**
 * Right to erasure by crypto-shredding: ContactErased is recorded first (the commit point,
 * kept in the log for good), then the party's key is destroyed and forgotten. A crash in
 * between is healed by erasing again (the event is not repeated, the key is destroyed) and
 * by ContactErasedConsumer, which destroys the key of every ContactErased it reads.
 */
@Injectable()
export class ContactErasure {
  constructor(
    private readonly history: ContactHistory,
    private readonly commands: CommandHandler,
    @Inject(SUBJECT_KEYS) private readonly keys: SubjectKeyStore,
    private readonly codec: EventCodec,
  ) {}

  /** Erases the party and every party merged into it (they are the same person). */
  async erase(contactId: string, context: CommandContext): Promise<void> {
    const party = await this.history.party(contactId);
    const survivorId = await this.survivorHolding(party);
    if (survivorId !== null) throw new ErasureOfMergedParty(contactId, survivorId);
    // The absorbed ones first: should this stop half way, erasing the survivor again
    // finds them through its merges, whether or not it was erased itself.
    for (const absorbedId of await this.absorbedBy(party)) await this.eraseOne(absorbedId, context);
    await this.eraseOne(contactId, context);
  }

  /** Idempotent: an erased party gets no second event, but its key is destroyed again. */
  private async eraseOne(contactId: string, context: CommandContext): Promise<void> {
    const streamId = contactStreamId(contactId);
    try {
      await this.commands.handle(
        contactDecider,
        streamId,
        { type: 'EraseContact', contactId },
        context,
        { retriesOnConflict: 3 },
      );
    } catch (error) {
      if (!(error instanceof AlreadyErased)) throw error;
    }
    await this.keys.destroy(streamId);
    this.codec.forget(streamId);
  }

  /**
   * The survivor still holding the party's data: set while the merge stands. Once the
   * survivor was erased, or has undone the merge, the party is erased on its own.
   */
  private async survivorHolding(party: Party): Promise<string | null> {
    if (!party.mergedInto || party.erased) return null;
    const { survivorId, mergeId } = party.mergedInto;
    const { state: survivor } = await this.history.current(survivorId);
    if (survivor.status !== 'registered' || survivor.erased) return null;
    const merge = survivor.merges.find((m) => m.mergeId === mergeId);
    return merge && !merge.undone ? survivorId : null;
  }

  /** Parties merged into this one by merges that stand. */
  private async absorbedBy(survivor: Party): Promise<string[]> {
    const absorbed: string[] = [];
    for (const merge of survivor.merges.filter((m) => !m.undone)) {
      for (const absorbedId of merge.absorbedIds) {
        const { state } = await this.history.current(absorbedId);
        if (state.status === 'registered' && state.mergedInto?.survivorId === survivor.id) {
          absorbed.push(absorbedId);
        }
      }
    }
    return absorbed;
  }
}
