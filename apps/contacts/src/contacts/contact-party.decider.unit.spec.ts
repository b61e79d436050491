import { deciderSpec } from '@crm/events/testing';
import type { ContactEvent } from './contact';
import { type ContactCommand, contactDecider } from './contact.decider';
import {
  AffiliationNotAllowed,
  ContactArchived,
  ContactErased,
  ContactMerged,
  ContactNotArchived,
  ContactNotFound,
  ContactPointNotFound,
  CustomFieldLimitReached,
  ParentNotAllowed,
  StageTransitionNotAllowed,
  TagLimitReached,
} from './contact.errors';

const spec = deciderSpec(contactDecider);
const contactId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const orgId = '01a242b7-74cb-754e-8a51-c229a3e10000';
const otherOrgId = '01a242b7-74cb-754e-8a51-c229a3e10001';
const addressId = '01a242b7-74cb-754e-8a51-c229a3e1aaaa';
const affiliationId = '01a242b7-74cb-754e-8a51-c229a3e1bbbb';
const mergeId = '01a242b7-74cb-754e-8a51-c229a3e1cccc';

const person: ContactEvent = {
  type: 'ContactRegistered',
  data: {
    contactId,
    kind: 'person',
    relationship: 'b2c',
    name: 'Ada Lovelace',
    primaryEmail: 'ada@example.com',
    primaryPhone: null,
  },
};
const organization: ContactEvent = {
  type: 'ContactRegistered',
  data: {
    contactId,
    kind: 'organization',
    relationship: 'b2b',
    name: 'Engines Ltd',
    primaryEmail: null,
    primaryPhone: null,
  },
};
const archived: ContactEvent = { type: 'ContactArchived', data: { contactId, reason: null } };
const erased: ContactEvent = { type: 'ContactErased', data: { contactId } };
const mergedInto: ContactEvent = {
  type: 'ContactMergedInto',
  data: { contactId, survivorId: orgId, mergeId },
};
const address = {
  street: 'Main St 1',
  city: 'London',
  region: null,
  postalCode: 'N1',
  country: 'GB',
};
const addressAdded: ContactEvent = {
  type: 'ContactAddressAdded',
  data: { contactId, addressId, label: 'home', ...address },
};
const affiliated: ContactEvent = {
  type: 'ContactAffiliated',
  data: {
    contactId,
    affiliationId,
    organizationId: orgId,
    title: 'Analyst',
    since: '2020-01-01',
    until: null,
  },
};

/** One of every command a registered party accepts, with a valid payload for a person. */
const EDITS: readonly ContactCommand[] = [
  { type: 'RenameContact', contactId, name: 'X' },
  { type: 'SetPrimaryEmail', contactId, email: 'x@example.com' },
  { type: 'SetPrimaryPhone', contactId, phone: '+12025550143' },
  { type: 'AddEmail', contactId, email: 'x@example.com', label: 'home' },
  { type: 'RemoveEmail', contactId, email: 'ada@example.com' },
  { type: 'AddPhone', contactId, phone: '+12025550143', label: 'mobile' },
  { type: 'RemovePhone', contactId, phone: '+12025550143' },
  { type: 'AddAddress', contactId, addressId, label: 'home', address },
  { type: 'RemoveAddress', contactId, addressId },
  { type: 'TagContact', contactId, tags: ['vip'] },
  { type: 'UntagContact', contactId, tag: 'vip' },
  { type: 'AssignOwner', contactId, ownerId: 'bob' },
  { type: 'ChangeStage', contactId, stage: 'lead' },
  { type: 'SetCustomField', contactId, field: 'size', valueType: 'number', value: 3 },
  { type: 'RemoveCustomField', contactId, field: 'size' },
  { type: 'SetParent', contactId, parent: null },
  {
    type: 'Affiliate',
    contactId,
    affiliationId,
    organization: { id: orgId, kind: 'organization' },
    title: null,
    since: null,
    until: null,
  },
  { type: 'EndAffiliation', contactId, affiliationId, until: '2024-01-01' },
  { type: 'RemoveAffiliation', contactId, affiliationId },
  { type: 'ArchiveContact', contactId, reason: null },
  { type: 'UndoMerge', contactId, mergeId },
];

describe('contact decider: every command in every state', () => {
  it.each(EDITS.map((c) => [c.type, c] as const))(
    '%s: given no contact, not found',
    (_, command) => {
      spec.given([]).when(command).thenThrows(ContactNotFound);
    },
  );

  it.each(EDITS.map((c) => [c.type, c] as const))(
    '%s: given an archived contact, refused until restored',
    (_, command) => {
      spec.given([person, archived]).when(command).thenThrows(ContactArchived);
    },
  );

  it.each(EDITS.map((c) => [c.type, c] as const))(
    '%s: given a contact merged into another, refused naming the survivor',
    (_, command) => {
      spec.given([person, mergedInto]).when(command).thenThrows(ContactMerged, new RegExp(orgId));
    },
  );

  it.each(
    [...EDITS, { type: 'RestoreContact', contactId } as const].map((c) => [c.type, c] as const),
  )('%s: given an erased contact, refused', (_, command) => {
    spec.given([person, erased]).when(command).thenThrows(ContactErased);
  });
});

describe('contact decider: contact points', () => {
  it('AddEmail adds a labelled address; the first one becomes primary', () => {
    spec
      .given([{ ...person, data: { ...person.data, primaryEmail: null } }])
      .when({ type: 'AddEmail', contactId, email: 'ada@work.example', label: 'work' })
      .thenState((state, events) => {
        expect(events).toEqual([
          {
            type: 'ContactEmailAdded',
            data: { contactId, email: 'ada@work.example', label: 'work' },
          },
        ]);
        expect(state).toMatchObject({
          primaryEmail: 'ada@work.example',
          emails: [{ email: 'ada@work.example', label: 'work' }],
        });
      });
  });

  it('AddEmail with primary adds it and makes it primary; the old one stays', () => {
    spec
      .given([person])
      .when({ type: 'AddEmail', contactId, email: 'b@example.com', label: 'home', primary: true })
      .thenState((state) => {
        expect(state).toMatchObject({
          primaryEmail: 'b@example.com',
          emails: [
            { email: 'ada@example.com', label: 'work' },
            { email: 'b@example.com', label: 'home' },
          ],
        });
      });
  });

  it('AddEmail of an address it already has records nothing', () => {
    spec
      .given([person])
      .when({ type: 'AddEmail', contactId, email: 'ada@example.com', label: 'home' })
      .then([]);
  });

  it('RemoveEmail of the primary promotes the next address', () => {
    spec
      .given([
        person,
        { type: 'ContactEmailAdded', data: { contactId, email: 'b@example.com', label: 'home' } },
      ])
      .when({ type: 'RemoveEmail', contactId, email: 'ada@example.com' })
      .thenState((state) => {
        expect(state).toMatchObject({
          primaryEmail: 'b@example.com',
          emails: [{ email: 'b@example.com', label: 'home' }],
        });
      });
  });

  it('RemoveEmail of an address it does not have is not found', () => {
    spec
      .given([person])
      .when({ type: 'RemoveEmail', contactId, email: 'nobody@example.com' })
      .thenThrows(ContactPointNotFound);
  });

  it('AddPhone and RemovePhone keep one primary phone', () => {
    spec
      .given([
        person,
        { type: 'ContactPhoneAdded', data: { contactId, phone: '+12025550143', label: 'work' } },
        { type: 'ContactPhoneAdded', data: { contactId, phone: '+442079460958', label: 'mobile' } },
      ])
      .when({ type: 'RemovePhone', contactId, phone: '+12025550143' })
      .thenState((state, events) => {
        expect(events).toEqual([
          {
            type: 'ContactPhoneRemoved',
            data: { contactId, phone: '+12025550143', primaryPhone: '+442079460958' },
          },
        ]);
        expect(state).toMatchObject({ primaryPhone: '+442079460958' });
      });
    spec
      .given([person])
      .when({ type: 'RemovePhone', contactId, phone: '+12025550143' })
      .thenThrows(ContactPointNotFound);
  });

  it('AddAddress and RemoveAddress', () => {
    spec
      .given([person])
      .when({ type: 'AddAddress', contactId, addressId, label: 'home', address })
      .then([addressAdded]);
    spec
      .given([person, addressAdded])
      .when({ type: 'RemoveAddress', contactId, addressId })
      .then([{ type: 'ContactAddressRemoved', data: { contactId, addressId } }]);
    spec
      .given([person])
      .when({ type: 'RemoveAddress', contactId, addressId })
      .thenThrows(ContactPointNotFound);
  });
});

describe('contact decider: classification', () => {
  it('TagContact records only new tags, UntagContact only present ones', () => {
    spec
      .given([person, { type: 'ContactTagged', data: { contactId, tag: 'vip' } }])
      .when({ type: 'TagContact', contactId, tags: ['vip', 'newsletter', 'newsletter'] })
      .then([{ type: 'ContactTagged', data: { contactId, tag: 'newsletter' } }]);
    spec.given([person]).when({ type: 'UntagContact', contactId, tag: 'vip' }).then([]);
  });

  it('TagContact beyond 50 tags is refused', () => {
    const tags = Array.from({ length: 51 }, (_, i) => `t${i}`);
    spec.given([person]).when({ type: 'TagContact', contactId, tags }).thenThrows(TagLimitReached);
  });

  it('AssignOwner records the previous owner; the same owner records nothing', () => {
    const owned: ContactEvent = {
      type: 'ContactOwnerAssigned',
      data: { contactId, ownerId: 'alice', previousOwnerId: null },
    };
    spec
      .given([person, owned])
      .when({ type: 'AssignOwner', contactId, ownerId: 'bob' })
      .then([
        {
          type: 'ContactOwnerAssigned',
          data: { contactId, ownerId: 'bob', previousOwnerId: 'alice' },
        },
      ]);
    spec.given([person, owned]).when({ type: 'AssignOwner', contactId, ownerId: 'alice' }).then([]);
  });

  const at = (stage: 'lead' | 'prospect' | 'customer' | 'inactive'): ContactEvent[] => [
    person,
    { type: 'ContactStageChanged', data: { contactId, from: null, to: stage } },
  ];

  it.each([
    [null, 'lead'],
    [null, 'prospect'],
    [null, 'customer'],
    ['lead', 'prospect'],
    ['lead', 'inactive'],
    ['prospect', 'customer'],
    ['prospect', 'lead'],
    ['prospect', 'inactive'],
    ['customer', 'inactive'],
    ['inactive', 'lead'],
    ['inactive', 'customer'],
  ] as const)('ChangeStage allows %s → %s', (from, to) => {
    spec
      .given(from === null ? [person] : at(from))
      .when({ type: 'ChangeStage', contactId, stage: to })
      .then([{ type: 'ContactStageChanged', data: { contactId, from, to } }]);
  });

  it.each([
    [null, 'inactive'],
    ['lead', 'customer'],
    ['customer', 'lead'],
    ['customer', 'prospect'],
    ['inactive', 'prospect'],
  ] as const)('ChangeStage refuses %s → %s', (from, to) => {
    spec
      .given(from === null ? [person] : at(from))
      .when({ type: 'ChangeStage', contactId, stage: to })
      .thenThrows(StageTransitionNotAllowed);
  });

  it('ChangeStage to the current stage records nothing', () => {
    spec.given(at('lead')).when({ type: 'ChangeStage', contactId, stage: 'lead' }).then([]);
  });

  it('SetCustomField sets typed values, records nothing for the same value, caps the count', () => {
    spec
      .given([person])
      .when({ type: 'SetCustomField', contactId, field: 'size', valueType: 'number', value: 3 })
      .then([
        {
          type: 'ContactCustomFieldSet',
          data: { contactId, field: 'size', valueType: 'number', value: 3 },
        },
      ]);
    const full: ContactEvent[] = Array.from({ length: 50 }, (_, i) => ({
      type: 'ContactCustomFieldSet',
      data: { contactId, field: `f${i}`, valueType: 'boolean', value: true },
    }));
    spec
      .given([person, ...full])
      .when({ type: 'SetCustomField', contactId, field: 'f1', valueType: 'boolean', value: true })
      .then([]);
    spec
      .given([person, ...full])
      .when({ type: 'SetCustomField', contactId, field: 'f1', valueType: 'string', value: 'x' })
      .then([
        {
          type: 'ContactCustomFieldSet',
          data: { contactId, field: 'f1', valueType: 'string', value: 'x' },
        },
      ]);
    spec
      .given([person, ...full])
      .when({ type: 'SetCustomField', contactId, field: 'extra', valueType: 'number', value: 1 })
      .thenThrows(CustomFieldLimitReached);
  });

  it('RemoveCustomField removes a present field and ignores an absent one', () => {
    const set: ContactEvent = {
      type: 'ContactCustomFieldSet',
      data: { contactId, field: 'size', valueType: 'number', value: 3 },
    };
    spec
      .given([person, set])
      .when({ type: 'RemoveCustomField', contactId, field: 'size' })
      .thenState((state, events) => {
        expect(events).toEqual([
          { type: 'ContactCustomFieldRemoved', data: { contactId, field: 'size' } },
        ]);
        expect(state).toMatchObject({ customFields: {} });
      });
    spec.given([person]).when({ type: 'RemoveCustomField', contactId, field: 'size' }).then([]);
  });
});

describe('contact decider: parents and affiliations', () => {
  it('SetParent links an organization to a parent organization, and detaches it', () => {
    const parent = { id: orgId, kind: 'organization' as const, ancestors: [otherOrgId] };
    spec
      .given([organization])
      .when({ type: 'SetParent', contactId, parent })
      .then([{ type: 'ContactParentSet', data: { contactId, parentId: orgId } }]);
    spec
      .given([organization, { type: 'ContactParentSet', data: { contactId, parentId: orgId } }])
      .when({ type: 'SetParent', contactId, parent: null })
      .then([{ type: 'ContactParentSet', data: { contactId, parentId: null } }]);
  });

  it('SetParent refuses people, other kinds of parent, and cycles', () => {
    const parent = { id: orgId, kind: 'organization' as const, ancestors: [] };
    spec
      .given([person])
      .when({ type: 'SetParent', contactId, parent })
      .thenThrows(ParentNotAllowed);
    spec
      .given([organization])
      .when({ type: 'SetParent', contactId, parent: { ...parent, kind: 'internal-unit' } })
      .thenThrows(ParentNotAllowed);
    spec
      .given([organization])
      .when({ type: 'SetParent', contactId, parent: { ...parent, ancestors: [contactId] } })
      .thenThrows(ParentNotAllowed, /own ancestor/);
    spec
      .given([organization])
      .when({ type: 'SetParent', contactId, parent: { ...parent, id: contactId } })
      .thenThrows(ParentNotAllowed, /own ancestor/);
  });

  it('Affiliate links a person to an organization with a title and period', () => {
    spec
      .given([person])
      .when({
        type: 'Affiliate',
        contactId,
        affiliationId,
        organization: { id: orgId, kind: 'organization' },
        title: 'Analyst',
        since: '2020-01-01',
        until: null,
      })
      .then([affiliated]);
  });

  it('Affiliate refuses non-people, people as organizations, and periods ending before they start', () => {
    const affiliate = {
      type: 'Affiliate',
      contactId,
      affiliationId,
      organization: { id: orgId, kind: 'organization' },
      title: null,
      since: null,
      until: null,
    } as const;
    spec.given([organization]).when(affiliate).thenThrows(AffiliationNotAllowed);
    spec
      .given([person])
      .when({ ...affiliate, organization: { id: orgId, kind: 'person' } })
      .thenThrows(AffiliationNotAllowed);
    spec
      .given([person])
      .when({ ...affiliate, since: '2021-01-01', until: '2020-01-01' })
      .thenThrows(AffiliationNotAllowed, /before/);
  });

  it('EndAffiliation sets the end date; RemoveAffiliation removes it', () => {
    spec
      .given([person, affiliated])
      .when({ type: 'EndAffiliation', contactId, affiliationId, until: '2024-06-30' })
      .then([
        {
          type: 'ContactAffiliationEnded',
          data: { contactId, affiliationId, until: '2024-06-30' },
        },
      ]);
    spec
      .given([person, affiliated])
      .when({ type: 'EndAffiliation', contactId, affiliationId, until: '2019-06-30' })
      .thenThrows(AffiliationNotAllowed);
    spec
      .given([person, affiliated])
      .when({ type: 'RemoveAffiliation', contactId, affiliationId })
      .thenState((state) => expect(state).toMatchObject({ affiliations: [] }));
    spec
      .given([person])
      .when({ type: 'RemoveAffiliation', contactId, affiliationId })
      .thenThrows(ContactPointNotFound);
  });
});

describe('contact decider: archive, restore, erase', () => {
  it('ArchiveContact archives with a reason; RestoreContact brings it back', () => {
    spec
      .given([person])
      .when({ type: 'ArchiveContact', contactId, reason: 'left the market' })
      .then([{ type: 'ContactArchived', data: { contactId, reason: 'left the market' } }]);
    spec
      .given([person, archived])
      .when({ type: 'RestoreContact', contactId })
      .thenState((state, events) => {
        expect(events).toEqual([{ type: 'ContactRestored', data: { contactId } }]);
        expect(state).toMatchObject({ archived: false });
      });
  });

  it('RestoreContact of a contact that is not archived is refused', () => {
    spec.given([person]).when({ type: 'RestoreContact', contactId }).thenThrows(ContactNotArchived);
  });

  it('EraseContact records the erasure; the state keeps only non-personal facts', () => {
    spec
      .given([
        person,
        addressAdded,
        affiliated,
        { type: 'ContactTagged', data: { contactId, tag: 'vip' } },
        archived,
      ])
      .when({ type: 'EraseContact', contactId })
      .thenState((state, events) => {
        expect(events).toEqual([erased]);
        expect(state).toMatchObject({
          kind: 'person',
          relationship: 'b2c',
          name: null,
          primaryEmail: null,
          emails: [],
          addresses: [],
          tags: ['vip'],
          archived: true,
          erased: true,
          affiliations: [{ affiliationId, organizationId: orgId, title: null }],
        });
      });
  });

  it('given the decoded history of an erased contact (personal values null), the fold keeps nothing personal', () => {
    spec
      .given([
        { ...person, data: { ...person.data, name: null, primaryEmail: null } },
        { type: 'ContactEmailAdded', data: { contactId, email: null, label: 'home' } },
        {
          type: 'ContactCustomFieldSet',
          data: { contactId, field: 'size', valueType: 'number', value: null },
        },
        erased,
      ])
      .when({ type: 'EraseContact', contactId })
      .thenThrows(ContactErased);
  });
});
