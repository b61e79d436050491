import { fold } from '@crm/events';
import type { ContactEvent, ContactState, Party } from './contact';
import { contactDecider } from './contact.decider';

// Given histories of the merge decider specs: Ada (the survivor) and Augusta, the same
// woman entered again (the absorbed party), and what absorbing her records.

export const survivorId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
export const absorbedId = '01a242b7-74cb-754e-8a51-c229a3e10640';
export const otherId = '01a242b7-74cb-754e-8a51-c229a3e10641';
export const orgId = '01a242b7-74cb-754e-8a51-c229a3e10642';
export const mergeId = '01a242b8-0000-7000-8000-000000000001';
export const affiliationId = '01a242b8-0000-7000-8000-0000000000a1';
export const addressId = '01a242b8-0000-7000-8000-0000000000b1';

/** What the absorbed party has and the merge copies to the survivor. */
export const address = {
  addressId,
  label: 'home',
  street: '12 St James Square',
  city: 'London',
  region: null,
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};
export const affiliation = {
  affiliationId,
  organizationId: orgId,
  title: 'Analyst',
  since: '1843-01-01',
  until: null,
};

export const registered = (
  contactId: string,
  name: string,
  email: string | null,
): ContactEvent => ({
  type: 'ContactRegistered',
  data: {
    contactId,
    kind: 'person',
    relationship: 'b2c',
    name,
    primaryEmail: email,
    primaryPhone: null,
  },
});

/** The survivor: Ada, ada@example.com, owned by alice, a lead, tagged vip. */
export const survivorHistory: ContactEvent[] = [
  registered(survivorId, 'Ada Lovelace', 'ada@example.com'),
  {
    type: 'ContactOwnerAssigned',
    data: { contactId: survivorId, ownerId: 'alice', previousOwnerId: null },
  },
  { type: 'ContactStageChanged', data: { contactId: survivorId, from: null, to: 'lead' } },
  { type: 'ContactTagged', data: { contactId: survivorId, tag: 'vip' } },
];

/** The absorbed one: the same person entered again with more contact points. */
export const absorbedHistory: ContactEvent[] = [
  registered(absorbedId, 'Augusta Ada King', 'countess@lovelace.org'),
  {
    type: 'ContactPhoneAdded',
    data: { contactId: absorbedId, phone: '+442079460958', label: 'mobile' },
  },
  {
    type: 'ContactEmailAdded',
    data: { contactId: absorbedId, email: 'ada@example.com', label: 'home' },
  },
  {
    type: 'ContactAddressAdded',
    data: { contactId: absorbedId, ...address },
  },
  { type: 'ContactTagged', data: { contactId: absorbedId, tag: 'vip' } },
  { type: 'ContactTagged', data: { contactId: absorbedId, tag: 'math' } },
  {
    type: 'ContactOwnerAssigned',
    data: { contactId: absorbedId, ownerId: 'bob', previousOwnerId: null },
  },
  {
    type: 'ContactAffiliated',
    data: { contactId: absorbedId, ...affiliation },
  },
  {
    type: 'ContactCustomFieldSet',
    data: { contactId: absorbedId, field: 'birthYear', valueType: 'number', value: 1815 },
  },
];

export const party = (history: readonly ContactEvent[]): Party => {
  const state: ContactState = fold(contactDecider, history);
  if (state.status !== 'registered') throw new Error('not registered');
  return state;
};
export const absorbed = party(absorbedHistory);
export const absorb = (prefer: 'survivor' | 'absorbed' = 'survivor', parties = [absorbed]) =>
  ({ type: 'AbsorbContacts', contactId: survivorId, mergeId, absorbed: parties, prefer }) as const;
export const undo = { type: 'UndoMerge', contactId: survivorId, mergeId } as const;
export const markMerged = {
  type: 'MarkMergedInto',
  contactId: absorbedId,
  survivorId,
  mergeId,
} as const;
export const restore = { type: 'RestoreFromMerge', contactId: absorbedId, mergeId } as const;

export const archived = (contactId: string): ContactEvent => ({
  type: 'ContactArchived',
  data: { contactId, reason: null },
});
export const erased = (contactId: string): ContactEvent => ({
  type: 'ContactErased',
  data: { contactId },
});
export const mergedInto = (contactId: string, survivor = otherId): ContactEvent => ({
  type: 'ContactMergedInto',
  data: { contactId, survivorId: survivor, mergeId: '01a242b8-0000-7000-8000-000000000009' },
});

/** What absorbing `absorbed` into the survivor with the survivor preferred records. */
/** Values copied from the absorbed party name it, and are sealed with its key. */
export const origin = absorbedId;
export const mergedBySurvivorPreference: ContactEvent[] = [
  {
    type: 'ContactMerged',
    data: {
      contactId: survivorId,
      mergeId,
      absorbedIds: [absorbedId],
      prefer: 'survivor',
      addedEmails: [],
      addedPhones: [],
      addedAddressIds: [addressId],
      addedTags: ['math'],
      addedAffiliationIds: [affiliationId],
      previousOwner: null,
      previousStage: null,
      replaced: { customFields: { birthYear: null } },
    },
  },
  {
    type: 'ContactEmailAdded',
    data: { contactId: survivorId, email: 'countess@lovelace.org', label: 'work', origin },
  },
  {
    type: 'ContactPhoneAdded',
    data: { contactId: survivorId, phone: '+442079460958', label: 'mobile', origin },
  },
  {
    type: 'ContactAddressAdded',
    data: { contactId: survivorId, ...address, origin },
  },
  { type: 'ContactTagged', data: { contactId: survivorId, tag: 'math' } },
  {
    type: 'ContactAffiliated',
    data: { contactId: survivorId, ...affiliation, origin },
  },
  {
    type: 'ContactCustomFieldSet',
    data: {
      contactId: survivorId,
      field: 'birthYear',
      valueType: 'number',
      value: 1815,
      origin,
    },
  },
];
