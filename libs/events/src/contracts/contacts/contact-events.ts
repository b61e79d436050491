import type { DomainEvent } from '../../store/event';
import type { EventContract } from '../event-contract';

// Integration events of the contacts service: the shapes downstream services read.
// Wire names and schemas are part of the public contract; change them only by adding a
// new version next to the old one.

export const PARTY_KINDS = ['person', 'organization', 'internal-unit'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];
export const RELATIONSHIPS = ['b2c', 'b2b', 'internal'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

export const CONTACT_STREAM_CATEGORY = 'contact';
export const CONTACTS_SOURCE = '/crm/contacts';
/** Kafka topic of the contact category (one topic per category, versioned). */
export const CONTACT_TOPIC = 'crm.contacts.contact.v1';

export type ContactRegistered = DomainEvent<
  'ContactRegistered',
  {
    readonly contactId: string;
    readonly kind: PartyKind;
    readonly relationship: Relationship;
    readonly name: string | null;
    readonly primaryEmail: string | null;
    readonly primaryPhone: string | null;
  }
>;
export type ContactRenamed = DomainEvent<
  'ContactRenamed',
  { readonly contactId: string; readonly name: string | null }
>;
export type ContactPrimaryEmailSet = DomainEvent<
  'ContactPrimaryEmailSet',
  { readonly contactId: string; readonly email: string | null }
>;
export type ContactPrimaryPhoneSet = DomainEvent<
  'ContactPrimaryPhoneSet',
  { readonly contactId: string; readonly phone: string | null }
>;

export type ContactEvent =
  ContactRegistered | ContactRenamed | ContactPrimaryEmailSet | ContactPrimaryPhoneSet;

const uuid = { type: 'string', format: 'uuid' } as const;
/** Personal fields are null after the contact's data was erased. */
const personal = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const name = personal({ type: 'string', minLength: 1, maxLength: 200 });
const email = personal({ type: 'string', format: 'email', maxLength: 254 });
const phone = personal({ type: 'string', pattern: '^\\+[1-9][0-9]{6,14}$' });

function contract(
  type: ContactEvent['type'],
  slug: string,
  properties: Record<string, unknown>,
  personalFields: readonly string[],
): EventContract {
  return {
    type,
    ceType: `crm.contacts.${slug}.v1`,
    source: CONTACTS_SOURCE,
    personalFields,
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: type,
      type: 'object',
      additionalProperties: false,
      required: Object.keys(properties),
      properties,
    },
  };
}

export const CONTACT_EVENT_CONTRACTS: readonly EventContract[] = [
  contract(
    'ContactRegistered',
    'contact-registered',
    {
      contactId: uuid,
      kind: { enum: PARTY_KINDS },
      relationship: { enum: RELATIONSHIPS },
      name,
      primaryEmail: email,
      primaryPhone: phone,
    },
    ['name', 'primaryEmail', 'primaryPhone'],
  ),
  contract('ContactRenamed', 'contact-renamed', { contactId: uuid, name }, ['name']),
  contract('ContactPrimaryEmailSet', 'contact-primary-email-set', { contactId: uuid, email }, [
    'email',
  ]),
  contract('ContactPrimaryPhoneSet', 'contact-primary-phone-set', { contactId: uuid, phone }, [
    'phone',
  ]),
];
