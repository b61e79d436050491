import type { PartyTraits } from './duplicate-match';
import type { MergeCopies } from '../merge-copies';
import type { DuplicateKeys } from './duplicate-keys';

/**
 * How many emails, phones and organizations of a party are indexed for lookups. The port
 * filters by equality on single fields, so each indexed value needs a field of its own;
 * values past these still count once the party is found through another one.
 */
const SLOTS = [0, 1, 2] as const;
type Slots<P extends string> = { readonly [K in `${P}${(typeof SLOTS)[number]}`]: string | null };
type SlotName = 'email' | 'phone' | 'scope';

/** What candidate queries filter on: every field null while the party is no candidate. */
export type Lookup = Slots<'email'> &
  Slots<'phone'> &
  Slots<'scope'> & {
    /** Organizations and units: keyed hash of kind, parent and name fingerprint. */
    readonly nameKey: string | null;
  };

export const lookupFields = (slot: SlotName): (keyof Lookup)[] =>
  SLOTS.map((i) => `${slot}${i}` as const);

/**
 * A party as duplicate detection sees it: keyed hashes of its emails and phones, its
 * normalized name, its organizations. Nothing else personal, and no email or phone in
 * clear. ContactErased deletes the document; rebuilt after an erasure, it never had them.
 */
export interface DuplicateCandidate {
  readonly id: string;
  readonly kind: PartyTraits['kind'];
  readonly name: string | null;
  readonly emails: readonly string[];
  readonly primaryEmail: string | null;
  readonly phones: readonly string[];
  readonly primaryPhone: string | null;
  /** Email and phone keys a merge copied, by the party they came from (see MergeCopies). */
  readonly copies: MergeCopies;
  readonly affiliations: readonly {
    readonly affiliationId: string;
    readonly organizationId: string;
  }[];
  readonly parentId: string | null;
  readonly archived: boolean;
  readonly mergedInto: { readonly survivorId: string; readonly mergeId: string } | null;
  readonly lookup: Lookup;
}

/** The document without its lookup fields: what the projection folds. */
export type CandidateParty = Omit<DuplicateCandidate, 'lookup'>;

// Version 2: copies of merges are tracked, so an undo takes them out by reference.
export const DUPLICATES_READ_MODEL = { name: 'duplicate_candidates', version: 2 } as const;

export function traitsOf(doc: CandidateParty): PartyTraits {
  return {
    kind: doc.kind,
    name: doc.name,
    emails: doc.emails,
    phones: doc.phones,
    organizationIds: [...new Set(doc.affiliations.map((a) => a.organizationId))],
    parentId: doc.parentId,
  };
}

/** Archived and merged-away parties are no candidates (erased ones have no document). */
export const isCandidate = (doc: CandidateParty): boolean =>
  !doc.archived && doc.mergedInto === null;

export const LOOKUP_FIELDS: readonly (keyof Lookup)[] = [
  ...(['email', 'phone', 'scope'] as const).flatMap(lookupFields),
  'nameKey',
];
const NO_LOOKUP = Object.fromEntries(LOOKUP_FIELDS.map((field) => [field, null])) as Lookup;

const primaryFirst = (values: readonly string[], primary: string | null): readonly string[] =>
  primary === null ? values : [primary, ...values.filter((v) => v !== primary)];

export function withLookup(keys: DuplicateKeys, party: CandidateParty): DuplicateCandidate {
  if (!isCandidate(party)) return { ...party, lookup: NO_LOOKUP };
  const { organizationIds } = traitsOf(party);
  // People's latest affiliations first: the ones most likely entered twice.
  const scopes =
    party.kind === 'person'
      ? [...organizationIds].reverse()
      : party.parentId === null
        ? []
        : [party.parentId];
  const slots = (slot: SlotName, values: readonly string[]) =>
    Object.fromEntries(lookupFields(slot).map((field, i) => [field, values[i] ?? null]));
  const lookup = {
    ...slots('email', primaryFirst(party.emails, party.primaryEmail)),
    ...slots('phone', primaryFirst(party.phones, party.primaryPhone)),
    ...slots('scope', scopes),
    nameKey:
      party.kind !== 'person' && party.name !== null
        ? keys.name(party.kind, party.parentId, party.name)
        : null,
  } as Lookup;
  return { ...party, lookup };
}
