import {
  CONTACT_LIMITS,
  type ContactEvent,
  type CustomFieldType,
  type CustomFieldValue,
  type MergePreference,
} from '@crm/events';
import { type Address, type MergeRecord, type Party, primaryOf } from './contact';
import { CustomFieldLimitReached, TagLimitReached } from './contact.errors';

type Events = ContactEvent[];
type FieldValue = { valueType: CustomFieldType; value: CustomFieldValue };

const sameAddress = (a: Address, b: Address): boolean =>
  a.street === b.street &&
  a.city === b.city &&
  a.region === b.region &&
  a.postalCode === b.postalCode &&
  a.country === b.country;

/** The value a single-valued field ends up with: the preferred side, else whichever has one. */
function pick<T>(survivor: T | null, absorbed: T | null, prefer: MergePreference): T | null {
  if (prefer === 'absorbed') return absorbed ?? survivor;
  return survivor ?? absorbed;
}

/**
 * The survivor's events for absorbing `absorbed` (in the order given): contact points,
 * addresses, tags and affiliations are combined; single-valued fields (name, owner, stage,
 * custom fields) follow the preference. The first event, ContactMerged, records what was
 * added or replaced, so that planUndo can take exactly that back out.
 */
export function planMerge(
  survivor: Party,
  absorbed: readonly Party[],
  mergeId: string,
  prefer: MergePreference,
): Events {
  const contactId = survivor.id;
  const changes: Events = [];
  // Copied contact points by value, with the party each came from.
  const emails = new Map(survivor.emails.map((e) => [e.email, undefined as string | undefined]));
  const phones = new Map(survivor.phones.map((p) => [p.phone, undefined as string | undefined]));
  // Primary after the copies (the first one copied, if the survivor had none), and the
  // one the preference picks.
  let primaryEmail = survivor.primaryEmail;
  let primaryPhone = survivor.primaryPhone;
  const tags = new Set(survivor.tags);
  const addresses = [...survivor.addresses];
  const affiliationKeys = new Set(
    survivor.affiliations.map((a) => `${a.organizationId}|${a.title ?? ''}|${a.since ?? ''}`),
  );
  // Emails and phones a merge copies are listed by their own events (see copiedBy in
  // contact.ts), sealed with the absorbed party's key, not in ContactMerged.
  const added = {
    addressIds: [] as string[],
    tags: [] as string[],
    affiliationIds: [] as string[],
  };
  let name = survivor.name;
  /** The absorbed party the name comes from, when it does. */
  let nameOrigin: string | undefined;
  let ownerId = survivor.ownerId;
  let stage = survivor.stage;
  const fields: Record<string, FieldValue & { origin?: string }> = { ...survivor.customFields };

  for (const other of absorbed) {
    for (const { email, label } of other.emails) {
      if (emails.has(email)) continue;
      emails.set(email, other.id);
      primaryEmail ??= email;
      changes.push({
        type: 'ContactEmailAdded',
        data: { contactId, email, label, origin: other.id },
      });
    }
    for (const { phone, label } of other.phones) {
      if (phones.has(phone)) continue;
      phones.set(phone, other.id);
      primaryPhone ??= phone;
      changes.push({
        type: 'ContactPhoneAdded',
        data: { contactId, phone, label, origin: other.id },
      });
    }
    for (const address of other.addresses) {
      if (addresses.some((a) => sameAddress(a, address))) continue;
      addresses.push(address);
      added.addressIds.push(address.addressId);
      changes.push({
        type: 'ContactAddressAdded',
        data: { contactId, ...address, origin: other.id },
      });
    }
    for (const tag of other.tags) {
      if (tags.has(tag)) continue;
      tags.add(tag);
      added.tags.push(tag);
      changes.push({ type: 'ContactTagged', data: { contactId, tag } });
    }
    for (const affiliation of other.affiliations) {
      const key = `${affiliation.organizationId}|${affiliation.title ?? ''}|${affiliation.since ?? ''}`;
      if (affiliationKeys.has(key) || affiliation.organizationId === contactId) continue;
      affiliationKeys.add(key);
      added.affiliationIds.push(affiliation.affiliationId);
      changes.push({
        type: 'ContactAffiliated',
        data: { contactId, ...affiliation, origin: other.id },
      });
    }
    const picked = pick(name, other.name, prefer);
    if (picked !== name) nameOrigin = other.id;
    name = picked;
    ownerId = pick(ownerId, other.ownerId, prefer);
    stage = pick(stage, other.stage, prefer);
    for (const [field, value] of Object.entries(other.customFields)) {
      if (prefer === 'absorbed' || !fields[field]) fields[field] = { ...value, origin: other.id };
    }
  }
  const copiedPrimaryEmail = primaryEmail;
  const copiedPrimaryPhone = primaryPhone;
  if (prefer === 'absorbed') {
    for (const other of absorbed) {
      primaryEmail = other.primaryEmail ?? primaryEmail;
      primaryPhone = other.primaryPhone ?? primaryPhone;
    }
  }
  if (tags.size > CONTACT_LIMITS.tags) throw new TagLimitReached(CONTACT_LIMITS.tags);
  if (Object.keys(fields).length > CONTACT_LIMITS.customFields) {
    throw new CustomFieldLimitReached(CONTACT_LIMITS.customFields);
  }

  const replaced: {
    name?: string | null;
    primaryEmail?: string | null;
    primaryPhone?: string | null;
    customFields?: Record<string, FieldValue | null>;
  } = {};
  if (primaryEmail !== copiedPrimaryEmail && primaryEmail !== null) {
    replaced.primaryEmail = survivor.primaryEmail;
    const origin = emails.get(primaryEmail);
    changes.push({
      type: 'ContactPrimaryEmailSet',
      data: { contactId, email: primaryEmail, ...(origin === undefined ? {} : { origin }) },
    });
  }
  if (primaryPhone !== copiedPrimaryPhone && primaryPhone !== null) {
    replaced.primaryPhone = survivor.primaryPhone;
    const origin = phones.get(primaryPhone);
    changes.push({
      type: 'ContactPrimaryPhoneSet',
      data: { contactId, phone: primaryPhone, ...(origin === undefined ? {} : { origin }) },
    });
  }
  if (name !== survivor.name) {
    replaced.name = survivor.name;
    changes.push({
      type: 'ContactRenamed',
      data: { contactId, name, ...(nameOrigin === undefined ? {} : { origin: nameOrigin }) },
    });
  }
  for (const [field, { valueType, value, origin }] of Object.entries(fields)) {
    const before = survivor.customFields[field];
    if (before?.valueType === valueType && before.value === value) continue;
    replaced.customFields = { ...replaced.customFields, [field]: before ?? null };
    changes.push({
      type: 'ContactCustomFieldSet',
      data: { contactId, field, valueType, value, ...(origin === undefined ? {} : { origin }) },
    });
  }
  const ownerChanged = ownerId !== survivor.ownerId;
  if (ownerChanged) {
    changes.push({
      type: 'ContactOwnerAssigned',
      data: { contactId, ownerId, previousOwnerId: survivor.ownerId },
    });
  }
  const stageChanged = stage !== survivor.stage;
  if (stageChanged) {
    changes.push({
      type: 'ContactStageChanged',
      data: { contactId, from: survivor.stage, to: stage },
    });
  }

  const merged: ContactEvent = {
    type: 'ContactMerged',
    data: {
      contactId,
      mergeId,
      absorbedIds: absorbed.map((p) => p.id),
      prefer,
      addedEmails: [],
      addedPhones: [],
      addedAddressIds: added.addressIds,
      addedTags: added.tags,
      addedAffiliationIds: added.affiliationIds,
      previousOwner: ownerChanged ? { ownerId: survivor.ownerId } : null,
      previousStage: stageChanged ? { stage: survivor.stage } : null,
      replaced,
    },
  };
  return [merged, ...changes];
}

/**
 * Takes a merge back out of the survivor: removes what it added and is still there, puts
 * back what it replaced unless it was changed since, and ends with ContactMergeUndone.
 * Later edits stay as they are.
 */
export function planUndo(survivor: Party, merge: MergeRecord): Events {
  const contactId = survivor.id;
  const events: Events = [];
  // The copied emails and phones go out with ContactMergeUndone, by reference: an event
  // under the survivor's key naming them would outlive the absorbed party's erasure.
  const copiedEmails = new Set(merge.addedEmails);
  const copiedPhones = new Set(merge.addedPhones);
  // The primary the merge replaced comes back if the one it set is still primary.
  const { replaced, unchanged } = merge;
  const primaryEmail = primaryOf(
    survivor.emails.filter((e) => !copiedEmails.has(e.email)),
    unchanged.primaryEmail && replaced.primaryEmail !== undefined
      ? replaced.primaryEmail
      : survivor.primaryEmail,
    (e) => e.email,
  );
  const primaryPhone = primaryOf(
    survivor.phones.filter((p) => !copiedPhones.has(p.phone)),
    unchanged.primaryPhone && replaced.primaryPhone !== undefined
      ? replaced.primaryPhone
      : survivor.primaryPhone,
    (p) => p.phone,
  );
  for (const addressId of merge.addedAddressIds) {
    if (survivor.addresses.some((a) => a.addressId === addressId)) {
      events.push({ type: 'ContactAddressRemoved', data: { contactId, addressId } });
    }
  }
  for (const tag of merge.addedTags) {
    if (survivor.tags.includes(tag))
      events.push({ type: 'ContactUntagged', data: { contactId, tag } });
  }
  for (const affiliationId of merge.addedAffiliationIds) {
    if (survivor.affiliations.some((a) => a.affiliationId === affiliationId)) {
      events.push({ type: 'ContactAffiliationRemoved', data: { contactId, affiliationId } });
    }
  }
  // Single values go back only where they still are as the merge set them.
  if (replaced.name !== undefined && unchanged.name && replaced.name !== survivor.name) {
    events.push({ type: 'ContactRenamed', data: { contactId, name: replaced.name } });
  }
  for (const [field, before] of Object.entries(replaced.customFields ?? {})) {
    if (!unchanged.customFields.includes(field)) continue;
    if (before === null) {
      if (survivor.customFields[field]) {
        events.push({ type: 'ContactCustomFieldRemoved', data: { contactId, field } });
      }
    } else {
      events.push({ type: 'ContactCustomFieldSet', data: { contactId, field, ...before } });
    }
  }
  if (
    merge.previousOwner &&
    unchanged.ownerId &&
    merge.previousOwner.ownerId !== survivor.ownerId
  ) {
    events.push({
      type: 'ContactOwnerAssigned',
      data: { contactId, ownerId: merge.previousOwner.ownerId, previousOwnerId: survivor.ownerId },
    });
  }
  if (merge.previousStage && unchanged.stage && merge.previousStage.stage !== survivor.stage) {
    events.push({
      type: 'ContactStageChanged',
      data: { contactId, from: survivor.stage, to: merge.previousStage.stage },
    });
  }
  const { mergeId, absorbedIds } = merge;
  events.push({
    type: 'ContactMergeUndone',
    data: { contactId, mergeId, absorbedIds, primaryEmail, primaryPhone },
  });
  return events;
}
