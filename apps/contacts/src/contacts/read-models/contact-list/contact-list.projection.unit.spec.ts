import type { ContactEvent } from '@crm/events';
import { projectionSpec } from '@crm/events/testing';
import { type ContactListItem, contactListProjection } from './contact-list.projection';

const contactId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const streamId = `contact-${contactId}`;
const at = (time: string) => ({ metadata: { recordedAt: time } });
const registered = {
  streamId,
  event: {
    type: 'ContactRegistered',
    data: {
      contactId,
      kind: 'organization',
      relationship: 'b2b',
      name: 'Engines Ltd',
      primaryEmail: null,
      primaryPhone: null,
    },
  } as ContactEvent,
  ...at('2026-01-01T09:00:00.000Z'),
};
const listed: ContactListItem = {
  id: contactId,
  kind: 'organization',
  relationship: 'b2b',
  name: 'Engines Ltd',
  primaryEmail: null,
  primaryPhone: null,
  ownerId: null,
  stage: null,
  tags: [],
  archived: false,
  merged: false,
  erased: false,
  revision: 0,
  registeredAt: '2026-01-01T09:00:00.000Z',
  updatedAt: '2026-01-01T09:00:00.000Z',
};

describe('contact list projection', () => {
  const spec = projectionSpec(contactListProjection);

  it('ContactRegistered adds the contact', () => {
    spec.given([]).when(registered).then(listed);
  });

  it('ContactRenamed changes the name, revision and update time', () => {
    spec
      .given([registered])
      .when({
        streamId,
        event: { type: 'ContactRenamed', data: { contactId, name: 'Engines plc' } },
        ...at('2026-02-01T00:00:00.000Z'),
      })
      .then({ ...listed, name: 'Engines plc', revision: 1, updatedAt: '2026-02-01T00:00:00.000Z' });
  });

  it('ContactPrimaryEmailSet changes the primary email', () => {
    spec
      .given([registered])
      .when({
        streamId,
        event: {
          type: 'ContactPrimaryEmailSet',
          data: { contactId, email: 'info@engines.example' },
        },
        ...at('2026-02-01T00:00:00.000Z'),
      })
      .then({
        ...listed,
        primaryEmail: 'info@engines.example',
        revision: 1,
        updatedAt: '2026-02-01T00:00:00.000Z',
      });
  });

  it('ContactPrimaryPhoneSet changes the primary phone', () => {
    spec
      .given([registered])
      .when({
        streamId,
        event: { type: 'ContactPrimaryPhoneSet', data: { contactId, phone: '+4930123456' } },
        ...at('2026-02-01T00:00:00.000Z'),
      })
      .then({
        ...listed,
        primaryPhone: '+4930123456',
        revision: 1,
        updatedAt: '2026-02-01T00:00:00.000Z',
      });
  });

  it('a change for a contact it never saw registered creates nothing', () => {
    spec
      .given([])
      .when({ streamId, event: { type: 'ContactRenamed', data: { contactId, name: 'X' } } })
      .then(null);
  });

  it('after erasure the personal fields arrive as null and stay null', () => {
    spec
      .given([])
      .when({
        ...registered,
        event: {
          type: 'ContactRegistered',
          data: { ...registered.event.data, name: null },
        } as ContactEvent,
        erased: true,
      })
      .then({ ...listed, name: null });
  });

  it('the first email added becomes primary; a removal says which one is primary after', () => {
    spec
      .given([registered])
      .when({
        streamId,
        event: {
          type: 'ContactEmailAdded',
          data: { contactId, email: 'a@x.example', label: 'work' },
        },
      })
      .then({
        ...listed,
        primaryEmail: 'a@x.example',
        revision: 1,
        updatedAt: '2026-01-01T09:00:00.000Z',
      });
    spec
      .given([
        registered,
        {
          streamId,
          event: {
            type: 'ContactEmailAdded',
            data: { contactId, email: 'a@x.example', label: 'work' },
          },
        },
        {
          streamId,
          event: {
            type: 'ContactEmailAdded',
            data: { contactId, email: 'b@x.example', label: 'home' },
          },
        },
      ])
      .when({
        streamId,
        event: {
          type: 'ContactEmailRemoved',
          data: { contactId, email: 'a@x.example', primaryEmail: 'b@x.example' },
        },
      })
      .then({
        ...listed,
        primaryEmail: 'b@x.example',
        revision: 3,
        updatedAt: '2026-01-01T09:00:00.000Z',
      });
  });

  it('ContactMergeUndone sets the primary email and phone it names (the copies went out with it)', () => {
    const absorbedId = '01a242b7-74cb-754e-8a51-c229a3e10640';
    const mergeId = '01a242b8-0000-7000-8000-000000000001';
    const copied = {
      streamId,
      event: {
        type: 'ContactEmailAdded',
        data: { contactId, email: 'b@x.example', label: 'home', origin: absorbedId },
      } as ContactEvent,
    };
    const undone = (data: object) => ({
      streamId,
      event: { type: 'ContactMergeUndone', data: { contactId, mergeId, ...data } } as ContactEvent,
    });
    spec
      .given([registered, copied])
      .when(undone({ absorbedIds: [absorbedId], primaryEmail: null, primaryPhone: null }))
      .then({ ...listed, revision: 2 });
    // Older undos removed the copies by events of their own: the undo itself changes nothing.
    spec
      .given([registered, copied])
      .when(undone({}))
      .then({ ...listed, primaryEmail: 'b@x.example', revision: 2 });
  });

  it('keeps owner, stage, tags and archive, merge and erasure flags for the filters', () => {
    spec
      .given([
        registered,
        {
          streamId,
          event: {
            type: 'ContactOwnerAssigned',
            data: { contactId, ownerId: 'bob', previousOwnerId: null },
          },
        },
        {
          streamId,
          event: { type: 'ContactStageChanged', data: { contactId, from: null, to: 'lead' } },
        },
        { streamId, event: { type: 'ContactTagged', data: { contactId, tag: 'vip' } } },
        { streamId, event: { type: 'ContactArchived', data: { contactId, reason: null } } },
      ])
      .when({ streamId, event: { type: 'ContactErased', data: { contactId } } })
      .then({
        ...listed,
        ownerId: 'bob',
        stage: 'lead',
        tags: ['vip'],
        archived: true,
        erased: true,
        revision: 5,
        updatedAt: '2026-01-01T09:00:00.000Z',
      });
  });
});
