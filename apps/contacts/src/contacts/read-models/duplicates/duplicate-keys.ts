import { createHmac } from 'node:crypto';
import { type PartyKind, searchTokens } from '@crm/events';

/**
 * The key-store subject of the secret behind the lookup keys. It lives with the parties'
 * keys (keys.db, or PostgreSQL), not with the read models, so a copy of the read models
 * alone does not let anyone test guessed addresses against them.
 */
export const DUPLICATE_KEYS_SUBJECT = 'crm-duplicate-candidates';

/** Legal forms say which kind of company it is, not which company: left out of names. */
const LEGAL_FORMS = new Set([
  'ab',
  'ag',
  'bv',
  'co',
  'company',
  'corp',
  'corporation',
  'gmbh',
  'inc',
  'incorporated',
  'kg',
  'limited',
  'llc',
  'llp',
  'ltd',
  'nv',
  'oy',
  'plc',
  'sa',
  'sarl',
  'sas',
  'spa',
  'srl',
]);

/**
 * Lower case without accents, letters and digits only, single spaces; organizations and
 * units also lose their legal form ("ACME Ltd." → "acme"), unless nothing else is left.
 */
export function normalizeName(kind: PartyKind, name: string): string {
  const tokens = searchTokens(name);
  const kept = kind === 'person' ? tokens : tokens.filter((token) => !LEGAL_FORMS.has(token));
  return (kept.length > 0 ? kept : tokens).join(' ');
}

/** The name's distinct tokens in order: one value for "Acme Engines" and "Engines, ACME". */
export function fingerprint(normalizedName: string): string {
  return [...new Set(normalizedName.split(' '))].sort().join(' ');
}

/**
 * Keyed hashes (HMAC-SHA-256, 128 bits kept) of the values duplicates are looked up by:
 * equal values give equal keys, and without the secret a key tells nothing about its value.
 * Values come in normalized (lower-cased emails, E.164 phones, normalizeName).
 */
export class DuplicateKeys {
  constructor(private readonly secret: Buffer) {}

  email(email: string): string {
    return this.hash('email', email);
  }

  phone(phone: string): string {
    return this.hash('phone', phone);
  }

  /** Organizations and units of the same kind under the same parent with the same name. */
  name(kind: PartyKind, parentId: string | null, normalizedName: string): string {
    return this.hash('name', `${kind}\n${parentId ?? ''}\n${fingerprint(normalizedName)}`);
  }

  private hash(purpose: string, value: string): string {
    return createHmac('sha256', this.secret)
      .update(`${purpose}\n${value}`)
      .digest('base64url')
      .slice(0, 22);
  }
}
