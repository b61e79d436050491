import { createHmac } from 'node:crypto';
import type { ContactEvent, Projection } from '@crm/events';
import {
  type MergeCopies,
  takeOutCopies,
  withCopy,
  withoutCopy,
} from '../../../contacts/read-models/merge-copies';
import { EXTERNAL_ID_FIELD } from '../../row.decider';

/**
 * What an import matches a row against: per party, keyed hashes (HMAC-SHA-256 with a key of
 * the service) of its primary email, external id and kind with name, never the values. The projection has
 * to see the values to hash them, so it reads events revealed; the document is deleted when
 * the party is erased, and a rebuild after that finds the values already gone.
 */
export interface ContactMatchDoc {
  readonly id: string;
  readonly kind: string;
  /** Keys of all the party's emails in the order they were added: to follow the primary. */
  readonly emails: readonly string[];
  readonly email: string | null;
  /** Email keys a merge copied, by the party they came from (see MergeCopies). */
  readonly copies: MergeCopies;
  readonly externalId: string | null;
  /** Kind and name, for rows that carry no id, external id or email. */
  readonly name: string | null;
  readonly archived: boolean;
  readonly merged: boolean;
  /** Neither archived nor merged into another party: what new rows may match. */
  readonly live: boolean;
}

// Version 2: copies of merges are tracked, so an undo takes them out by reference.
export const CONTACT_MATCH = { name: 'contact_match', version: 2 } as const;

export type MatchKey = (kind: 'email' | 'external-id' | 'name', value: string) => string;

/** Names compare without case and with single spaces. */
export const nameKeyOf = (kind: string, name: string): string =>
  `${kind}\n${name.trim().toLowerCase().replace(/\s+/g, ' ')}`;

export function matchKeyWith(secret: Buffer): MatchKey {
  return (kind, value) =>
    createHmac('sha256', secret).update(`${kind}\n${value}`).digest('base64url');
}

/** The primary stays while it is there, else the first one left (as on the party itself). */
function withEmails(doc: ContactMatchDoc, emails: readonly string[], primary: string | null) {
  const email = primary !== null && emails.includes(primary) ? primary : (emails[0] ?? null);
  return { ...doc, emails, email };
}

function flags(
  doc: ContactMatchDoc,
  change: Partial<Pick<ContactMatchDoc, 'archived' | 'merged'>>,
) {
  const next = { ...doc, ...change };
  return { ...next, live: !next.archived && !next.merged };
}

export function contactMatchProjection(key: MatchKey): Projection<ContactMatchDoc, ContactEvent> {
  const email = (value: string | null) => (value === null ? null : key('email', value));
  const name = (kind: string, value: string | null) =>
    value === null ? null : key('name', nameKeyOf(kind, value));
  return {
    ...CONTACT_MATCH,
    personalData: 'revealed',
    handles: [
      'ContactRegistered',
      'ContactRenamed',
      'ContactPrimaryEmailSet',
      'ContactEmailAdded',
      'ContactEmailRemoved',
      'ContactCustomFieldSet',
      'ContactCustomFieldRemoved',
      'ContactArchived',
      'ContactRestored',
      'ContactMergedInto',
      'ContactUnmerged',
      'ContactMergeUndone',
      'ContactErased',
    ],
    indexes: ['email', 'externalId', 'name'],
    documentId: (event) => event.data.contactId,
    evolve(doc, event) {
      if (event.type === 'ContactRegistered') {
        const { contactId, kind, primaryEmail } = event.data;
        const primary = email(primaryEmail);
        const registered: ContactMatchDoc = {
          id: contactId,
          kind,
          emails: primary === null ? [] : [primary],
          email: primary,
          copies: {},
          externalId: null,
          name: name(kind, event.data.name),
          archived: false,
          merged: false,
          live: true,
        };
        return registered;
      }
      if (!doc) return null;
      switch (event.type) {
        case 'ContactRenamed':
          return { ...doc, name: name(doc.kind, event.data.name) };
        case 'ContactPrimaryEmailSet': {
          // A merge's copy of a primary reads null once its party was erased: it is gone.
          if (event.data.email === null && event.data.origin !== undefined) return doc;
          const primary = email(event.data.email);
          if (primary === null)
            return withEmails(
              doc,
              doc.emails.filter((e) => e !== doc.email),
              null,
            );
          const emails = doc.emails.includes(primary) ? doc.emails : [...doc.emails, primary];
          return withEmails(doc, emails, primary);
        }
        case 'ContactEmailAdded': {
          const added = email(event.data.email);
          if (added === null || doc.emails.includes(added)) return doc;
          const copies = withCopy(doc.copies, added, event.data.origin);
          return withEmails({ ...doc, copies }, [...doc.emails, added], doc.email);
        }
        case 'ContactEmailRemoved': {
          const removed = email(event.data.email);
          const emails = doc.emails.filter((e) => e !== removed);
          const copies = withoutCopy(doc.copies, removed);
          return withEmails({ ...doc, copies }, emails, email(event.data.primaryEmail));
        }
        case 'ContactMergeUndone': {
          // Older undos (no absorbedIds) had removal events of their own.
          const { absorbedIds, primaryEmail = null } = event.data;
          if (absorbedIds === undefined) return doc;
          const { taken, kept } = takeOutCopies(doc.copies, absorbedIds);
          const emails = doc.emails.filter((e) => !taken.has(e));
          return withEmails({ ...doc, copies: kept }, emails, email(primaryEmail));
        }
        case 'ContactCustomFieldSet': {
          const { field, value } = event.data;
          if (field !== EXTERNAL_ID_FIELD) return doc;
          return { ...doc, externalId: value === null ? null : key('external-id', String(value)) };
        }
        case 'ContactCustomFieldRemoved':
          return event.data.field === EXTERNAL_ID_FIELD ? { ...doc, externalId: null } : doc;
        case 'ContactArchived':
          return flags(doc, { archived: true });
        case 'ContactRestored':
          return flags(doc, { archived: false });
        case 'ContactMergedInto':
          return flags(doc, { merged: true });
        case 'ContactUnmerged':
          return flags(doc, { merged: false });
        case 'ContactErased':
          return null;
        default:
          return doc;
      }
    },
  };
}
