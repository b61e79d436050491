import type { ContactEvent } from '@crm/events';
import { projectionSpec } from '@crm/events/testing';
import { type ContactSearchDoc, contactSearchProjection } from './contact-search.projection';

const contactId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const streamId = `contact-${contactId}`;
const on = (event: ContactEvent, recordedAt = '2026-01-01T09:00:00.000Z') => ({
  streamId,
  event,
  metadata: { recordedAt },
});
const registered = on({
  type: 'ContactRegistered',
  data: {
    contactId,
    kind: 'person',
    relationship: 'b2c',
    name: 'Zoë Ångström',
    primaryEmail: 'zoe@example.com',
    primaryPhone: '+442079460958',
  },
});
const matching = (doc: Partial<ContactSearchDoc>) =>
  expect.objectContaining(doc) as unknown as ContactSearchDoc;

describe('contact search projection', () => {
  const spec = projectionSpec(contactSearchProjection);

  it('ContactRegistered indexes the folded name, email and both forms of the phone', () => {
    spec
      .given([])
      .when(registered)
      .then(
        matching({
          id: contactId,
          kind: 'person',
          sortName: 'zoe angstrom',
          words: ['zoe', 'angstrom', 'example', 'com', '442079460958', '2079460958'],
          archived: false,
          merged: false,
          revision: 0,
          registeredAt: '2026-01-01T09:00:00.000Z',
        }),
      );
  });

  it('tags, owner and stage become filter fields and tags searchable words', () => {
    spec
      .given([
        registered,
        on({
          type: 'ContactOwnerAssigned',
          data: { contactId, ownerId: 'bob', previousOwnerId: null },
        }),
        on({ type: 'ContactStageChanged', data: { contactId, from: null, to: 'lead' } }),
      ])
      .when(
        on({ type: 'ContactTagged', data: { contactId, tag: 'vip' } }, '2026-02-01T00:00:00.000Z'),
      )
      .then(
        matching({
          ownerId: 'bob',
          stage: 'lead',
          tags: ['vip'],
          words: expect.arrayContaining(['vip']),
          updatedAt: '2026-02-01T00:00:00.000Z',
        }),
      );
  });

  it('a removed email is no longer found', () => {
    spec
      .given([
        registered,
        on({
          type: 'ContactEmailAdded',
          data: { contactId, email: 'z@work.example', label: 'work' },
        }),
      ])
      .when(
        on({
          type: 'ContactEmailRemoved',
          data: { contactId, email: 'zoe@example.com', primaryEmail: 'z@work.example' },
        }),
      )
      .then(
        matching({
          words: ['zoe', 'angstrom', 'z', 'work', 'example', '442079460958', '2079460958'],
        }),
      );
  });

  it('archived and merged-away parties are marked for the list filters', () => {
    spec
      .given([registered, on({ type: 'ContactArchived', data: { contactId, reason: null } })])
      .when(
        on({
          type: 'ContactMergedInto',
          data: {
            contactId,
            survivorId: '01a242b7-74cb-754e-8a51-c229a3e10000',
            mergeId: contactId,
          },
        }),
      )
      .then(matching({ archived: true, merged: true }));
  });

  it('ContactMergeUndone takes the copies out of the words, and the merge record keeps none of them', () => {
    const absorbedId = '01a242b7-74cb-754e-8a51-c229a3e10640';
    const mergeId = '01a242b8-0000-7000-8000-000000000001';
    const merged = on({
      type: 'ContactMerged',
      data: {
        contactId,
        mergeId,
        absorbedIds: [absorbedId],
        prefer: 'survivor',
        addedEmails: [],
        addedPhones: [],
        addedAddressIds: [],
        addedTags: [],
        addedAffiliationIds: [],
        previousOwner: null,
        previousStage: null,
        replaced: {},
      },
    });
    const copied = on({
      type: 'ContactEmailAdded',
      data: { contactId, email: 'countess@lovelace.org', label: 'home', origin: absorbedId },
    });
    const undone = on({
      type: 'ContactMergeUndone',
      data: {
        contactId,
        mergeId,
        absorbedIds: [absorbedId],
        primaryEmail: 'zoe@example.com',
        primaryPhone: '+442079460958',
      },
    });
    spec
      .given([registered, merged])
      .when(copied)
      .then(matching({ words: expect.arrayContaining(['countess', 'lovelace']) as string[] }));
    spec
      .given([registered, merged, copied])
      .when(undone)
      .then(
        matching({
          words: ['zoe', 'angstrom', 'example', 'com', '442079460958', '2079460958'],
          party: expect.objectContaining({
            emails: [{ email: 'zoe@example.com', label: 'work' }],
            merges: [expect.objectContaining({ undone: true, addedEmails: [], addedPhones: [] })],
          }) as ContactSearchDoc['party'],
        }),
      );
  });

  it('ContactErased clears every personal value and its words, keeping the facts', () => {
    spec
      .given([registered, on({ type: 'ContactTagged', data: { contactId, tag: 'vip' } })])
      .when(on({ type: 'ContactErased', data: { contactId } }))
      .then(
        matching({
          kind: 'person',
          erased: true,
          sortName: null,
          tags: ['vip'],
          words: ['vip'],
        }),
      );
  });

  it('rebuilt after an erasure (personal values decode as null), it indexes nothing personal', () => {
    spec
      .given([])
      .when({
        ...registered,
        event: {
          ...registered.event,
          data: { ...registered.event.data, name: null, primaryEmail: null, primaryPhone: null },
        } as ContactEvent,
        erased: true,
      })
      .then(matching({ sortName: null, words: [] }));
  });
});
