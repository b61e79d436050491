import type {
  ContactEvent,
  CustomFieldType,
  CustomFieldValue,
  LifecycleStage,
  MergePreference,
  MergeReplacedValues,
  PartyKind,
  PostalAddress,
  Relationship,
} from '@crm/events';

export type { ContactEvent } from '@crm/events';

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
/** What a merge did to the survivor, kept so it can be taken back out exactly. */
export interface MergeRecord {
  readonly mergeId: string;
  readonly absorbedIds: readonly string[];
  readonly prefer: MergePreference;
  readonly addedEmails: readonly string[];
  readonly addedPhones: readonly string[];
  readonly addedAddressIds: readonly string[];
  readonly addedTags: readonly string[];
  readonly addedAffiliationIds: readonly string[];
  readonly previousOwner: { readonly ownerId: string | null } | null;
  readonly previousStage: { readonly stage: LifecycleStage | null } | null;
  readonly replaced: MergeReplacedValues;
  /**
   * The single values this merge set that nobody changed since: an undo puts back only
   * these, so it never overwrites a later edit.
   */
  readonly unchanged: MergeUnchanged;
  /** The changes of these this merge writes right after ContactMerged are yet to come. */
  readonly pending: Readonly<Record<Settled, boolean>>;
  readonly undone: boolean;
}
/** Single values whose change carries no origin: a merge's own change is the first after it. */
type Settled = 'ownerId' | 'stage' | 'primaryEmail' | 'primaryPhone';
export interface MergeUnchanged extends Readonly<Record<Settled, boolean>> {
  readonly name: boolean;
  readonly customFields: readonly string[];
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

/** The events that take an email (or phone) off a party, saying which one is primary after. */
export function emailRemoved(party: Party, email: string): ContactEvent {
  const left = party.emails.filter((e) => e.email !== email);
  const primaryEmail = primaryOf(left, party.primaryEmail, (e) => e.email);
  return { type: 'ContactEmailRemoved', data: { contactId: party.id, email, primaryEmail } };
}

export function phoneRemoved(party: Party, phone: string): ContactEvent {
  const left = party.phones.filter((p) => p.phone !== phone);
  const primaryPhone = primaryOf(left, party.primaryPhone, (p) => p.phone);
  return { type: 'ContactPhoneRemoved', data: { contactId: party.id, phone, primaryPhone } };
}

export const contactStreamId = (contactId: string): string => `contact-${contactId}`;

export function initialState(): ContactState {
  return { status: 'unregistered' };
}

/** Keeps the primary one if it is still there, else the first left, else none. */
export function primaryOf<T>(
  items: readonly T[],
  primary: string | null,
  key: (item: T) => string,
) {
  if (primary !== null && items.some((item) => key(item) === primary)) return primary;
  const first = items[0];
  return first === undefined ? null : key(first);
}

function withEmails(party: Party, emails: readonly LabelledEmail[], primary: string | null): Party {
  return { ...party, emails, primaryEmail: primaryOf(emails, primary, (e) => e.email) };
}

function withPhones(party: Party, phones: readonly LabelledPhone[], primary: string | null): Party {
  return { ...party, phones, primaryPhone: primaryOf(phones, primary, (p) => p.phone) };
}

function setPrimaryEmail(party: Party, email: string | null): Party {
  if (email === null) {
    return withEmails(
      party,
      party.emails.filter((e) => e.email !== party.primaryEmail),
      null,
    );
  }
  const emails = party.emails.some((e) => e.email === email)
    ? party.emails
    : [...party.emails, { email, label: 'work' }];
  return withEmails(party, emails, email);
}

function setPrimaryPhone(party: Party, phone: string | null): Party {
  if (phone === null) {
    return withPhones(
      party,
      party.phones.filter((p) => p.phone !== party.primaryPhone),
      null,
    );
  }
  const phones = party.phones.some((p) => p.phone === phone)
    ? party.phones
    : [...party.phones, { phone, label: 'work' }];
  return withPhones(party, phones, phone);
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

/**
 * A merge lists the emails and phones it copied by their own events (they carry the
 * absorbed party's id and are sealed with its key), not in ContactMerged, so the list
 * goes with the absorbed party's key when it is erased.
 */
function copiedBy(
  party: Party,
  origin: string | undefined,
  record: (merge: MergeRecord) => MergeRecord,
): Party {
  if (origin === undefined) return party;
  const index = party.merges.findLastIndex((m) => !m.undone && m.absorbedIds.includes(origin));
  if (index < 0) return party;
  return { ...party, merges: party.merges.map((m, i) => (i === index ? record(m) : m)) };
}

/**
 * Closes a merge record. The undo takes the copied emails and phones out by reference (the
 * record lists them), so that no event under the survivor's key names them; undos written
 * before that (no `absorbedIds`) removed them by separate events. The record forgets them
 * either way: they belong to the absorbed party, whose erasure must not leave them here.
 */
function mergeUndone(
  party: Party,
  { mergeId, absorbedIds, primaryEmail = null, primaryPhone = null }: MergeUndoneData,
): Party {
  const merge = party.merges.find((m) => m.mergeId === mergeId);
  let next = party;
  if (merge && absorbedIds !== undefined) {
    const emails = new Set(merge.addedEmails);
    const phones = new Set(merge.addedPhones);
    next = withEmails(
      next,
      next.emails.filter((e) => !emails.has(e.email)),
      primaryEmail,
    );
    next = withPhones(
      next,
      next.phones.filter((p) => !phones.has(p.phone)),
      primaryPhone,
    );
  }
  return {
    ...next,
    merges: next.merges.map((m) =>
      m.mergeId === mergeId ? { ...m, undone: true, addedEmails: [], addedPhones: [] } : m,
    ),
  };
}
type MergeUndoneData = Extract<ContactEvent, { type: 'ContactMergeUndone' }>['data'];

/**
 * Follows which of its single values each standing merge still holds: a change by the merge
 * itself marks the value unchanged, any later change takes it off. `byMerge` says whether
 * the change was this merge's.
 */
function touched(
  party: Party,
  mark: (merge: MergeRecord, byMerge: boolean) => MergeRecord,
  isByMerge: (merge: MergeRecord, index: number) => boolean,
): Party {
  return {
    ...party,
    merges: party.merges.map((m, i) => (m.undone ? m : mark(m, isByMerge(m, i)))),
  };
}

/** The index of the standing merge that copied values from `origin`, or -1. */
const mergeOfOrigin = (party: Party, origin: string | undefined): number =>
  origin === undefined
    ? -1
    : party.merges.findLastIndex((m) => !m.undone && m.absorbedIds.includes(origin));

function renamed(party: Party, origin: string | undefined): Party {
  const byMerge = mergeOfOrigin(party, origin);
  return touched(
    party,
    (m, mine) => ({ ...m, unchanged: { ...m.unchanged, name: mine } }),
    (_, i) => i === byMerge,
  );
}

function customFieldTouched(party: Party, field: string, origin: string | undefined): Party {
  const byMerge = mergeOfOrigin(party, origin);
  return touched(
    party,
    (m, mine) => {
      const others = m.unchanged.customFields.filter((f) => f !== field);
      return {
        ...m,
        unchanged: { ...m.unchanged, customFields: mine ? [...others, field] : others },
      };
    },
    (_, i) => i === byMerge,
  );
}

/** A change to the owner, stage or a primary: a merge's own if it is pending on one. */
function settled(party: Party, value: Settled, maybeByMerge = true): Party {
  return touched(
    party,
    (m, mine) => ({
      ...m,
      unchanged: { ...m.unchanged, [value]: mine },
      pending: { ...m.pending, [value]: m.pending[value] && !mine },
    }),
    (m) => maybeByMerge && m.pending[value],
  );
}

/** A removal that moved the primary to another value changed it. */
function primaryMoved(before: Party, after: Party, value: 'primaryEmail' | 'primaryPhone') {
  return before[value] === after[value] ? after : settled(after, value, false);
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
    case 'ContactMerged': {
      const { contactId: _, ...merge } = event.data;
      const record: MergeRecord = {
        ...merge,
        addedEmails: merge.addedEmails ?? [],
        addedPhones: merge.addedPhones ?? [],
        replaced: merge.replaced ?? {},
        unchanged: {
          name: false,
          ownerId: false,
          stage: false,
          primaryEmail: false,
          primaryPhone: false,
          customFields: [],
        },
        pending: {
          ownerId: merge.previousOwner !== null,
          stage: merge.previousStage !== null,
          primaryEmail: merge.replaced?.primaryEmail !== undefined,
          primaryPhone: merge.replaced?.primaryPhone !== undefined,
        },
        undone: false,
      };
      return { ...party, merges: [...party.merges, record] };
    }
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
