import type { ContactEvent, DecodedEvent, Projection } from '@crm/events';
import {
  type CandidateParty,
  type DuplicateCandidate,
  DUPLICATES_READ_MODEL,
  LOOKUP_FIELDS,
  withLookup,
} from './duplicate-candidate';
import { takeOutCopies, withCopy, withoutCopy } from '../merge-copies';
import { type DuplicateKeys, normalizeName } from './duplicate-keys';

function registered(
  keys: DuplicateKeys,
  event: Extract<ContactEvent, { type: 'ContactRegistered' }>,
): CandidateParty {
  const { contactId, kind, name, primaryEmail, primaryPhone } = event.data;
  const email = primaryEmail === null ? null : keys.email(primaryEmail);
  const phone = primaryPhone === null ? null : keys.phone(primaryPhone);
  return {
    id: contactId,
    kind,
    name: name === null ? null : normalizeName(kind, name),
    emails: email === null ? [] : [email],
    primaryEmail: email,
    phones: phone === null ? [] : [phone],
    primaryPhone: phone,
    copies: {},
    affiliations: [],
    parentId: null,
    archived: false,
    mergedInto: null,
  };
}

// Contact points fold as they do on the party: the primary stays while it is there, else
// the first one left is primary; setting null as primary (older events) drops the primary.
interface Points {
  readonly values: readonly string[];
  readonly primary: string | null;
}
const primaryOf = (values: readonly string[], primary: string | null): string | null =>
  primary !== null && values.includes(primary) ? primary : (values[0] ?? null);

function setPrimary({ values, primary }: Points, value: string | null): Points {
  if (value === null) {
    const rest = values.filter((v) => v !== primary);
    return { values: rest, primary: primaryOf(rest, null) };
  }
  return { values: values.includes(value) ? values : [...values, value], primary: value };
}
function add({ values, primary }: Points, value: string | null): Points {
  const next = value === null || values.includes(value) ? values : [...values, value];
  return { values: next, primary: primaryOf(next, primary) };
}
/** `after`: the primary one after the removal, as the event says; else the first left. */
function remove({ values }: Points, value: string | null, after: string | null): Points {
  const next = values.filter((v) => v !== value);
  return { values: next, primary: primaryOf(next, after) };
}

function change(
  keys: DuplicateKeys,
  party: CandidateParty,
  event: DecodedEvent<ContactEvent>,
): CandidateParty {
  const emails = { values: party.emails, primary: party.primaryEmail };
  const phones = { values: party.phones, primary: party.primaryPhone };
  const withEmails = ({ values, primary }: Points): CandidateParty => ({
    ...party,
    emails: values,
    primaryEmail: primary,
  });
  const withPhones = ({ values, primary }: Points): CandidateParty => ({
    ...party,
    phones: values,
    primaryPhone: primary,
  });
  const email = (value: string | null) => (value === null ? null : keys.email(value));
  const phone = (value: string | null) => (value === null ? null : keys.phone(value));
  switch (event.type) {
    case 'ContactRenamed': {
      const { name } = event.data;
      return { ...party, name: name === null ? null : normalizeName(party.kind, name) };
    }
    // A merge's copy of a primary reads null once its party was erased: the copy is gone.
    case 'ContactPrimaryEmailSet':
      if (event.data.email === null && event.data.origin !== undefined) return party;
      return withEmails(setPrimary(emails, email(event.data.email)));
    case 'ContactEmailAdded': {
      const added = email(event.data.email);
      if (added === null || party.emails.includes(added)) return party;
      return {
        ...withEmails(add(emails, added)),
        copies: withCopy(party.copies, added, event.data.origin),
      };
    }
    case 'ContactEmailRemoved': {
      const removed = email(event.data.email);
      const after = withEmails(remove(emails, removed, email(event.data.primaryEmail)));
      return { ...after, copies: withoutCopy(party.copies, removed) };
    }
    case 'ContactPrimaryPhoneSet':
      if (event.data.phone === null && event.data.origin !== undefined) return party;
      return withPhones(setPrimary(phones, phone(event.data.phone)));
    case 'ContactPhoneAdded': {
      const added = phone(event.data.phone);
      if (added === null || party.phones.includes(added)) return party;
      return {
        ...withPhones(add(phones, added)),
        copies: withCopy(party.copies, added, event.data.origin),
      };
    }
    case 'ContactPhoneRemoved': {
      const removed = phone(event.data.phone);
      const after = withPhones(remove(phones, removed, phone(event.data.primaryPhone)));
      return { ...after, copies: withoutCopy(party.copies, removed) };
    }
    case 'ContactMergeUndone': {
      const { absorbedIds, primaryEmail = null, primaryPhone = null } = event.data;
      // Undos written before by-reference removal had removal events of their own.
      if (absorbedIds === undefined) return party;
      const { taken, kept } = takeOutCopies(party.copies, absorbedIds);
      const left = ({ values, primary }: Points, after: string | null) =>
        remove({ values: values.filter((v) => !taken.has(v)), primary }, null, after);
      const emailsLeft = left(emails, email(primaryEmail));
      const phonesLeft = left(phones, phone(primaryPhone));
      return {
        ...party,
        emails: emailsLeft.values,
        primaryEmail: emailsLeft.primary,
        phones: phonesLeft.values,
        primaryPhone: phonesLeft.primary,
        copies: kept,
      };
    }
    case 'ContactParentSet':
      return { ...party, parentId: event.data.parentId };
    case 'ContactAffiliated': {
      const { affiliationId, organizationId } = event.data;
      return { ...party, affiliations: [...party.affiliations, { affiliationId, organizationId }] };
    }
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
    case 'ContactMergedInto':
      return {
        ...party,
        mergedInto: { survivorId: event.data.survivorId, mergeId: event.data.mergeId },
      };
    case 'ContactUnmerged':
      return { ...party, mergedInto: null };
    default:
      return party;
  }
}

/**
 * The duplicates read model. It reads personal values in clear (`revealed`) to hash them
 * and normalize the name, and deletes the document on ContactErased.
 */
export function duplicatesProjection(
  keys: DuplicateKeys,
): Projection<DuplicateCandidate, ContactEvent> {
  return {
    ...DUPLICATES_READ_MODEL,
    handles: [
      'ContactRegistered',
      'ContactRenamed',
      'ContactPrimaryEmailSet',
      'ContactEmailAdded',
      'ContactEmailRemoved',
      'ContactPrimaryPhoneSet',
      'ContactPhoneAdded',
      'ContactPhoneRemoved',
      'ContactParentSet',
      'ContactAffiliated',
      'ContactAffiliationRemoved',
      'ContactArchived',
      'ContactRestored',
      'ContactMergedInto',
      'ContactUnmerged',
      'ContactMergeUndone',
      'ContactErased',
    ],
    indexes: [...LOOKUP_FIELDS.map((field) => `lookup.${field}`), 'mergedInto.mergeId'],
    personalData: 'revealed',
    documentId: (event) => event.data.contactId,
    evolve(doc, event) {
      if (event.type === 'ContactRegistered') {
        return doc ?? withLookup(keys, registered(keys, event));
      }
      if (doc === null || event.type === 'ContactErased') return null;
      const { lookup: _, ...party } = doc;
      return withLookup(keys, change(keys, party, event));
    },
  };
}
