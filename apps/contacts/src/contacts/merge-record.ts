import type {
  ContactEvent,
  LifecycleStage,
  MergePreference,
  MergeReplacedValues,
} from '@crm/events';
import type { Party } from './contact';
import { withEmails, withPhones } from './party-points';

// The survivor's record of each merge it absorbed, folded from its own events: what the
// merge added and replaced (so an undo takes exactly that back out), and which of the
// single values it set nobody changed since (so an undo never overwrites a later edit).

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

type MergedData = Extract<ContactEvent, { type: 'ContactMerged' }>['data'];

export function mergeRecorded({ contactId: _, ...merge }: MergedData): MergeRecord {
  return {
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
}

/** The index of the standing merge that copied values from `origin`, or -1. */
const mergeOfOrigin = (party: Party, origin: string | undefined): number =>
  origin === undefined
    ? -1
    : party.merges.findLastIndex((m) => !m.undone && m.absorbedIds.includes(origin));

/**
 * A merge lists the emails and phones it copied by their own events (they carry the
 * absorbed party's id and are sealed with its key), not in ContactMerged, so the list
 * goes with the absorbed party's key when it is erased.
 */
export function copiedBy(
  party: Party,
  origin: string | undefined,
  record: (merge: MergeRecord) => MergeRecord,
): Party {
  const index = mergeOfOrigin(party, origin);
  if (index < 0) return party;
  return { ...party, merges: party.merges.map((m, i) => (i === index ? record(m) : m)) };
}

/**
 * Closes a merge record. The undo takes the copied emails and phones out by reference (the
 * record lists them), so that no event under the survivor's key names them; undos written
 * before that (no `absorbedIds`) removed them by separate events. The record forgets them
 * either way: they belong to the absorbed party, whose erasure must not leave them here.
 */
export function mergeUndone(
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

export function renamed(party: Party, origin: string | undefined): Party {
  const byMerge = mergeOfOrigin(party, origin);
  return touched(
    party,
    (m, mine) => ({ ...m, unchanged: { ...m.unchanged, name: mine } }),
    (_, i) => i === byMerge,
  );
}

export function customFieldTouched(party: Party, field: string, origin: string | undefined): Party {
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
export function settled(party: Party, value: Settled, maybeByMerge = true): Party {
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
export function primaryMoved(before: Party, after: Party, value: 'primaryEmail' | 'primaryPhone') {
  return before[value] === after[value] ? after : settled(after, value, false);
}
