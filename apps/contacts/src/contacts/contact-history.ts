import { Inject, Injectable } from '@nestjs/common';
import {
  ContractRegistry,
  EventCodec,
  type EventStore,
  loadAggregate,
  toCloudEvent,
} from '@crm/events';
import { EVENT_STORE } from '@crm/platform';
import { type ContactEvent, type ContactState, contactStreamId, type Party } from './contact';
import { contactDecider } from './contact.decider';
import { ContactNotFound } from './contact.errors';
import type { ContactHistoryView } from './contact.view';

/** Reads a contact straight from its stream: the current state and its full history. */
@Injectable()
export class ContactHistory {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly codec: EventCodec,
    private readonly contracts: ContractRegistry,
  ) {}

  current(contactId: string) {
    return loadAggregate<ContactEvent, ContactState>(
      this.store,
      this.codec,
      contactDecider,
      contactStreamId(contactId),
    );
  }

  /**
   * The party as the CRM knew it at `asOf`: its events recorded up to that instant, folded.
   * Revision -1 (and status unregistered) when it was not registered yet.
   */
  async asOf(contactId: string, asOf: Date): Promise<{ state: ContactState; revision: number }> {
    const { history } = await this.current(contactId);
    let state = contactDecider.initialState();
    let revision = -1;
    for (const event of history) {
      if (Date.parse(event.metadata.recordedAt) > asOf.getTime()) break;
      state = contactDecider.evolve(state, event);
      revision = event.revision;
    }
    return { state, revision };
  }

  /** A party that must exist (404 otherwise), for commands that refer to it. */
  async party(contactId: string): Promise<Party> {
    const { state } = await this.current(contactId);
    if (state.status !== 'registered') throw new ContactNotFound(contactId);
    return state;
  }

  async page(contactId: string, fromRevision: number, limit: number): Promise<ContactHistoryView> {
    const streamId = contactStreamId(contactId);
    const recorded = await this.store.readStream(streamId, fromRevision);
    if (
      recorded.length === 0 &&
      (fromRevision === 0 || (await this.store.readStream(streamId)).length === 0)
    ) {
      throw new ContactNotFound(contactId);
    }
    const events = await this.codec.decode(recorded.slice(0, limit));
    const last = events[events.length - 1];
    return {
      items: events.map((event) => toCloudEvent(event, this.contracts.get(event.type))),
      nextRevision: recorded.length > limit && last ? last.revision + 1 : null,
    };
  }
}
