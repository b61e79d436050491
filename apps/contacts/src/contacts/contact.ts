import type {
  ContactEvent,
  CustomFieldType,
  CustomFieldValue,
  LifecycleStage,
  PartyKind,
  PostalAddress,
  Relationship,
} from '@crm/events';

import {
  customFieldTouched,
  copiedBy,
  mergeRecorded,
  type MergeRecord,
  mergeUndone,
  primaryMoved,
  renamed,
  settled,
} from './merge-record';
import { setPrimaryEmail, setPrimaryPhone, withEmails, withPhones } from './party-points';

export type { ContactEvent } from '@crm/events';
export type { MergeRecord } from './merge-record';
export { emailRemoved, phoneRemoved, primaryOf } from './party-points';

export interface LabelledEmail {
  readonly email: string;
  readonly label: string;
}
export interface LabelledPhone {
  readonly phone: string;
  readonly label: string;
}
export interface Address extends PostalAddress {
  readonly addressId: string;
  readonly label: string;
}
export interface CustomField {
  readonly valueType: CustomFieldType;
  readonly value: CustomFieldValue;
}
export interface Affiliation {
  readonly affiliationId: string;
  readonly organizationId: string;
  readonly title: string | null;
  readonly since: string | null;
  readonly until: string | null;
}
export interface Party {
  readonly status: 'registered';
  readonly id: string;
  readonly kind: PartyKind;
  readonly relationship: Relationship;
  readonly name: string | null;
  /** Always one of `emails` (the first added unless chosen), or null when there are none. */
  readonly primaryEmail: string | null;
  readonly emails: readonly LabelledEmail[];
  readonly primaryPhone: string | null;
  readonly phones: readonly LabelledPhone[];
  readonly addresses: readonly Address[];
  readonly tags: readonly string[];
  readonly ownerId: string | null;
  readonly stage: LifecycleStage | null;
  readonly customFields: Readonly<Record<string, CustomField>>;
  readonly parentId: string | null;
  readonly affiliations: readonly Affiliation[];
  readonly archived: boolean;
  /** Set while the party is absorbed by a merge: it then redirects to the survivor. */
  readonly mergedInto: { readonly survivorId: string; readonly mergeId: string } | null;
  readonly merges: readonly MergeRecord[];
  readonly erased: boolean;
}

export type ContactState = { readonly status: 'unregistered' } | Party;

export const contactStreamId = (contactId: string): string => `contact-${contactId}`;

export function initialState(): ContactState {
  return { status: 'unregistered' };
}

function registered(event: Extract<ContactEvent, { type: 'ContactRegistered' }>): Party {
  const { contactId, kind, relationship, name, primaryEmail, primaryPhone } = event.data;
  const empty: Party = {
    status: 'registered',
    id: contactId,
    kind,
    relationship,
    name,
    primaryEmail: null,
    emails: [],
    primaryPhone: null,
    phones: [],
    addresses: [],
    tags: [],
    ownerId: null,
    stage: null,
    customFields: {},
    parentId: null,
    affiliations: [],
    archived: false,
    mergedInto: null,
    merges: [],
    erased: false,
  };
  return setPrimaryPhone(setPrimaryEmail(empty, primaryEmail), primaryPhone);
}

function withoutKey<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const { [key]: _, ...rest } = record;
  return rest;
}

/** Erasure leaves the non-personal facts: kind, relationship, stage, owner, tags, links. */
function erased(party: Party): Party {
  return {
    ...party,
    name: null,
    primaryEmail: null,
    emails: [],
    primaryPhone: null,
    phones: [],
    addresses: [],
    customFields: {},
    affiliations: party.affiliations.map((a) => ({ ...a, title: null })),
    merges: party.merges.map((m) => ({ ...m, addedEmails: [], addedPhones: [], replaced: {} })),
    erased: true,
  };
}

/**
 * Folds one event into the party. Personal values arrive as null once the party was
 * erased (its key destroyed), so every branch accepts null and keeps nothing for it.
 */
function evolveParty(party: Party, event: ContactEvent): Party {
  switch (event.type) {
    case 'ContactRegistered':
      return party;
    case 'ContactRenamed':
      return renamed({ ...party, name: event.data.name }, event.data.origin);
    case 'ContactPrimaryEmailSet': {
      const { email, origin } = event.data;
      // A merge's copy of an erased party's primary: the copy itself is gone too.
      if (email === null && origin !== undefined) return settled(party, 'primaryEmail');
      return settled(setPrimaryEmail(party, email), 'primaryEmail');
    }
    case 'ContactPrimaryPhoneSet': {
      const { phone, origin } = event.data;
      if (phone === null && origin !== undefined) return settled(party, 'primaryPhone');
      return settled(setPrimaryPhone(party, phone), 'primaryPhone');
    }
    case 'ContactEmailAdded': {
      const { email, label, origin } = event.data;
      if (email === null || party.emails.some((e) => e.email === email)) return party;
      const added = withEmails(party, [...party.emails, { email, label }], party.primaryEmail);
      return copiedBy(added, origin, (m) => ({ ...m, addedEmails: [...m.addedEmails, email] }));
    }
    case 'ContactEmailRemoved': {
      const { email, primaryEmail } = event.data;
      const after = withEmails(
        party,
        party.emails.filter((e) => e.email !== email),
        primaryEmail,
      );
      return primaryMoved(party, after, 'primaryEmail');
    }
    case 'ContactPhoneAdded': {
      const { phone, label, origin } = event.data;
      if (phone === null || party.phones.some((p) => p.phone === phone)) return party;
      const added = withPhones(party, [...party.phones, { phone, label }], party.primaryPhone);
      return copiedBy(added, origin, (m) => ({ ...m, addedPhones: [...m.addedPhones, phone] }));
    }
    case 'ContactPhoneRemoved': {
      const { phone, primaryPhone } = event.data;
      const after = withPhones(
        party,
        party.phones.filter((p) => p.phone !== phone),
        primaryPhone,
      );
      return primaryMoved(party, after, 'primaryPhone');
    }
    case 'ContactAddressAdded': {
      const { contactId: _, origin: __, ...address } = event.data;
      return { ...party, addresses: [...party.addresses, address] };
    }
    case 'ContactAddressRemoved':
      return {
        ...party,
        addresses: party.addresses.filter((a) => a.addressId !== event.data.addressId),
      };
    case 'ContactTagged':
      return party.tags.includes(event.data.tag)
        ? party
        : { ...party, tags: [...party.tags, event.data.tag] };
    case 'ContactUntagged':
      return { ...party, tags: party.tags.filter((t) => t !== event.data.tag) };
    case 'ContactOwnerAssigned':
      return settled({ ...party, ownerId: event.data.ownerId }, 'ownerId');
    case 'ContactStageChanged':
      return settled({ ...party, stage: event.data.to }, 'stage');
    case 'ContactCustomFieldSet': {
      const { field, valueType, value, origin } = event.data;
      const customFields =
        value === null
          ? withoutKey(party.customFields, field)
          : { ...party.customFields, [field]: { valueType, value } };
      return customFieldTouched({ ...party, customFields }, field, origin);
    }
    case 'ContactCustomFieldRemoved': {
      const { field } = event.data;
      return customFieldTouched(
        { ...party, customFields: withoutKey(party.customFields, field) },
        field,
        undefined,
      );
    }
    case 'ContactParentSet':
      return { ...party, parentId: event.data.parentId };
    case 'ContactAffiliated': {
      const { contactId: _, origin: __, ...affiliation } = event.data;
      return { ...party, affiliations: [...party.affiliations, affiliation] };
    }
    case 'ContactAffiliationEnded':
      return {
        ...party,
        affiliations: party.affiliations.map((a) =>
          a.affiliationId === event.data.affiliationId ? { ...a, until: event.data.until } : a,
        ),
      };
    case 'ContactAffiliationRemoved':
      return {
        ...party,
        affiliations: party.affiliations.filter(
          (a) => a.affiliationId !== event.data.affiliationId,
        ),
      };
    case 'ContactArchived':
      return { ...party, archived: true };
    case 'ContactRestored':
      return { ...party, archived: false };
    case 'ContactMerged':
      return { ...party, merges: [...party.merges, mergeRecorded(event.data)] };
    case 'ContactMergeUndone':
      return mergeUndone(party, event.data);
    case 'ContactMergedInto':
      return {
        ...party,
        mergedInto: { survivorId: event.data.survivorId, mergeId: event.data.mergeId },
      };
    case 'ContactUnmerged':
      return { ...party, mergedInto: null };
    case 'ContactErased':
      return erased(party);
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export function evolve(state: ContactState, event: ContactEvent): ContactState {
  if (event.type === 'ContactRegistered') {
    return state.status === 'unregistered' ? registered(event) : state;
  }
  return state.status === 'registered' ? evolveParty(state, event) : state;
}
