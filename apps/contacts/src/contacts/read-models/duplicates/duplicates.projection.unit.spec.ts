import type { ContactEvent } from '@crm/events';
import { projectionSpec, type SpecEvent } from '@crm/events/testing';
import { DuplicateKeys } from './duplicate-keys';
import { type DuplicateCandidate, LOOKUP_FIELDS, type Lookup } from './duplicate-candidate';
import { duplicatesProjection } from './duplicates.projection';

const keys = new DuplicateKeys(Buffer.alloc(32, 1));
const spec = projectionSpec(duplicatesProjection(keys));
const contactId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const streamId = `contact-${contactId}`;
const orgA = '01a242b7-74cb-754e-8a51-c229a3e10650';
const orgB = '01a242b7-74cb-754e-8a51-c229a3e10651';
const mergeId = '01a242b8-0000-7000-8000-000000000001';
const survivorId = '01a242b7-74cb-754e-8a51-c229a3e10660';

const ada = keys.email('ada@example.com');
const countess = keys.email('countess@lovelace.org');
const phone = keys.phone('+442079460958');
const mobile = keys.phone('+447700900123');

const on = (event: ContactEvent, erased = false): SpecEvent<ContactEvent> => ({
  streamId,
  event,
  erased,
});
const registeredEvent = {
  type: 'ContactRegistered',
  data: {
    contactId,
    kind: 'person',
    relationship: 'b2c',
    name: 'Ada Lovelace',
    primaryEmail: 'ada@example.com',
    primaryPhone: '+442079460958',
  },
} as const satisfies ContactEvent;
const registered = on(registeredEvent);

const lookup = (fields: Partial<Lookup> = {}): Lookup => ({
  ...(Object.fromEntries(LOOKUP_FIELDS.map((field) => [field, null])) as Lookup),
  ...fields,
});
const doc: DuplicateCandidate = {
  id: contactId,
  kind: 'person',
  name: 'ada lovelace',
  emails: [ada],
  primaryEmail: ada,
  phones: [phone],
  primaryPhone: phone,
  copies: {},
  affiliations: [],
  parentId: null,
  archived: false,
  mergedInto: null,
  lookup: lookup({ email0: ada, phone0: phone }),
};

const emailAdded = on({
  type: 'ContactEmailAdded',
  data: { contactId, email: 'countess@lovelace.org', label: 'home' },
});
const affiliated = (affiliationId: string, organizationId: string) =>
  on({
    type: 'ContactAffiliated',
    data: { contactId, affiliationId, organizationId, title: null, since: null, until: null },
  });

describe('duplicates projection', () => {
  it('ContactRegistered adds the party with keyed hashes of its email and phone, and its normalized name', () => {
    spec.given([]).when(registered).then(doc);
  });

  it('keeps no email, phone or name as it was entered', () => {
    const stored = JSON.stringify(
      duplicatesProjection(keys).evolve(null, {
        ...registeredEvent,
        id: 'event-1',
        streamId,
        revision: 0,
        position: 1,
        metadata: {
          happenedAt: '2026-01-01T09:00:00.000Z',
          recordedAt: '2026-01-01T09:00:00.000Z',
          correlationId: 'correlation-1',
          causationId: null,
          actorId: 'alice',
          actorTeam: 'sales',
        },
        erased: false,
      }),
    );
    for (const clear of ['ada@example.com', '+442079460958', 'Ada Lovelace'])
      expect(stored).not.toContain(clear);
  });

  it('ContactRenamed normalizes the new name', () => {
    spec
      .given([registered])
      .when(on({ type: 'ContactRenamed', data: { contactId, name: 'Augusta Ada KING' } }))
      .then({ ...doc, name: 'augusta ada king' });
  });

  it('ContactEmailAdded adds a lookup slot after the primary one', () => {
    spec
      .given([registered])
      .when(emailAdded)
      .then({
        ...doc,
        emails: [ada, countess],
        lookup: lookup({ email0: ada, email1: countess, phone0: phone }),
      });
  });

  it('ContactPrimaryEmailSet makes an email primary, first in the lookup slots', () => {
    spec
      .given([registered, emailAdded])
      .when(
        on({ type: 'ContactPrimaryEmailSet', data: { contactId, email: 'countess@lovelace.org' } }),
      )
      .then({
        ...doc,
        emails: [ada, countess],
        primaryEmail: countess,
        lookup: lookup({ email0: countess, email1: ada, phone0: phone }),
      });
  });

  it('ContactPrimaryEmailSet to null (older events) drops the primary email, as the party does', () => {
    spec
      .given([registered, emailAdded])
      .when(on({ type: 'ContactPrimaryEmailSet', data: { contactId, email: null } }))
      .then({
        ...doc,
        emails: [countess],
        primaryEmail: countess,
        lookup: lookup({ email0: countess, phone0: phone }),
      });
  });

  it('ContactEmailRemoved removes it', () => {
    spec
      .given([registered])
      .when(
        on({
          type: 'ContactEmailRemoved',
          data: { contactId, email: 'ada@example.com', primaryEmail: null },
        }),
      )
      .then({ ...doc, emails: [], primaryEmail: null, lookup: lookup({ phone0: phone }) });
  });

  it('ContactEmailRemoved of the primary email makes primary the one the event names', () => {
    const other = keys.email('other@example.com');
    spec
      .given([
        registered,
        emailAdded,
        on({
          type: 'ContactEmailAdded',
          data: { contactId, email: 'other@example.com', label: 'work' },
        }),
      ])
      .when(
        on({
          type: 'ContactEmailRemoved',
          data: { contactId, email: 'ada@example.com', primaryEmail: 'other@example.com' },
        }),
      )
      .then({
        ...doc,
        emails: [countess, other],
        primaryEmail: other,
        lookup: lookup({ email0: other, email1: countess, phone0: phone }),
      });
  });

  it('ContactPhoneAdded adds a lookup slot', () => {
    spec
      .given([registered])
      .when(
        on({ type: 'ContactPhoneAdded', data: { contactId, phone: '+447700900123', label: 'm' } }),
      )
      .then({
        ...doc,
        phones: [phone, mobile],
        lookup: lookup({ email0: ada, phone0: phone, phone1: mobile }),
      });
  });

  it('ContactPrimaryPhoneSet makes a phone primary', () => {
    spec
      .given([registered])
      .when(on({ type: 'ContactPrimaryPhoneSet', data: { contactId, phone: '+447700900123' } }))
      .then({
        ...doc,
        phones: [phone, mobile],
        primaryPhone: mobile,
        lookup: lookup({ email0: ada, phone0: mobile, phone1: phone }),
      });
  });

  it('ContactPhoneRemoved removes it', () => {
    spec
      .given([registered])
      .when(
        on({
          type: 'ContactPhoneRemoved',
          data: { contactId, phone: '+442079460958', primaryPhone: null },
        }),
      )
      .then({ ...doc, phones: [], primaryPhone: null, lookup: lookup({ email0: ada }) });
  });

  it('only the first three emails get lookup slots', () => {
    const added = ['b@example.com', 'c@example.com', 'd@example.com'].map((email) =>
      on({ type: 'ContactEmailAdded', data: { contactId, email, label: 'work' } }),
    );
    spec
      .given([registered, ...added.slice(0, 2)])
      .when(added[2] ?? registered)
      .then({
        ...doc,
        emails: [ada, ...['b', 'c', 'd'].map((x) => keys.email(`${x}@example.com`))],
        lookup: lookup({
          email0: ada,
          email1: keys.email('b@example.com'),
          email2: keys.email('c@example.com'),
          phone0: phone,
        }),
      });
  });

  it('ContactAffiliated puts the organization in a scope slot, the latest first', () => {
    const first = '01a242b8-0000-7000-8000-0000000000a1';
    const second = '01a242b8-0000-7000-8000-0000000000a2';
    spec
      .given([registered, affiliated(first, orgA)])
      .when(affiliated(second, orgB))
      .then({
        ...doc,
        affiliations: [
          { affiliationId: first, organizationId: orgA },
          { affiliationId: second, organizationId: orgB },
        ],
        lookup: lookup({ email0: ada, phone0: phone, scope0: orgB, scope1: orgA }),
      });
  });

  it('ContactAffiliationRemoved takes the organization out', () => {
    const affiliationId = '01a242b8-0000-7000-8000-0000000000a1';
    spec
      .given([registered, affiliated(affiliationId, orgA)])
      .when(on({ type: 'ContactAffiliationRemoved', data: { contactId, affiliationId } }))
      .then(doc);
  });

  describe('organizations', () => {
    const orgRegistered = on({
      type: 'ContactRegistered',
      data: {
        contactId,
        kind: 'organization',
        relationship: 'b2b',
        name: 'Analytical Engines Ltd.',
        primaryEmail: null,
        primaryPhone: null,
      },
    });
    const org: DuplicateCandidate = {
      ...doc,
      kind: 'organization',
      name: 'analytical engines',
      emails: [],
      primaryEmail: null,
      phones: [],
      primaryPhone: null,
      lookup: lookup({ nameKey: keys.name('organization', null, 'analytical engines') }),
    };

    it('ContactRegistered keys an organization by its name without legal form', () => {
      spec.given([]).when(orgRegistered).then(org);
    });

    it('ContactParentSet scopes it to its parent and keys its name under the parent', () => {
      spec
        .given([orgRegistered])
        .when(on({ type: 'ContactParentSet', data: { contactId, parentId: orgA } }))
        .then({
          ...org,
          parentId: orgA,
          lookup: lookup({
            scope0: orgA,
            nameKey: keys.name('organization', orgA, 'analytical engines'),
          }),
        });
    });
  });

  describe('parties that are no candidates have no lookup fields', () => {
    const archived = on({ type: 'ContactArchived', data: { contactId, reason: null } });
    const mergedInto = on({ type: 'ContactMergedInto', data: { contactId, survivorId, mergeId } });

    it('ContactArchived', () => {
      spec
        .given([registered])
        .when(archived)
        .then({ ...doc, archived: true, lookup: lookup() });
    });

    it('ContactRestored makes it a candidate again', () => {
      spec
        .given([registered, archived])
        .when(on({ type: 'ContactRestored', data: { contactId } }))
        .then(doc);
    });

    it('ContactMergedInto, remembering the merge', () => {
      spec
        .given([registered])
        .when(mergedInto)
        .then({ ...doc, mergedInto: { survivorId, mergeId }, lookup: lookup() });
    });

    it('ContactUnmerged makes it a candidate again', () => {
      spec
        .given([registered, mergedInto])
        .when(on({ type: 'ContactUnmerged', data: { contactId, mergeId } }))
        .then(doc);
    });
  });

  describe('merge copies', () => {
    const absorbedId = '01a242b7-74cb-754e-8a51-c229a3e10640';
    const copiedEmail = on({
      type: 'ContactEmailAdded',
      data: { contactId, email: 'countess@lovelace.org', label: 'home', origin: absorbedId },
    });
    const copiedPhone = on({
      type: 'ContactPhoneAdded',
      data: { contactId, phone: '+447700900123', label: 'mobile', origin: absorbedId },
    });
    const undone = (data: Partial<Extract<ContactEvent, { type: 'ContactMergeUndone' }>['data']>) =>
      on({ type: 'ContactMergeUndone', data: { contactId, mergeId, ...data } });

    it('a copied email or phone is kept with the party it came from', () => {
      spec
        .given([registered, copiedEmail])
        .when(copiedPhone)
        .then({
          ...doc,
          emails: [ada, countess],
          phones: [phone, mobile],
          copies: { [countess]: absorbedId, [mobile]: absorbedId },
          lookup: lookup({ email0: ada, email1: countess, phone0: phone, phone1: mobile }),
        });
    });

    it('ContactMergeUndone takes the copies of its absorbed parties out by reference', () => {
      spec
        .given([registered, copiedEmail, copiedPhone, emailAdded])
        .when(
          undone({
            absorbedIds: [absorbedId],
            primaryEmail: 'ada@example.com',
            primaryPhone: '+442079460958',
          }),
        )
        .then(doc);
    });

    it('a copied primary that reads null (its party erased) changes nothing: the copy is gone too', () => {
      spec
        .given([registered])
        .when(
          on({
            type: 'ContactPrimaryEmailSet',
            data: { contactId, email: null, origin: absorbedId },
          }),
        )
        .then(doc);
    });

    it('an undo written before by-reference removal changes nothing (its removal events did)', () => {
      spec
        .given([registered, copiedEmail])
        .when(undone({}))
        .then({
          ...doc,
          emails: [ada, countess],
          copies: { [countess]: absorbedId },
          lookup: lookup({ email0: ada, email1: countess, phone0: phone }),
        });
    });
  });

  describe('erasure', () => {
    it('ContactErased deletes the document with every value derived from personal data', () => {
      spec
        .given([registered, emailAdded])
        .when(on({ type: 'ContactErased', data: { contactId } }))
        .then(null);
    });

    it('later events of an erased party create nothing', () => {
      spec
        .given([registered, on({ type: 'ContactErased', data: { contactId } })])
        .when(on({ type: 'ContactRestored', data: { contactId } }))
        .then(null);
    });

    it('rebuilt after the key was destroyed, personal values arrive as null and nothing is kept of them', () => {
      const sealed = (event: ContactEvent) => on(event, true);
      spec
        .given([
          sealed({
            ...registeredEvent,
            data: { ...registeredEvent.data, name: null, primaryEmail: null, primaryPhone: null },
          }),
          sealed({ type: 'ContactEmailAdded', data: { contactId, email: null, label: 'home' } }),
          sealed({ type: 'ContactRenamed', data: { contactId, name: null } }),
        ])
        .when(sealed({ type: 'ContactPrimaryPhoneSet', data: { contactId, phone: null } }))
        .then({
          ...doc,
          name: null,
          emails: [],
          primaryEmail: null,
          phones: [],
          primaryPhone: null,
          lookup: lookup(),
        });
    });
  });

  it('a change for a party it never saw registered creates nothing', () => {
    spec.given([]).when(emailAdded).then(null);
  });
});
