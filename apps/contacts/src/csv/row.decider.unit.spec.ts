import type { ContactEvent } from '@crm/events';
import { deciderSpec } from '@crm/events/testing';
import {
  ContactArchived,
  ContactNotFound,
  StageTransitionNotAllowed,
} from '../contacts/contact.errors';
import type { ImportRow } from './csv-row';
import { changesOf, OwnerNotAllowed, RowConflictsWithParty, rowDecider } from './row.decider';

const contactId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const spec = deciderSpec(rowDecider);
const rep = { employeeId: 'alice', assignsOwners: false };
const manager = { employeeId: 'maria', assignsOwners: true };
const row: ImportRow = {
  row: 2,
  id: null,
  externalId: 'crm-1',
  kind: 'person',
  relationship: 'b2c',
  name: 'Ada Lovelace',
  emails: ['ada@example.com', 'ada.king@example.org'],
  phones: ['+442079460958'],
  tags: ['vip'],
  stage: 'lead',
  owner: null,
};
const create = (values: Partial<ImportRow> = {}, importer = rep) => ({
  type: 'CreateFromRow' as const,
  contactId,
  row: { ...row, ...values },
  importer,
});
const update = (values: Partial<ImportRow> = {}, importer = rep) => ({
  ...create(values, importer),
  type: 'UpdateFromRow' as const,
});

const registered: ContactEvent = {
  type: 'ContactRegistered',
  data: {
    contactId,
    kind: 'person',
    relationship: 'b2c',
    name: 'Ada Lovelace',
    primaryEmail: 'ada@example.com',
    primaryPhone: '+442079460958',
  },
};
const asImported: ContactEvent[] = [
  registered,
  { type: 'ContactOwnerAssigned', data: { contactId, ownerId: 'alice', previousOwnerId: null } },
  { type: 'ContactStageChanged', data: { contactId, from: null, to: 'lead' } },
  { type: 'ContactTagged', data: { contactId, tag: 'vip' } },
  { type: 'ContactEmailAdded', data: { contactId, email: 'ada.king@example.org', label: 'work' } },
  {
    type: 'ContactCustomFieldSet',
    data: { contactId, field: 'externalId', valueType: 'string', value: 'crm-1' },
  },
];

describe('row decider', () => {
  it('given a new party, when a row creates it, then registers it with everything the row says, owned by the importer', () => {
    spec.given([]).when(create()).then(asImported);
  });

  it('given the party as the row describes it, when the row is applied, then nothing', () => {
    spec.given(asImported).when(update()).then([]);
  });

  it('given an archived party that the row matches exactly, then nothing (and no refusal)', () => {
    const archived: ContactEvent = { type: 'ContactArchived', data: { contactId, reason: null } };
    spec
      .given([...asImported, archived])
      .when(update())
      .then([]);
    spec
      .given([...asImported, archived])
      .when(update({ name: 'Ada King' }))
      .thenThrows(ContactArchived);
  });

  it('given a party, when a row differs, then only the differences, the first email and phone becoming primary', () => {
    spec
      .given(asImported)
      .when(
        update({
          name: 'Augusta Ada King',
          emails: ['countess@lovelace.org', 'ada@example.com'],
          phones: [],
          tags: ['vip', 'mathematician'],
          stage: 'prospect',
          externalId: null,
        }),
      )
      .thenState((_, events) => {
        expect(events.map((e) => e.type)).toEqual([
          'ContactRenamed',
          'ContactEmailAdded',
          'ContactPrimaryEmailSet',
          'ContactTagged',
          'ContactStageChanged',
        ]);
        expect(changesOf(events)).toEqual(['name', 'emails', 'primaryEmail', 'tags', 'stage']);
      });
  });

  it('keeps the rules of the party: an illegal stage move or an unknown id is refused', () => {
    spec
      .given(asImported)
      .when(update({ stage: 'customer' }))
      .thenThrows(StageTransitionNotAllowed);
    spec
      .given([])
      .when(create({ stage: 'inactive' }))
      .thenThrows(StageTransitionNotAllowed);
    spec.given([]).when(update()).thenThrows(ContactNotFound);
  });

  it('refuses a row that would change the kind or relationship of the party it matches', () => {
    spec
      .given(asImported)
      .when(update({ kind: 'organization', relationship: 'b2b' }))
      .thenThrows(RowConflictsWithParty, /kind is person/);
  });

  it('lets only managers choose or change an owner', () => {
    spec
      .given([])
      .when(create({ owner: 'bob' }))
      .thenThrows(OwnerNotAllowed);
    spec
      .given([])
      .when(create({ owner: 'alice' }))
      .then(asImported);
    spec
      .given(asImported)
      .when(update({ owner: 'bob' }))
      .thenThrows(OwnerNotAllowed);
    spec
      .given(asImported)
      .when(update({ owner: 'bob' }, manager))
      .then([
        {
          type: 'ContactOwnerAssigned',
          data: { contactId, ownerId: 'bob', previousOwnerId: 'alice' },
        },
      ]);
  });
});
