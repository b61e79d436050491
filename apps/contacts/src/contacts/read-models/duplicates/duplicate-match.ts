import type { PartyKind } from '@crm/events';
import { token_set_ratio } from 'fuzzball';

export const DUPLICATE_REASONS = ['same-email', 'same-phone', 'similar-name'] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

/**
 * What duplicate detection compares of a party. Emails and phones are keyed hashes
 * (DuplicateKeys); the name is normalized (normalizeName).
 */
export interface PartyTraits {
  readonly kind: PartyKind;
  readonly name: string | null;
  readonly emails: readonly string[];
  readonly phones: readonly string[];
  /** People: the organizations and units they are affiliated with. */
  readonly organizationIds: readonly string[];
  /** Organizations and units: their parent. */
  readonly parentId: string | null;
}

export interface DuplicateMatch {
  readonly score: number;
  readonly reasons: DuplicateReason[];
}

/** token_set_ratio / 100 from here on counts as a similar name ("Jon Smith" ~ "John Smith"). */
export const SIMILAR_NAME = 0.85;

/**
 * How much each finding alone says two parties are one: an email address is nearly
 * personal, a phone is often shared (a switchboard, a household), a similar name is weak.
 */
const WEIGHTS: Readonly<Record<DuplicateReason, number>> = {
  'same-email': 0.9,
  'same-phone': 0.7,
  'similar-name': 0.6,
};

/**
 * Token-set similarity of two normalized names in 0..1: word order and a missing middle
 * name do not count ("Ada King" ~ "Augusta Ada King"), typos count a little.
 */
export function nameSimilarity(a: string | null, b: string | null): number {
  if (!a || !b) return 0;
  return token_set_ratio(a, b, { full_process: false }) / 100;
}

/** People share an organization; organizations and units share their parent (or have none). */
export function sameOrganization(a: PartyTraits, b: PartyTraits): boolean {
  if (a.kind !== 'person') return a.parentId === b.parentId;
  return a.organizationIds.some((id) => b.organizationIds.includes(id));
}

const shares = (a: readonly string[], b: readonly string[]): boolean =>
  a.some((value) => b.includes(value));

/**
 * Whether `candidate` looks like the same party as `subject`, and why; null when it does
 * not. Only parties of the same kind can be one (and merged). A similar name counts within
 * the same organization, where common names are few, or next to a shared email or phone.
 * The score combines the findings as independent evidence: 1 − Π(1 − weight).
 */
export function matchParties(subject: PartyTraits, candidate: PartyTraits): DuplicateMatch | null {
  if (subject.kind !== candidate.kind) return null;
  const reasons: DuplicateReason[] = [];
  if (shares(subject.emails, candidate.emails)) reasons.push('same-email');
  if (shares(subject.phones, candidate.phones)) reasons.push('same-phone');
  const similarity = nameSimilarity(subject.name, candidate.name);
  if (similarity >= SIMILAR_NAME && (reasons.length > 0 || sameOrganization(subject, candidate))) {
    reasons.push('similar-name');
  }
  if (reasons.length === 0) return null;
  const unlikely = reasons.reduce(
    (product, reason) =>
      product * (1 - WEIGHTS[reason] * (reason === 'similar-name' ? similarity : 1)),
    1,
  );
  return { score: Math.round((1 - unlikely) * 1000) / 1000, reasons };
}
