import type { ContactEvent, PartyKind, Relationship } from '@crm/events';

export type { ContactEvent } from '@crm/events';

export type ContactState =
  | { readonly status: 'unregistered' }
  | {
      readonly status: 'registered';
      readonly id: string;
      readonly kind: PartyKind;
      readonly relationship: Relationship;
      readonly name: string | null;
      readonly primaryEmail: string | null;
      readonly primaryPhone: string | null;
    };

export const contactStreamId = (contactId: string): string => `contact-${contactId}`;

export function initialState(): ContactState {
  return { status: 'unregistered' };
}

export function evolve(state: ContactState, event: ContactEvent): ContactState {
  switch (event.type) {
    case 'ContactRegistered':
      return {
        status: 'registered',
        id: event.data.contactId,
        kind: event.data.kind,
        relationship: event.data.relationship,
        name: event.data.name,
        primaryEmail: event.data.primaryEmail,
        primaryPhone: event.data.primaryPhone,
      };
    case 'ContactRenamed':
      return state.status === 'registered' ? { ...state, name: event.data.name } : state;
    case 'ContactPrimaryEmailSet':
      return state.status === 'registered' ? { ...state, primaryEmail: event.data.email } : state;
    case 'ContactPrimaryPhoneSet':
      return state.status === 'registered' ? { ...state, primaryPhone: event.data.phone } : state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
