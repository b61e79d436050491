import {
  CONTACT_EVENT_CONTRACTS,
  type ContactEvent,
  type LifecycleStage,
  type PartyKind,
  type Projection,
  type Relationship,
  searchTokens,
  searchWords,
} from '@crm/events';
import { parsePhoneNumberWithError } from 'libphonenumber-js';
import { evolve, initialState, type Party } from '../../contact';

/**
 * What finding parties needs: filter and sort fields, and the words of their names,
 * emails, phones and tags. Personal values are held in clear here (a search index cannot
 * match sealed values), so ContactErased clears them, and a rebuild after an erasure finds
 * them null (the key is gone) and indexes nothing of them.
 */
export interface ContactSearchDoc {
  readonly id: string;
  readonly kind: PartyKind;
  readonly relationship: Relationship;
  readonly ownerId: string | null;
  readonly stage: LifecycleStage | null;
  readonly tags: readonly string[];
  readonly archived: boolean;
  /** Merged into another party: a redirect, left out of lists and search. */
  readonly merged: boolean;
  readonly erased: boolean;
  /** Stream revision of the last event folded. */
  readonly revision: number;
  readonly registeredAt: string;
  readonly updatedAt: string;
  /** Name folded for sorting; null when there is none (or it was erased). */
  readonly sortName: string | null;
  /** Indexed for prefix search (see searchTokens). */
  readonly words: readonly string[];
  /** The party folded so far, from which the fields above are derived. */
  readonly party: Party;
}

/** Phones are found by their international digits and by their national number. */
function phoneWords(phone: string): string[] {
  try {
    const parsed = parsePhoneNumberWithError(phone);
    return [parsed.number.slice(1), parsed.nationalNumber];
  } catch {
    return [phone.replace(/\D/g, '')];
  }
}

function indexed(
  party: Party,
  revision: number,
  registeredAt: string,
  updatedAt: string,
): ContactSearchDoc {
  const emails = party.emails.map((e) => e.email);
  const phones = party.phones.map((p) => p.phone);
  return {
    id: party.id,
    kind: party.kind,
    relationship: party.relationship,
    ownerId: party.ownerId,
    stage: party.stage,
    tags: party.tags,
    archived: party.archived,
    merged: party.mergedInto !== null,
    erased: party.erased,
    revision,
    registeredAt,
    updatedAt,
    sortName: party.name === null ? null : searchTokens(party.name).join(' '),
    words: searchWords([party.name, ...emails, ...phones.flatMap(phoneWords), ...party.tags]),
    party,
  };
}

export const contactSearchProjection: Projection<ContactSearchDoc, ContactEvent> = {
  name: 'contact_search',
  // Version 2: an undone merge's record no longer keeps the copied emails and phones.
  version: 2,
  personalData: 'revealed',
  // Every event that changes the party: the document folds the party with the aggregate's
  // own evolve, so search sees exactly what the API shows.
  handles: CONTACT_EVENT_CONTRACTS.map((contract) => contract.type as ContactEvent['type']),
  // The sort fields and the selective filter; fields of a few values (kind, stage, the
  // flags) only filter what an index or the search finds.
  indexes: ['ownerId', 'sortName', 'updatedAt'],
  search: { field: 'words' },
  multiValued: ['tags'],
  documentId: (event) => event.data.contactId,
  evolve(doc, event) {
    const party = evolve(doc?.party ?? initialState(), event);
    if (party.status !== 'registered') return null;
    const at = event.metadata.recordedAt;
    return indexed(party, event.revision, doc?.registeredAt ?? at, at);
  },
};
