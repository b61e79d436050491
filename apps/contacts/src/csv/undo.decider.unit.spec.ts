import { type ContactEvent, fold } from '@crm/events';
import { deciderSpec } from '@crm/events/testing';
import type { Party } from '../contacts/contact';
import { contactDecider } from '../contacts/contact.decider';
import { ContactArchived } from '../contacts/contact.errors';
import { planUndo, undoDecider } from './undo.decider';

const contactId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const spec = deciderSpec(undoDecider);
const party = (events: readonly ContactEvent[]) => fold(contactDecider, events) as Party;

const before: ContactEvent[] = [
  {
    type: 'ContactRegistered',
    data: {
      contactId,
      kind: 'person',
      relationship: 'b2c',
      name: 'Charles B.',
      primaryEmail: 'charles@example.com',
      primaryPhone: null,
    },
  },
  { type: 'ContactOwnerAssigned', data: { contactId, ownerId: 'alice', previousOwnerId: null } },
  { type: 'ContactStageChanged', data: { contactId, from: null, to: 'lead' } },
];
// What an import appended: every kind of change it makes.
const imported: ContactEvent[] = [
  { type: 'ContactRenamed', data: { contactId, name: 'Charles Babbage' } },
  { type: 'ContactEmailAdded', data: { contactId, email: 'babbage@example.org', label: 'work' } },
  { type: 'ContactPrimaryEmailSet', data: { contactId, email: 'babbage@example.org' } },
  { type: 'ContactPhoneAdded', data: { contactId, phone: '+442079460960', label: 'work' } },
  { type: 'ContactTagged', data: { contactId, tag: 'inventor' } },
  { type: 'ContactStageChanged', data: { contactId, from: 'lead', to: 'prospect' } },
  { type: 'ContactOwnerAssigned', data: { contactId, ownerId: 'bob', previousOwnerId: 'alice' } },
  {
    type: 'ContactCustomFieldSet',
    data: { contactId, field: 'externalId', valueType: 'string', value: 'crm-9' },
  },
];
const after = [...before, ...imported];
const undo = {
  type: 'UndoImportRow' as const,
  contactId,
  before: party(before),
  after: party(after),
};

describe('undo decider', () => {
  it('given a party as an import left it, when undone, then it is as it was before the import', () => {
    spec
      .given(after)
      .when(undo)
      .thenState((state, events) => {
        const { mergedInto: _, ...restored } = state as Party;
        const { mergedInto: __, ...original } = party(before);
        expect(restored).toEqual(original);
        // The stage goes back although prospect → lead is no forward move a user may make.
        expect(events).toContainEqual({
          type: 'ContactStageChanged',
          data: { contactId, from: 'prospect', to: 'lead' },
        });
      });
  });

  it('given fields changed again after the import, then leaves them and names them', () => {
    const later: ContactEvent[] = [
      { type: 'ContactRenamed', data: { contactId, name: 'Chuck' } },
      { type: 'ContactStageChanged', data: { contactId, from: 'prospect', to: 'customer' } },
    ];
    spec
      .given([...after, ...later])
      .when(undo)
      .thenState((state) => {
        expect(state).toMatchObject({
          name: 'Chuck',
          stage: 'customer',
          tags: [],
          ownerId: 'alice',
        });
      });
    const plan = planUndo(undo.before, undo.after, party([...after, ...later]));
    expect(plan.conflicts.map((c) => c.field)).toEqual(['name', 'stage']);
  });

  it('given nothing left to undo, then nothing, even on an archived party; with something left, the archive refuses', () => {
    spec
      .given(before)
      .when({ ...undo, after: party(before) })
      .then([]);
    const archived: ContactEvent = { type: 'ContactArchived', data: { contactId, reason: null } };
    spec
      .given([...after, archived])
      .when(undo)
      .thenThrows(ContactArchived);
  });
});
