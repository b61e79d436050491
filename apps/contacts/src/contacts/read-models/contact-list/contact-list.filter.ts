import {
  type DocumentQuery,
  type LifecycleStage,
  type PartyKind,
  type Relationship,
  searchTokens,
} from '@crm/events';
import type { ContactSort } from './contact-list.cursor';

export interface ContactListFilter {
  /** Text: every word must start a word of the name, an email, a phone or a tag. */
  readonly q?: string;
  readonly kind?: PartyKind;
  readonly relationship?: Relationship;
  readonly ownerId?: string;
  readonly stage?: LifecycleStage;
  readonly tag?: string;
  /** `false` (default): active parties only; `any`: both. */
  readonly archived?: boolean | 'any';
  readonly sort?: ContactSort;
  readonly limit: number;
  readonly cursor?: string;
}

/** Digits with the usual phone punctuation, at least 6 digits. */
const PHONE_LIKE = /^[\d\s+\-()]+$/;

/**
 * The query's search words. A phone number is one word, its digits without leading zeros:
 * national `020 7946 0958` then starts the national number, `+44 20…` the E.164 digits.
 */
export function queryWords(q: string): string[] {
  const digits = q.replace(/\D/g, '');
  if (PHONE_LIKE.test(q) && digits.length >= 6) {
    const word = digits.replace(/^0+/, '');
    return word ? [word] : [];
  }
  return searchTokens(q);
}

/** Order field in the read model documents (undefined: the id, i.e. registration order). */
export function orderOf(sort: ContactSort): NonNullable<DocumentQuery['orderBy']> {
  const direction = sort.startsWith('-') ? 'desc' : 'asc';
  switch (sort) {
    case 'registered':
    case '-registered':
      return { direction };
    case 'updated':
    case '-updated':
      return { field: 'updatedAt', direction };
    case 'name':
    case '-name':
      return { field: 'sortName', direction };
    default: {
      const never: never = sort;
      throw new Error(`unknown sort ${String(never)}`);
    }
  }
}

/** Equality filters shared by both read models; merged-away parties never appear. */
export function whereOf(filter: ContactListFilter): Record<string, string | boolean> {
  const where: Record<string, string | boolean> = { merged: false };
  if (filter.kind) where['kind'] = filter.kind;
  if (filter.relationship) where['relationship'] = filter.relationship;
  if (filter.ownerId) where['ownerId'] = filter.ownerId;
  if (filter.stage) where['stage'] = filter.stage;
  const archived = filter.archived ?? false;
  if (archived !== 'any') where['archived'] = archived;
  return where;
}
