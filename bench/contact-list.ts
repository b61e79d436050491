// TODO(bench): apps/contacts has no contact-list projection or contracts yet. Once
// apps/contacts/src/contacts/read-models/contact-list/contact-list.projection.ts and the
// contacts app's contract registry exist, import them in replay.bench.ts and delete this
// file, so the replay figure measures the real read model.
import {
  ContractRegistry,
  type DomainEvent,
  type EventContract,
  type Projection,
} from '@crm/events';

export type ContactKind = 'person' | 'organization';
export type Relationship = 'lead' | 'prospect' | 'customer' | 'partner';

/** Personal fields are null after the contact's key was destroyed (crypto-shredding). */
export type ContactEvent =
  | DomainEvent<
      'ContactRegistered',
      {
        contactId: string;
        kind: ContactKind;
        relationship: Relationship;
        ownerId: string;
        source: string;
        name: string | null;
        email: string | null;
        phone: string | null;
      }
    >
  | DomainEvent<'ContactRenamed', { contactId: string; name: string | null }>
  | DomainEvent<'ContactPrimaryEmailSet', { contactId: string; email: string | null }>
  | DomainEvent<'ContactPrimaryPhoneSet', { contactId: string; phone: string | null }>;

export interface ContactListItem {
  id: string;
  kind: ContactKind;
  relationship: Relationship;
  name: string | null;
  primaryEmail: string | null;
  primaryPhone: string | null;
  revision: number;
  updatedAt: string;
}

function contract(
  type: ContactEvent['type'],
  ceName: string,
  properties: Record<string, unknown>,
  personalFields: readonly string[],
): EventContract {
  return {
    type,
    ceType: `crm.contacts.${ceName}.v1`,
    source: '/crm/contacts',
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: Object.keys(properties),
      properties,
    },
    personalFields,
  };
}

const id = { type: 'string', format: 'uuid' };
const personal = { type: ['string', 'null'] };

export const contactContracts = new ContractRegistry([
  contract(
    'ContactRegistered',
    'contact-registered',
    {
      contactId: id,
      kind: { enum: ['person', 'organization'] },
      relationship: { enum: ['lead', 'prospect', 'customer', 'partner'] },
      ownerId: { type: 'string' },
      source: { type: 'string' },
      name: personal,
      email: personal,
      phone: personal,
    },
    ['name', 'email', 'phone'],
  ),
  contract('ContactRenamed', 'contact-renamed', { contactId: id, name: personal }, ['name']),
  contract(
    'ContactPrimaryEmailSet',
    'contact-primary-email-set',
    { contactId: id, email: personal },
    ['email'],
  ),
  contract(
    'ContactPrimaryPhoneSet',
    'contact-primary-phone-set',
    { contactId: id, phone: personal },
    ['phone'],
  ),
]);

/** One list row per contact, indexed for the list's filters and the duplicate check by email. */
export const contactListProjection: Projection<ContactListItem, ContactEvent> = {
  name: 'contact_list',
  version: 1,
  handles: [
    'ContactRegistered',
    'ContactRenamed',
    'ContactPrimaryEmailSet',
    'ContactPrimaryPhoneSet',
  ],
  indexes: ['relationship', 'primaryEmail'],
  documentId: (event) => event.data.contactId,
  evolve(doc, event) {
    const stamp = { revision: event.revision, updatedAt: event.metadata.happenedAt };
    switch (event.type) {
      case 'ContactRegistered': {
        const { contactId, kind, relationship, name, email, phone } = event.data;
        return {
          id: contactId,
          kind,
          relationship,
          name,
          primaryEmail: email,
          primaryPhone: phone,
          ...stamp,
        };
      }
      case 'ContactRenamed':
        return doc && { ...doc, name: event.data.name, ...stamp };
      case 'ContactPrimaryEmailSet':
        return doc && { ...doc, primaryEmail: event.data.email, ...stamp };
      case 'ContactPrimaryPhoneSet':
        return doc && { ...doc, primaryPhone: event.data.phone, ...stamp };
    }
  },
};
