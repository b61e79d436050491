import type {
  ContactEvent,
  LifecycleStage,
  PartyKind,
  Personal,
  Projection,
  Relationship,
} from '@crm/events';

/**
 * One row of the contact list: what list screens and filters need. Personal fields stay
 * sealed in storage and are revealed when a page is read (null once erased), so the list
 * is rebuilt without decrypting anything and stops showing an erased party at once.
 */
export interface ContactListItem {
  readonly id: string;
  readonly kind: PartyKind;
  readonly relationship: Relationship;
  readonly name: Personal<string> | null;
  readonly primaryEmail: Personal<string> | null;
  readonly primaryPhone: Personal<string> | null;
  readonly ownerId: string | null;
  readonly stage: LifecycleStage | null;
  readonly tags: readonly string[];
  readonly archived: boolean;
  /** Merged into another party: a redirect, left out of lists. */
  readonly merged: boolean;
  readonly erased: boolean;
  readonly revision: number;
  readonly registeredAt: string;
  readonly updatedAt: string;
}

type Change = Partial<Omit<ContactListItem, 'id' | 'revision' | 'registeredAt' | 'updatedAt'>>;

/** What an event changes in a listed party; null when nothing the list shows. */
function change(doc: ContactListItem, event: ContactEvent): Change | null {
  switch (event.type) {
    case 'ContactRenamed':
      return { name: event.data.name };
    case 'ContactPrimaryEmailSet':
      return { primaryEmail: event.data.email };
    case 'ContactPrimaryPhoneSet':
      return { primaryPhone: event.data.phone };
    // A sealed value cannot be compared with another, but null can: the first address
    // added becomes primary, and removals say which one is primary after them.
    case 'ContactEmailAdded':
      return doc.primaryEmail === null ? { primaryEmail: event.data.email } : null;
    case 'ContactEmailRemoved':
      return { primaryEmail: event.data.primaryEmail };
    case 'ContactPhoneAdded':
      return doc.primaryPhone === null ? { primaryPhone: event.data.phone } : null;
    case 'ContactPhoneRemoved':
      return { primaryPhone: event.data.primaryPhone };
    case 'ContactMergeUndone': {
      // It takes out what the merge copied and says what is primary after (older undos
      // had removal events of their own, and no absorbedIds).
      const { absorbedIds, primaryEmail = null, primaryPhone = null } = event.data;
      return absorbedIds === undefined ? null : { primaryEmail, primaryPhone };
    }
    case 'ContactTagged':
      return doc.tags.includes(event.data.tag) ? null : { tags: [...doc.tags, event.data.tag] };
    case 'ContactUntagged':
      return { tags: doc.tags.filter((tag) => tag !== event.data.tag) };
    case 'ContactOwnerAssigned':
      return { ownerId: event.data.ownerId };
    case 'ContactStageChanged':
      return { stage: event.data.to };
    case 'ContactArchived':
      return { archived: true };
    case 'ContactRestored':
      return { archived: false };
    case 'ContactMergedInto':
      return { merged: true };
    case 'ContactUnmerged':
      return { merged: false };
    case 'ContactErased':
      return { erased: true };
    default:
      return null;
  }
}

export const contactListProjection: Projection<ContactListItem, ContactEvent> = {
  name: 'contact_list',
  version: 2,
  handles: [
    'ContactRegistered',
    'ContactRenamed',
    'ContactPrimaryEmailSet',
    'ContactPrimaryPhoneSet',
    'ContactEmailAdded',
    'ContactEmailRemoved',
    'ContactPhoneAdded',
    'ContactPhoneRemoved',
    'ContactTagged',
    'ContactUntagged',
    'ContactOwnerAssigned',
    'ContactStageChanged',
    'ContactArchived',
    'ContactRestored',
    'ContactMergedInto',
    'ContactUnmerged',
    'ContactMergeUndone',
    'ContactErased',
  ],
  // Only selective fields are indexed: lists page in id order, and a filter on a field of a
  // few values (kind, stage, archived) finds a page within a few dozen rows without one,
  // while every index costs each write and a rebuild.
  indexes: ['ownerId'],
  // Tags in a side table keyed by (tag, id), built once at the end of a rebuild.
  multiValued: ['tags'],
  documentId: (event) => event.data.contactId,
  evolve(doc, event) {
    const touched = { revision: event.revision, updatedAt: event.metadata.recordedAt };
    if (event.type === 'ContactRegistered') {
      const { contactId, kind, relationship, name, primaryEmail, primaryPhone } = event.data;
      return {
        id: contactId,
        kind,
        relationship,
        name,
        primaryEmail,
        primaryPhone,
        ownerId: null,
        stage: null,
        tags: [],
        archived: false,
        merged: false,
        erased: false,
        registeredAt: event.metadata.recordedAt,
        ...touched,
      };
    }
    if (!doc) return null;
    return { ...doc, ...change(doc, event), ...touched };
  },
};
