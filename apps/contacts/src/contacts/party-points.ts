import type { ContactEvent } from '@crm/events';
import type { LabelledEmail, LabelledPhone, Party } from './contact';

// A party's emails and phones: one of each is primary while there are any.

/** The events that take an email (or phone) off a party, saying which one is primary after. */
export function emailRemoved(party: Party, email: string): ContactEvent {
  const left = party.emails.filter((e) => e.email !== email);
  const primaryEmail = primaryOf(left, party.primaryEmail, (e) => e.email);
  return { type: 'ContactEmailRemoved', data: { contactId: party.id, email, primaryEmail } };
}

export function phoneRemoved(party: Party, phone: string): ContactEvent {
  const left = party.phones.filter((p) => p.phone !== phone);
  const primaryPhone = primaryOf(left, party.primaryPhone, (p) => p.phone);
  return { type: 'ContactPhoneRemoved', data: { contactId: party.id, phone, primaryPhone } };
}

/** Keeps the primary one if it is still there, else the first left, else none. */
export function primaryOf<T>(
  items: readonly T[],
  primary: string | null,
  key: (item: T) => string,
) {
  if (primary !== null && items.some((item) => key(item) === primary)) return primary;
  const first = items[0];
  return first === undefined ? null : key(first);
}

export function withEmails(
  party: Party,
  emails: readonly LabelledEmail[],
  primary: string | null,
): Party {
  return { ...party, emails, primaryEmail: primaryOf(emails, primary, (e) => e.email) };
}

export function withPhones(
  party: Party,
  phones: readonly LabelledPhone[],
  primary: string | null,
): Party {
  return { ...party, phones, primaryPhone: primaryOf(phones, primary, (p) => p.phone) };
}

export function setPrimaryEmail(party: Party, email: string | null): Party {
  if (email === null) {
    return withEmails(
      party,
      party.emails.filter((e) => e.email !== party.primaryEmail),
      null,
    );
  }
  const emails = party.emails.some((e) => e.email === email)
    ? party.emails
    : [...party.emails, { email, label: 'work' }];
  return withEmails(party, emails, email);
}

export function setPrimaryPhone(party: Party, phone: string | null): Party {
  if (phone === null) {
    return withPhones(
      party,
      party.phones.filter((p) => p.phone !== party.primaryPhone),
      null,
    );
  }
  const phones = party.phones.some((p) => p.phone === phone)
    ? party.phones
    : [...party.phones, { phone, label: 'work' }];
  return withPhones(party, phones, phone);
}
