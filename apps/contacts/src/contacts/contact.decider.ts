import type { Decider, PartyKind, Relationship } from '@crm/events';
import { type ContactEvent, type ContactState, evolve, initialState } from './contact';
import {
  ContactAlreadyRegistered,
  ContactNotFound,
  RelationshipNotAllowed,
} from './contact.errors';

// Commands carry values already validated and normalized at the edge (trimmed names,
// lower-cased emails, E.164 phones); the decider owns the rules between them.
export type ContactCommand =
  | {
      readonly type: 'RegisterContact';
      readonly contactId: string;
      readonly kind: PartyKind;
      readonly relationship: Relationship;
      readonly name: string;
      readonly primaryEmail: string | null;
      readonly primaryPhone: string | null;
    }
  | { readonly type: 'RenameContact'; readonly contactId: string; readonly name: string }
  | { readonly type: 'SetPrimaryEmail'; readonly contactId: string; readonly email: string | null }
  | { readonly type: 'SetPrimaryPhone'; readonly contactId: string; readonly phone: string | null };

/** Internal units are our own departments: always internal customers, and only they are. */
function allowed(kind: PartyKind, relationship: Relationship): boolean {
  if (kind === 'internal-unit') return relationship === 'internal';
  if (kind === 'organization') return relationship !== 'internal';
  return true;
}

function decide(command: ContactCommand, state: ContactState): ContactEvent[] {
  if (command.type === 'RegisterContact') {
    if (state.status !== 'unregistered') throw new ContactAlreadyRegistered(command.contactId);
    if (!allowed(command.kind, command.relationship)) {
      throw new RelationshipNotAllowed(command.kind, command.relationship);
    }
    const { type: _, ...data } = command;
    return [{ type: 'ContactRegistered', data }];
  }
  if (state.status === 'unregistered') throw new ContactNotFound(command.contactId);
  // Setting a value the contact already has records nothing.
  switch (command.type) {
    case 'RenameContact':
      return state.name === command.name
        ? []
        : [{ type: 'ContactRenamed', data: { contactId: state.id, name: command.name } }];
    case 'SetPrimaryEmail':
      return state.primaryEmail === command.email
        ? []
        : [{ type: 'ContactPrimaryEmailSet', data: { contactId: state.id, email: command.email } }];
    case 'SetPrimaryPhone':
      return state.primaryPhone === command.phone
        ? []
        : [{ type: 'ContactPrimaryPhoneSet', data: { contactId: state.id, phone: command.phone } }];
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const contactDecider: Decider<ContactCommand, ContactEvent, ContactState> = {
  initialState,
  decide,
  evolve,
};
