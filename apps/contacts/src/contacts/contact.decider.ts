import {
  CONTACT_LIMITS,
  type ContactEvent,
  type CustomFieldType,
  type CustomFieldValue,
  type Decider,
  type LifecycleStage,
  type MergePreference,
  type PartyKind,
  type PostalAddress,
  type Relationship,
} from '@crm/events';
import {
  type ContactState,
  emailRemoved,
  evolve,
  initialState,
  type Party,
  phoneRemoved,
} from './contact';
import {
  AffiliationNotAllowed,
  ContactAlreadyRegistered,
  ContactArchived,
  ContactErased,
  ContactMerged,
  ContactNotArchived,
  ContactNotFound,
  ContactPointNotFound,
  CustomFieldLimitReached,
  MergeNotAllowed,
  MergeNotFound,
  RelationshipNotAllowed,
  StageTransitionNotAllowed,
  TagLimitReached,
} from './contact.errors';
import { planMerge, planUndo } from './contact-merge';
import { allowed, checkAbsorbable, checkParent, STAGE_TRANSITIONS } from './contact.rules';

// Commands carry values already validated and normalized at the edge (trimmed names,
// lower-cased emails, E.164 phones); the decider owns the rules between them. Facts about
// other parties (a parent's kind and ancestors, the absorbed parties of a merge) come in
// as data, read by the caller.
export type ContactCommand =
  | {
      readonly type: 'RegisterContact';
      readonly contactId: string;
      readonly kind: PartyKind;
      readonly relationship: Relationship;
      readonly name: string;
      readonly primaryEmail: string | null;
      readonly primaryPhone: string | null;
      readonly ownerId: string | null;
      readonly stage?: LifecycleStage | null;
      readonly tags?: readonly string[];
    }
  | { readonly type: 'RenameContact'; readonly contactId: string; readonly name: string }
  | { readonly type: 'SetPrimaryEmail'; readonly contactId: string; readonly email: string | null }
  | { readonly type: 'SetPrimaryPhone'; readonly contactId: string; readonly phone: string | null }
  | {
      readonly type: 'AddEmail';
      readonly contactId: string;
      readonly email: string;
      readonly label: string;
      readonly primary?: boolean;
    }
  | { readonly type: 'RemoveEmail'; readonly contactId: string; readonly email: string }
  | {
      readonly type: 'AddPhone';
      readonly contactId: string;
      readonly phone: string;
      readonly label: string;
      readonly primary?: boolean;
    }
  | { readonly type: 'RemovePhone'; readonly contactId: string; readonly phone: string }
  | {
      readonly type: 'AddAddress';
      readonly contactId: string;
      readonly addressId: string;
      readonly label: string;
      readonly address: PostalAddress;
    }
  | { readonly type: 'RemoveAddress'; readonly contactId: string; readonly addressId: string }
  | { readonly type: 'TagContact'; readonly contactId: string; readonly tags: readonly string[] }
  | { readonly type: 'UntagContact'; readonly contactId: string; readonly tag: string }
  | { readonly type: 'AssignOwner'; readonly contactId: string; readonly ownerId: string | null }
  | { readonly type: 'ChangeStage'; readonly contactId: string; readonly stage: LifecycleStage }
  | {
      readonly type: 'SetCustomField';
      readonly contactId: string;
      readonly field: string;
      readonly valueType: CustomFieldType;
      readonly value: CustomFieldValue;
    }
  | { readonly type: 'RemoveCustomField'; readonly contactId: string; readonly field: string }
  | {
      readonly type: 'SetParent';
      readonly contactId: string;
      /** null detaches the party from its parent. */
      readonly parent: {
        readonly id: string;
        readonly kind: PartyKind;
        /** The parent's own ancestors, nearest first: a cycle check without I/O. */
        readonly ancestors: readonly string[];
      } | null;
    }
  | {
      readonly type: 'Affiliate';
      readonly contactId: string;
      readonly affiliationId: string;
      readonly organization: { readonly id: string; readonly kind: PartyKind };
      readonly title: string | null;
      readonly since: string | null;
      readonly until: string | null;
    }
  | {
      readonly type: 'EndAffiliation';
      readonly contactId: string;
      readonly affiliationId: string;
      readonly until: string;
    }
  | {
      readonly type: 'RemoveAffiliation';
      readonly contactId: string;
      readonly affiliationId: string;
    }
  | { readonly type: 'ArchiveContact'; readonly contactId: string; readonly reason: string | null }
  | { readonly type: 'RestoreContact'; readonly contactId: string }
  | {
      readonly type: 'AbsorbContacts';
      readonly contactId: string;
      readonly mergeId: string;
      readonly absorbed: readonly Party[];
      readonly prefer: MergePreference;
    }
  | {
      readonly type: 'MarkMergedInto';
      readonly contactId: string;
      readonly survivorId: string;
      readonly mergeId: string;
    }
  | { readonly type: 'UndoMerge'; readonly contactId: string; readonly mergeId: string }
  | { readonly type: 'RestoreFromMerge'; readonly contactId: string; readonly mergeId: string }
  | { readonly type: 'EraseContact'; readonly contactId: string };

type Events = ContactEvent[];

function register(command: Extract<ContactCommand, { type: 'RegisterContact' }>): Events {
  const { contactId, kind, relationship, name, primaryEmail, primaryPhone } = command;
  if (!allowed(kind, relationship)) throw new RelationshipNotAllowed(kind, relationship);
  const tags = [...new Set(command.tags ?? [])];
  if (tags.length > CONTACT_LIMITS.tags) throw new TagLimitReached(CONTACT_LIMITS.tags);
  const events: Events = [
    {
      type: 'ContactRegistered',
      data: { contactId, kind, relationship, name, primaryEmail, primaryPhone },
    },
  ];
  if (command.ownerId !== null) {
    events.push({
      type: 'ContactOwnerAssigned',
      data: { contactId, ownerId: command.ownerId, previousOwnerId: null },
    });
  }
  if (command.stage) {
    if (!STAGE_TRANSITIONS.none.includes(command.stage)) {
      throw new StageTransitionNotAllowed(null, command.stage);
    }
    events.push({
      type: 'ContactStageChanged',
      data: { contactId, from: null, to: command.stage },
    });
  }
  for (const tag of tags) events.push({ type: 'ContactTagged', data: { contactId, tag } });
  return events;
}

/** What may change a party depends on where it is in its life. */
function guard(command: ContactCommand, party: Party): void {
  const { contactId } = command;
  if (party.erased) throw new ContactErased(contactId);
  if (command.type === 'EraseContact') return;
  if (party.mergedInto && command.type !== 'RestoreFromMerge') {
    throw new ContactMerged(contactId, party.mergedInto.survivorId);
  }
  if (command.type === 'RestoreContact') {
    if (!party.archived) throw new ContactNotArchived(contactId);
    return;
  }
  if (party.archived && command.type !== 'RestoreFromMerge') throw new ContactArchived(contactId);
}

function decideForParty(command: ContactCommand, party: Party): Events {
  const { contactId } = command;
  switch (command.type) {
    case 'RegisterContact':
      throw new ContactAlreadyRegistered(contactId);
    // Setting a value the party already has records nothing.
    case 'RenameContact':
      return party.name === command.name
        ? []
        : [{ type: 'ContactRenamed', data: { contactId, name: command.name } }];
    // null takes the primary one off; the next one (if any) becomes primary.
    case 'SetPrimaryEmail':
      if (party.primaryEmail === command.email) return [];
      return command.email === null
        ? [emailRemoved(party, party.primaryEmail ?? '')]
        : [{ type: 'ContactPrimaryEmailSet', data: { contactId, email: command.email } }];
    case 'SetPrimaryPhone':
      if (party.primaryPhone === command.phone) return [];
      return command.phone === null
        ? [phoneRemoved(party, party.primaryPhone ?? '')]
        : [{ type: 'ContactPrimaryPhoneSet', data: { contactId, phone: command.phone } }];
    case 'AddEmail': {
      const { email, label, primary } = command;
      const events: Events = party.emails.some((e) => e.email === email)
        ? []
        : [{ type: 'ContactEmailAdded', data: { contactId, email, label } }];
      if (primary && party.primaryEmail !== email) {
        events.push({ type: 'ContactPrimaryEmailSet', data: { contactId, email } });
      }
      return events;
    }
    case 'RemoveEmail':
      if (!party.emails.some((e) => e.email === command.email)) {
        throw new ContactPointNotFound(contactId, 'email');
      }
      return [emailRemoved(party, command.email)];
    case 'AddPhone': {
      const { phone, label, primary } = command;
      const events: Events = party.phones.some((p) => p.phone === phone)
        ? []
        : [{ type: 'ContactPhoneAdded', data: { contactId, phone, label } }];
      if (primary && party.primaryPhone !== phone) {
        events.push({ type: 'ContactPrimaryPhoneSet', data: { contactId, phone } });
      }
      return events;
    }
    case 'RemovePhone':
      if (!party.phones.some((p) => p.phone === command.phone)) {
        throw new ContactPointNotFound(contactId, 'phone');
      }
      return [phoneRemoved(party, command.phone)];
    case 'AddAddress':
      return [
        {
          type: 'ContactAddressAdded',
          data: {
            contactId,
            addressId: command.addressId,
            label: command.label,
            ...command.address,
          },
        },
      ];
    case 'RemoveAddress':
      if (!party.addresses.some((a) => a.addressId === command.addressId)) {
        throw new ContactPointNotFound(contactId, 'address');
      }
      return [{ type: 'ContactAddressRemoved', data: { contactId, addressId: command.addressId } }];
    case 'TagContact': {
      const added = [...new Set(command.tags)].filter((tag) => !party.tags.includes(tag));
      if (party.tags.length + added.length > CONTACT_LIMITS.tags) {
        throw new TagLimitReached(CONTACT_LIMITS.tags);
      }
      return added.map((tag) => ({ type: 'ContactTagged', data: { contactId, tag } }));
    }
    case 'UntagContact':
      return party.tags.includes(command.tag)
        ? [{ type: 'ContactUntagged', data: { contactId, tag: command.tag } }]
        : [];
    case 'AssignOwner':
      return party.ownerId === command.ownerId
        ? []
        : [
            {
              type: 'ContactOwnerAssigned',
              data: { contactId, ownerId: command.ownerId, previousOwnerId: party.ownerId },
            },
          ];
    case 'ChangeStage': {
      if (party.stage === command.stage) return [];
      if (!STAGE_TRANSITIONS[party.stage ?? 'none'].includes(command.stage)) {
        throw new StageTransitionNotAllowed(party.stage, command.stage);
      }
      return [
        { type: 'ContactStageChanged', data: { contactId, from: party.stage, to: command.stage } },
      ];
    }
    case 'SetCustomField': {
      const { field, valueType, value } = command;
      const current = party.customFields[field];
      if (current?.valueType === valueType && current.value === value) return [];
      if (!current && Object.keys(party.customFields).length >= CONTACT_LIMITS.customFields) {
        throw new CustomFieldLimitReached(CONTACT_LIMITS.customFields);
      }
      return [{ type: 'ContactCustomFieldSet', data: { contactId, field, valueType, value } }];
    }
    case 'RemoveCustomField':
      return party.customFields[command.field]
        ? [{ type: 'ContactCustomFieldRemoved', data: { contactId, field: command.field } }]
        : [];
    case 'SetParent': {
      const { parent } = command;
      if ((parent?.id ?? null) === party.parentId) return [];
      if (parent) checkParent(party, parent);
      return [{ type: 'ContactParentSet', data: { contactId, parentId: parent?.id ?? null } }];
    }
    case 'Affiliate': {
      const { affiliationId, organization, title, since, until } = command;
      if (party.kind !== 'person') throw new AffiliationNotAllowed('only people are affiliated');
      if (organization.kind === 'person') {
        throw new AffiliationNotAllowed('a person is affiliated with an organization or unit');
      }
      if (since !== null && until !== null && until < since) {
        throw new AffiliationNotAllowed('until is before since');
      }
      return [
        {
          type: 'ContactAffiliated',
          data: {
            contactId,
            affiliationId,
            organizationId: organization.id,
            title,
            since,
            until,
          },
        },
      ];
    }
    case 'EndAffiliation': {
      const affiliation = party.affiliations.find((a) => a.affiliationId === command.affiliationId);
      if (!affiliation) throw new ContactPointNotFound(contactId, 'affiliation');
      if (affiliation.until === command.until) return [];
      if (affiliation.since !== null && command.until < affiliation.since) {
        throw new AffiliationNotAllowed('until is before since');
      }
      return [
        {
          type: 'ContactAffiliationEnded',
          data: { contactId, affiliationId: command.affiliationId, until: command.until },
        },
      ];
    }
    case 'RemoveAffiliation':
      if (!party.affiliations.some((a) => a.affiliationId === command.affiliationId)) {
        throw new ContactPointNotFound(contactId, 'affiliation');
      }
      return [
        {
          type: 'ContactAffiliationRemoved',
          data: { contactId, affiliationId: command.affiliationId },
        },
      ];
    case 'ArchiveContact':
      return [{ type: 'ContactArchived', data: { contactId, reason: command.reason } }];
    case 'RestoreContact':
      return [{ type: 'ContactRestored', data: { contactId } }];
    case 'AbsorbContacts':
      for (const absorbed of command.absorbed) checkAbsorbable(party, absorbed);
      return planMerge(party, command.absorbed, command.mergeId, command.prefer);
    case 'MarkMergedInto':
      if (command.survivorId === contactId)
        throw new MergeNotAllowed('a party cannot absorb itself');
      return [
        {
          type: 'ContactMergedInto',
          data: { contactId, survivorId: command.survivorId, mergeId: command.mergeId },
        },
      ];
    case 'UndoMerge': {
      const merge = party.merges.find((m) => m.mergeId === command.mergeId);
      if (!merge) throw new MergeNotFound(command.mergeId);
      if (merge.undone) throw new MergeNotAllowed(`merge ${command.mergeId} was already undone`);
      return planUndo(party, merge);
    }
    case 'RestoreFromMerge':
      if (party.mergedInto?.mergeId !== command.mergeId) throw new MergeNotFound(command.mergeId);
      return [{ type: 'ContactUnmerged', data: { contactId, mergeId: command.mergeId } }];
    case 'EraseContact':
      return [{ type: 'ContactErased', data: { contactId } }];
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

function decide(command: ContactCommand, state: ContactState): ContactEvent[] {
  if (command.type === 'RegisterContact') {
    if (state.status !== 'unregistered') throw new ContactAlreadyRegistered(command.contactId);
    return register(command);
  }
  if (state.status === 'unregistered') throw new ContactNotFound(command.contactId);
  guard(command, state);
  return decideForParty(command, state);
}

export const contactDecider: Decider<ContactCommand, ContactEvent, ContactState> = {
  initialState,
  decide,
  evolve,
};
