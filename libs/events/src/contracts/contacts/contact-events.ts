import type { DomainEvent } from '../../store/event';
import type { EventContract } from '../event-contract';

// Integration events of the contacts service: the shapes downstream services read.
// Wire names and schemas are part of the public contract; change them only by adding a
// new version next to the old one.

export const PARTY_KINDS = ['person', 'organization', 'internal-unit'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];
export const RELATIONSHIPS = ['b2c', 'b2b', 'internal'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];
export const LIFECYCLE_STAGES = ['lead', 'prospect', 'customer', 'inactive'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
export const CUSTOM_FIELD_TYPES = ['string', 'number', 'boolean', 'date'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];
export type CustomFieldValue = string | number | boolean;
/** How a merge settles single-valued fields both parties have. */
export const MERGE_PREFERENCES = ['survivor', 'absorbed'] as const;
export type MergePreference = (typeof MERGE_PREFERENCES)[number];

export const CONTACT_STREAM_CATEGORY = 'contact';
export const CONTACTS_SOURCE = '/crm/contacts';
/** Kafka topic of the contact category (one topic per category, versioned). */
export const CONTACT_TOPIC = 'crm.contacts.contact.v1';

type Id = { readonly contactId: string };
/**
 * A value a merge copied from an absorbed party carries that party's id: it is sealed with
 * that party's key, so erasing the party (after the merge was undone) erases the copy too.
 */
type Copied = { readonly origin?: string };
type ContactEventOf<T extends string, D = object> = DomainEvent<T, Id & Readonly<D>>;

/**
 * Personal values are `null` in decoded events once the party's key was destroyed
 * (erasure); every consumer must accept that.
 */
type Personal<T> = T | null;

export type ContactRegistered = ContactEventOf<
  'ContactRegistered',
  {
    kind: PartyKind;
    relationship: Relationship;
    name: Personal<string>;
    primaryEmail: Personal<string>;
    primaryPhone: Personal<string>;
  }
>;
export type ContactRenamed = ContactEventOf<'ContactRenamed', { name: Personal<string> } & Copied>;
/**
 * The address becomes the primary one (added if new). Null (written before contact points
 * had labels) removed the primary address; removals are ContactEmailRemoved now. A merge
 * that prefers the absorbed party makes its copied primary address primary (with `origin`);
 * once that party is erased, such an event reads null and changes nothing.
 */
export type ContactPrimaryEmailSet = ContactEventOf<
  'ContactPrimaryEmailSet',
  { email: Personal<string> } & Copied
>;
export type ContactPrimaryPhoneSet = ContactEventOf<
  'ContactPrimaryPhoneSet',
  { phone: Personal<string> } & Copied
>;
export type ContactEmailAdded = ContactEventOf<
  'ContactEmailAdded',
  { email: Personal<string>; label: string } & Copied
>;
/**
 * `primaryEmail` is the primary address after the removal (the next one when the primary
 * was removed), so that readers who only see sealed values can follow it.
 */
export type ContactEmailRemoved = ContactEventOf<
  'ContactEmailRemoved',
  { email: Personal<string>; primaryEmail: Personal<string> }
>;
export type ContactPhoneAdded = ContactEventOf<
  'ContactPhoneAdded',
  { phone: Personal<string>; label: string } & Copied
>;
/** `primaryPhone`: the primary phone after the removal. */
export type ContactPhoneRemoved = ContactEventOf<
  'ContactPhoneRemoved',
  { phone: Personal<string>; primaryPhone: Personal<string> }
>;

export interface PostalAddress {
  readonly street: string | null;
  readonly city: string | null;
  readonly region: string | null;
  readonly postalCode: string | null;
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country: string;
}
export type ContactAddressAdded = ContactEventOf<
  'ContactAddressAdded',
  { addressId: string; label: string } & PostalAddress & Copied
>;
export type ContactAddressRemoved = ContactEventOf<'ContactAddressRemoved', { addressId: string }>;
export type ContactTagged = ContactEventOf<'ContactTagged', { tag: string }>;
export type ContactUntagged = ContactEventOf<'ContactUntagged', { tag: string }>;
export type ContactOwnerAssigned = ContactEventOf<
  'ContactOwnerAssigned',
  { ownerId: string | null; previousOwnerId: string | null }
>;
export type ContactStageChanged = ContactEventOf<
  'ContactStageChanged',
  /** `to` is null only when undoing a merge takes a stage back to none. */
  { from: LifecycleStage | null; to: LifecycleStage | null }
>;
export type ContactCustomFieldSet = ContactEventOf<
  'ContactCustomFieldSet',
  { field: string; valueType: CustomFieldType; value: Personal<CustomFieldValue> } & Copied
>;
export type ContactCustomFieldRemoved = ContactEventOf<
  'ContactCustomFieldRemoved',
  { field: string }
>;
/** Organizations may have a parent organization, internal units a parent unit. */
export type ContactParentSet = ContactEventOf<'ContactParentSet', { parentId: string | null }>;
export type ContactAffiliated = ContactEventOf<
  'ContactAffiliated',
  {
    affiliationId: string;
    organizationId: string;
    title: Personal<string>;
    /** ISO dates (YYYY-MM-DD); null when unknown or still ongoing. */
    since: string | null;
    until: string | null;
  } & Copied
>;
export type ContactAffiliationEnded = ContactEventOf<
  'ContactAffiliationEnded',
  { affiliationId: string; until: string }
>;
export type ContactAffiliationRemoved = ContactEventOf<
  'ContactAffiliationRemoved',
  { affiliationId: string }
>;
export type ContactArchived = ContactEventOf<'ContactArchived', { reason: Personal<string> }>;
export type ContactRestored = ContactEventOf<'ContactRestored'>;

/** What a merge changed on the survivor: enough to take it back out when it is undone. */
export interface MergeReplacedValues {
  readonly name?: string | null;
  /** The survivor's primary email and phone, when the merge made another one primary. */
  readonly primaryEmail?: string | null;
  readonly primaryPhone?: string | null;
  readonly customFields?: Readonly<
    Record<string, { valueType: CustomFieldType; value: CustomFieldValue } | null>
  >;
}
/**
 * On the survivor, first of the events a merge appends (the additions follow as ordinary
 * events). Carries what the merge added or replaced, so that undoing it is exact.
 */
export type ContactMerged = ContactEventOf<
  'ContactMerged',
  {
    mergeId: string;
    absorbedIds: readonly string[];
    prefer: MergePreference;
    addedEmails: Personal<readonly string[]>;
    addedPhones: Personal<readonly string[]>;
    addedAddressIds: readonly string[];
    addedTags: readonly string[];
    addedAffiliationIds: readonly string[];
    /** Set only when the merge changed the owner (or the stage): the value before. */
    previousOwner: { readonly ownerId: string | null } | null;
    previousStage: { readonly stage: LifecycleStage | null } | null;
    replaced: Personal<MergeReplacedValues>;
  }
>;
/**
 * On the survivor, last of the events that take a merge back out. It takes out the emails
 * and phones the merge copied by reference (those from `absorbedIds`), so no event under
 * the survivor's key names them, and says which of the survivor's own are primary after.
 * Undos written before this had separate removal events and only `mergeId`.
 */
export type ContactMergeUndone = ContactEventOf<
  'ContactMergeUndone',
  {
    mergeId: string;
    absorbedIds?: readonly string[];
    primaryEmail?: Personal<string>;
    primaryPhone?: Personal<string>;
  }
>;
/** On an absorbed party: from now on it redirects to the survivor. */
export type ContactMergedInto = ContactEventOf<
  'ContactMergedInto',
  { survivorId: string; mergeId: string }
>;
/** On an absorbed party: the merge was undone and the party is back as it was. */
export type ContactUnmerged = ContactEventOf<'ContactUnmerged', { mergeId: string }>;
/** The party's key was destroyed: every personal value of it now reads as null. */
export type ContactErased = ContactEventOf<'ContactErased'>;

export type ContactEvent =
  | ContactRegistered
  | ContactRenamed
  | ContactPrimaryEmailSet
  | ContactPrimaryPhoneSet
  | ContactEmailAdded
  | ContactEmailRemoved
  | ContactPhoneAdded
  | ContactPhoneRemoved
  | ContactAddressAdded
  | ContactAddressRemoved
  | ContactTagged
  | ContactUntagged
  | ContactOwnerAssigned
  | ContactStageChanged
  | ContactCustomFieldSet
  | ContactCustomFieldRemoved
  | ContactParentSet
  | ContactAffiliated
  | ContactAffiliationEnded
  | ContactAffiliationRemoved
  | ContactArchived
  | ContactRestored
  | ContactMerged
  | ContactMergeUndone
  | ContactMergedInto
  | ContactUnmerged
  | ContactErased;

// Field limits of the contract; the API validates the same limits at the edge.
export const CONTACT_LIMITS = {
  name: 200,
  email: 254,
  label: 40,
  tag: 50,
  tags: 50,
  addressLine: 200,
  customFields: 50,
  customFieldName: 40,
  customFieldString: 1000,
  title: 200,
  reason: 500,
  mergeAbsorbed: 10,
} as const;

const uuid = { type: 'string', format: 'uuid' } as const;
const uuids = { type: 'array', items: uuid } as const;
const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
/** Personal fields are null after the party's data was erased. */
const personal = nullable;
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength });
const date = { type: 'string', format: 'date' } as const;
const stage = { enum: LIFECYCLE_STAGES } as const;
const emailSchema = { type: 'string', format: 'email', maxLength: CONTACT_LIMITS.email } as const;
const phoneSchema = { type: 'string', pattern: '^\\+[1-9][0-9]{6,14}$' } as const;
const name = personal(text(CONTACT_LIMITS.name));
const email = personal(emailSchema);
const phone = personal(phoneSchema);
const label = text(CONTACT_LIMITS.label);
const tag = { type: 'string', pattern: '^[a-z0-9][a-z0-9 _-]*$', maxLength: CONTACT_LIMITS.tag };
const addressLine = personal(text(CONTACT_LIMITS.addressLine));
const customFieldName = { type: 'string', pattern: '^[a-z][a-zA-Z0-9_]{0,39}$' } as const;
const customFieldValue = {
  anyOf: [
    { type: 'string', maxLength: CONTACT_LIMITS.customFieldString },
    { type: 'number' },
    { type: 'boolean' },
  ],
} as const;
const customFieldType = { enum: CUSTOM_FIELD_TYPES } as const;
const closed = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});

/** Events whose values a merge may copy from another party (see Copied). */
const COPIABLE = new Set<string>([
  'ContactRenamed',
  'ContactPrimaryEmailSet',
  'ContactPrimaryPhoneSet',
  'ContactEmailAdded',
  'ContactPhoneAdded',
  'ContactAddressAdded',
  'ContactCustomFieldSet',
  'ContactAffiliated',
]);

function contract(
  type: ContactEvent['type'],
  slug: string,
  properties: Record<string, unknown>,
  personalFields: readonly string[] = [],
  /** Fields events written by earlier code lack. */
  optional: readonly string[] = [],
): EventContract {
  const all = { contactId: uuid, ...properties };
  const required = Object.keys(all).filter((field) => !optional.includes(field));
  const copiable = COPIABLE.has(type);
  return {
    type,
    ceType: `crm.contacts.${slug}.v1`,
    source: CONTACTS_SOURCE,
    category: CONTACT_STREAM_CATEGORY,
    personalFields,
    ...(copiable
      ? {
          subjectOf: (data: Readonly<Record<string, unknown>>) =>
            typeof data['origin'] === 'string'
              ? `${CONTACT_STREAM_CATEGORY}-${data['origin']}`
              : undefined,
        }
      : {}),
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: type,
      type: 'object',
      additionalProperties: false,
      required,
      properties: copiable
        ? {
            ...all,
            origin: { ...uuid, description: 'the party a merge copied the value from' },
          }
        : all,
    },
  };
}

export const CONTACT_EVENT_CONTRACTS: readonly EventContract[] = [
  contract(
    'ContactRegistered',
    'contact-registered',
    {
      kind: { enum: PARTY_KINDS },
      relationship: { enum: RELATIONSHIPS },
      name,
      primaryEmail: email,
      primaryPhone: phone,
    },
    ['name', 'primaryEmail', 'primaryPhone'],
  ),
  contract('ContactRenamed', 'contact-renamed', { name }, ['name']),
  contract('ContactPrimaryEmailSet', 'contact-primary-email-set', { email }, ['email']),
  contract('ContactPrimaryPhoneSet', 'contact-primary-phone-set', { phone }, ['phone']),
  contract('ContactEmailAdded', 'contact-email-added', { email, label }, ['email']),
  contract('ContactEmailRemoved', 'contact-email-removed', { email, primaryEmail: email }, [
    'email',
    'primaryEmail',
  ]),
  contract('ContactPhoneAdded', 'contact-phone-added', { phone, label }, ['phone']),
  contract('ContactPhoneRemoved', 'contact-phone-removed', { phone, primaryPhone: phone }, [
    'phone',
    'primaryPhone',
  ]),
  contract(
    'ContactAddressAdded',
    'contact-address-added',
    {
      addressId: uuid,
      label,
      street: addressLine,
      city: addressLine,
      region: addressLine,
      postalCode: personal(text(20)),
      country: { type: 'string', pattern: '^[A-Z]{2}$' },
    },
    ['street', 'city', 'region', 'postalCode'],
  ),
  contract('ContactAddressRemoved', 'contact-address-removed', { addressId: uuid }),
  contract('ContactTagged', 'contact-tagged', { tag }),
  contract('ContactUntagged', 'contact-untagged', { tag }),
  contract('ContactOwnerAssigned', 'contact-owner-assigned', {
    ownerId: nullable(text(200)),
    previousOwnerId: nullable(text(200)),
  }),
  contract('ContactStageChanged', 'contact-stage-changed', {
    from: nullable(stage),
    to: nullable(stage),
  }),
  contract(
    'ContactCustomFieldSet',
    'contact-custom-field-set',
    { field: customFieldName, valueType: customFieldType, value: personal(customFieldValue) },
    ['value'],
  ),
  contract('ContactCustomFieldRemoved', 'contact-custom-field-removed', {
    field: customFieldName,
  }),
  contract('ContactParentSet', 'contact-parent-set', { parentId: nullable(uuid) }),
  contract(
    'ContactAffiliated',
    'contact-affiliated',
    {
      affiliationId: uuid,
      organizationId: uuid,
      title: personal(text(CONTACT_LIMITS.title)),
      since: nullable(date),
      until: nullable(date),
    },
    ['title'],
  ),
  contract('ContactAffiliationEnded', 'contact-affiliation-ended', {
    affiliationId: uuid,
    until: date,
  }),
  contract('ContactAffiliationRemoved', 'contact-affiliation-removed', { affiliationId: uuid }),
  contract(
    'ContactArchived',
    'contact-archived',
    { reason: personal(text(CONTACT_LIMITS.reason)) },
    ['reason'],
  ),
  contract('ContactRestored', 'contact-restored', {}),
  contract(
    'ContactMerged',
    'contact-merged',
    {
      mergeId: uuid,
      absorbedIds: { ...uuids, minItems: 1, maxItems: CONTACT_LIMITS.mergeAbsorbed },
      prefer: { enum: MERGE_PREFERENCES },
      addedEmails: personal({ type: 'array', items: emailSchema }),
      addedPhones: personal({ type: 'array', items: phoneSchema }),
      addedAddressIds: uuids,
      addedTags: { type: 'array', items: tag },
      addedAffiliationIds: uuids,
      previousOwner: nullable(closed({ ownerId: nullable(text(200)) })),
      previousStage: nullable(closed({ stage: nullable(stage) })),
      replaced: personal({
        type: 'object',
        additionalProperties: false,
        properties: {
          name: name,
          primaryEmail: email,
          primaryPhone: phone,
          customFields: {
            type: 'object',
            propertyNames: customFieldName,
            additionalProperties: nullable(
              closed({ valueType: customFieldType, value: customFieldValue }),
            ),
          },
        },
      }),
    },
    ['addedEmails', 'addedPhones', 'replaced'],
  ),
  contract(
    'ContactMergeUndone',
    'contact-merge-undone',
    { mergeId: uuid, absorbedIds: uuids, primaryEmail: email, primaryPhone: phone },
    ['primaryEmail', 'primaryPhone'],
    ['absorbedIds', 'primaryEmail', 'primaryPhone'],
  ),
  contract('ContactMergedInto', 'contact-merged-into', { survivorId: uuid, mergeId: uuid }),
  contract('ContactUnmerged', 'contact-unmerged', { mergeId: uuid }),
  contract('ContactErased', 'contact-erased', {}),
];
