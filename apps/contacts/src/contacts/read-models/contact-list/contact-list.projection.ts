import type { ContactEvent, PartyKind, Personal, Projection, Relationship } from '@crm/events';

/**
 * One row of the contact list: what list screens and filters need. Personal fields stay
 * sealed in storage and are revealed when a page is read (null once erased).
 */
export interface ContactListItem {
  readonly id: string;
  readonly kind: PartyKind;
  readonly relationship: Relationship;
  readonly name: Personal<string> | null;
  readonly primaryEmail: Personal<string> | null;
  readonly primaryPhone: Personal<string> | null;
  readonly revision: number;
  readonly registeredAt: string;
  readonly updatedAt: string;
}

export const contactListProjection: Projection<ContactListItem, ContactEvent> = {
  name: 'contact_list',
  version: 1,
  handles: [
    'ContactRegistered',
    'ContactRenamed',
    'ContactPrimaryEmailSet',
    'ContactPrimaryPhoneSet',
  ],
  indexes: ['kind', 'relationship'],
  documentId: (event) => event.data.contactId,
  evolve(doc, event) {
    const touched = { revision: event.revision, updatedAt: event.metadata.recordedAt };
    switch (event.type) {
      case 'ContactRegistered': {
        const { contactId, kind, relationship, name, primaryEmail, primaryPhone } = event.data;
        const registeredAt = event.metadata.recordedAt;
        return {
          id: contactId,
          kind,
          relationship,
          name,
          primaryEmail,
          primaryPhone,
          registeredAt,
          ...touched,
        };
      }
      case 'ContactRenamed':
        return doc && { ...doc, name: event.data.name, ...touched };
      case 'ContactPrimaryEmailSet':
        return doc && { ...doc, primaryEmail: event.data.email, ...touched };
      case 'ContactPrimaryPhoneSet':
        return doc && { ...doc, primaryPhone: event.data.phone, ...touched };
      default:
        return doc;
    }
  },
};
