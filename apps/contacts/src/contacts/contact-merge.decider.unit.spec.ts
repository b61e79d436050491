import { CONTACT_LIMITS, fold } from '@crm/events';
import { deciderSpec } from '@crm/events/testing';
import type { ContactEvent, ContactState, Party } from './contact';
import { contactDecider } from './contact.decider';
import {
  ContactArchived,
  ContactErased,
  ContactMerged,
  ContactNotFound,
  CustomFieldLimitReached,
  MergeNotAllowed,
  MergeNotFound,
  TagLimitReached,
} from './contact.errors';

const spec = deciderSpec(contactDecider);
const survivorId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const absorbedId = '01a242b7-74cb-754e-8a51-c229a3e10640';
const otherId = '01a242b7-74cb-754e-8a51-c229a3e10641';
const orgId = '01a242b7-74cb-754e-8a51-c229a3e10642';
const mergeId = '01a242b8-0000-7000-8000-000000000001';
const affiliationId = '01a242b8-0000-7000-8000-0000000000a1';
const addressId = '01a242b8-0000-7000-8000-0000000000b1';

/** What the absorbed party has and the merge copies to the survivor. */
const address = {
  addressId,
  label: 'home',
  street: '12 St James Square',
  city: 'London',
  region: null,
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};
const affiliation = {
  affiliationId,
  organizationId: orgId,
  title: 'Analyst',
  since: '1843-01-01',
  until: null,
};

const registered = (contactId: string, name: string, email: string | null): ContactEvent => ({
  type: 'ContactRegistered',
  data: {
    contactId,
    kind: 'person',
    relationship: 'b2c',
    name,
    primaryEmail: email,
    primaryPhone: null,
  },
});

/** The survivor: Ada, ada@example.com, owned by alice, a lead, tagged vip. */
const survivorHistory: ContactEvent[] = [
  registered(survivorId, 'Ada Lovelace', 'ada@example.com'),
  {
    type: 'ContactOwnerAssigned',
    data: { contactId: survivorId, ownerId: 'alice', previousOwnerId: null },
  },
  { type: 'ContactStageChanged', data: { contactId: survivorId, from: null, to: 'lead' } },
  { type: 'ContactTagged', data: { contactId: survivorId, tag: 'vip' } },
];

/** The absorbed one: the same person entered again with more contact points. */
const absorbedHistory: ContactEvent[] = [
  registered(absorbedId, 'Augusta Ada King', 'countess@lovelace.org'),
  {
    type: 'ContactPhoneAdded',
    data: { contactId: absorbedId, phone: '+442079460958', label: 'mobile' },
  },
  {
    type: 'ContactEmailAdded',
    data: { contactId: absorbedId, email: 'ada@example.com', label: 'home' },
  },
  {
    type: 'ContactAddressAdded',
    data: { contactId: absorbedId, ...address },
  },
  { type: 'ContactTagged', data: { contactId: absorbedId, tag: 'vip' } },
  { type: 'ContactTagged', data: { contactId: absorbedId, tag: 'math' } },
  {
    type: 'ContactOwnerAssigned',
    data: { contactId: absorbedId, ownerId: 'bob', previousOwnerId: null },
  },
  {
    type: 'ContactAffiliated',
    data: { contactId: absorbedId, ...affiliation },
  },
  {
    type: 'ContactCustomFieldSet',
    data: { contactId: absorbedId, field: 'birthYear', valueType: 'number', value: 1815 },
  },
];

const party = (history: readonly ContactEvent[]): Party => {
  const state: ContactState = fold(contactDecider, history);
  if (state.status !== 'registered') throw new Error('not registered');
  return state;
};
const absorbed = party(absorbedHistory);
const absorb = (prefer: 'survivor' | 'absorbed' = 'survivor', parties = [absorbed]) =>
  ({ type: 'AbsorbContacts', contactId: survivorId, mergeId, absorbed: parties, prefer }) as const;
const undo = { type: 'UndoMerge', contactId: survivorId, mergeId } as const;
const markMerged = { type: 'MarkMergedInto', contactId: absorbedId, survivorId, mergeId } as const;
const restore = { type: 'RestoreFromMerge', contactId: absorbedId, mergeId } as const;

const archived = (contactId: string): ContactEvent => ({
  type: 'ContactArchived',
  data: { contactId, reason: null },
});
const erased = (contactId: string): ContactEvent => ({
  type: 'ContactErased',
  data: { contactId },
});
const mergedInto = (contactId: string, survivor = otherId): ContactEvent => ({
  type: 'ContactMergedInto',
  data: { contactId, survivorId: survivor, mergeId: '01a242b8-0000-7000-8000-000000000009' },
});

/** What absorbing `absorbed` into the survivor with the survivor preferred records. */
/** Values copied from the absorbed party name it, and are sealed with its key. */
const origin = absorbedId;
const mergedBySurvivorPreference: ContactEvent[] = [
  {
    type: 'ContactMerged',
    data: {
      contactId: survivorId,
      mergeId,
      absorbedIds: [absorbedId],
      prefer: 'survivor',
      addedEmails: [],
      addedPhones: [],
      addedAddressIds: [addressId],
      addedTags: ['math'],
      addedAffiliationIds: [affiliationId],
      previousOwner: null,
      previousStage: null,
      replaced: { customFields: { birthYear: null } },
    },
  },
  {
    type: 'ContactEmailAdded',
    data: { contactId: survivorId, email: 'countess@lovelace.org', label: 'work', origin },
  },
  {
    type: 'ContactPhoneAdded',
    data: { contactId: survivorId, phone: '+442079460958', label: 'mobile', origin },
  },
  {
    type: 'ContactAddressAdded',
    data: { contactId: survivorId, ...address, origin },
  },
  { type: 'ContactTagged', data: { contactId: survivorId, tag: 'math' } },
  {
    type: 'ContactAffiliated',
    data: { contactId: survivorId, ...affiliation, origin },
  },
  {
    type: 'ContactCustomFieldSet',
    data: {
      contactId: survivorId,
      field: 'birthYear',
      valueType: 'number',
      value: 1815,
      origin,
    },
  },
];

describe('contact decider: merges', () => {
  describe('AbsorbContacts', () => {
    it('given a registered survivor, combines contact points, addresses, tags and affiliations, keeps its own single values, and records what it added', () => {
      spec.given(survivorHistory).when(absorb('survivor')).then(mergedBySurvivorPreference);
    });

    it('records the emails and phones it copied from the events that carry their origin', () => {
      spec
        .given(survivorHistory)
        .when(absorb('survivor'))
        .thenState((state) => {
          expect(state.status === 'registered' && state.merges).toEqual([
            expect.objectContaining({
              mergeId,
              addedEmails: ['countess@lovelace.org'],
              addedPhones: ['+442079460958'],
            }),
          ]);
        });
    });

    it('given prefer absorbed, takes name, owner, primary email and custom fields of the absorbed party and records the values it replaced', () => {
      spec
        .given(survivorHistory)
        .when(absorb('absorbed'))
        .thenState((state, events) => {
          expect(events[0]).toMatchObject({
            type: 'ContactMerged',
            data: {
              prefer: 'absorbed',
              previousOwner: { ownerId: 'alice' },
              previousStage: null,
              replaced: {
                name: 'Ada Lovelace',
                primaryEmail: 'ada@example.com',
                customFields: { birthYear: null },
              },
            },
          });
          // The copied primary is sealed with the absorbed party's key, as the copy is.
          expect(events).toContainEqual({
            type: 'ContactPrimaryEmailSet',
            data: { contactId: survivorId, email: 'countess@lovelace.org', origin: absorbedId },
          });
          expect(state).toMatchObject({
            name: 'Augusta Ada King',
            ownerId: 'bob',
            stage: 'lead',
            primaryEmail: 'countess@lovelace.org',
            customFields: { birthYear: { valueType: 'number', value: 1815 } },
          });
        });
    });

    it('given several absorbed parties, absorbs them in order and lists them all', () => {
      const other = party([registered(otherId, 'A. Lovelace', 'a.l@example.com')]);
      spec
        .given(survivorHistory)
        .when(absorb('survivor', [absorbed, other]))
        .thenState((state, events) => {
          expect(events[0]).toMatchObject({ data: { absorbedIds: [absorbedId, otherId] } });
          expect(state.status === 'registered' && state.emails.map((e) => e.email)).toEqual([
            'ada@example.com',
            'countess@lovelace.org',
            'a.l@example.com',
          ]);
        });
    });

    it('refuses to absorb the survivor itself', () => {
      spec
        .given(survivorHistory)
        .when(absorb('survivor', [party(survivorHistory)]))
        .thenThrows(MergeNotAllowed, /itself/);
    });

    it.each([
      ['archived', archived(absorbedId), /archived/],
      ['erased', erased(absorbedId), /erased/],
      ['already merged', mergedInto(absorbedId), /already merged/],
    ])('refuses an absorbed party that is %s', (_, event, message) => {
      spec
        .given(survivorHistory)
        .when(absorb('survivor', [party([...absorbedHistory, event])]))
        .thenThrows(MergeNotAllowed, message);
    });

    it('refuses an absorbed party of another kind', () => {
      const organization = party([
        {
          type: 'ContactRegistered',
          data: {
            contactId: orgId,
            kind: 'organization',
            relationship: 'b2b',
            name: 'Analytical Engines Ltd',
            primaryEmail: null,
            primaryPhone: null,
          },
        },
      ]);
      spec
        .given(survivorHistory)
        .when(absorb('survivor', [organization]))
        .thenThrows(MergeNotAllowed, /organization cannot be merged into a person/);
    });

    it('refuses a merge that would pass the tag limit', () => {
      const tags = (contactId: string, prefix: string): ContactEvent[] =>
        Array.from({ length: CONTACT_LIMITS.tags / 2 + 1 }, (_, i) => ({
          type: 'ContactTagged',
          data: { contactId, tag: `${prefix}${i}` },
        }));
      spec
        .given([registered(survivorId, 'Ada', null), ...tags(survivorId, 's')])
        .when(absorb('survivor', [party([...absorbedHistory, ...tags(absorbedId, 'a')])]))
        .thenThrows(TagLimitReached);
    });

    it('refuses a merge that would pass the custom field limit', () => {
      const fields = (contactId: string, prefix: string): ContactEvent[] =>
        Array.from({ length: CONTACT_LIMITS.customFields / 2 + 1 }, (_, i) => ({
          type: 'ContactCustomFieldSet',
          data: { contactId, field: `${prefix}${i}`, valueType: 'boolean', value: true },
        }));
      spec
        .given([registered(survivorId, 'Ada', null), ...fields(survivorId, 's')])
        .when(
          absorb('survivor', [
            party([registered(absorbedId, 'A', null), ...fields(absorbedId, 'a')]),
          ]),
        )
        .thenThrows(CustomFieldLimitReached);
    });

    it.each([
      ['unregistered', [], ContactNotFound],
      ['archived', [...survivorHistory, archived(survivorId)], ContactArchived],
      ['erased', [...survivorHistory, erased(survivorId)], ContactErased],
      ['merged into another', [...survivorHistory, mergedInto(survivorId)], ContactMerged],
    ] as const)('given a survivor that is %s, refuses', (_, history, error) => {
      spec.given(history).when(absorb()).thenThrows(error);
    });
  });

  describe('MarkMergedInto', () => {
    it('given a registered party, makes it redirect to the survivor', () => {
      spec
        .given(absorbedHistory)
        .when(markMerged)
        .then([
          { type: 'ContactMergedInto', data: { contactId: absorbedId, survivorId, mergeId } },
        ]);
    });

    it('refuses to redirect a party to itself', () => {
      spec
        .given(absorbedHistory)
        .when({ ...markMerged, survivorId: absorbedId })
        .thenThrows(MergeNotAllowed);
    });

    it.each([
      ['unregistered', [], ContactNotFound],
      ['archived', [...absorbedHistory, archived(absorbedId)], ContactArchived],
      ['erased', [...absorbedHistory, erased(absorbedId)], ContactErased],
      ['merged into another', [...absorbedHistory, mergedInto(absorbedId)], ContactMerged],
    ] as const)('given a party that is %s, refuses', (_, history, error) => {
      spec.given(history).when(markMerged).thenThrows(error);
    });
  });

  describe('UndoMerge', () => {
    const merged = [...survivorHistory, ...mergedBySurvivorPreference];

    it('given a standing merge, removes what it added and ends with ContactMergeUndone', () => {
      spec
        .given(merged)
        .when(undo)
        .then([
          { type: 'ContactAddressRemoved', data: { contactId: survivorId, addressId } },
          { type: 'ContactUntagged', data: { contactId: survivorId, tag: 'math' } },
          { type: 'ContactAffiliationRemoved', data: { contactId: survivorId, affiliationId } },
          {
            type: 'ContactCustomFieldRemoved',
            data: { contactId: survivorId, field: 'birthYear' },
          },
          {
            type: 'ContactMergeUndone',
            data: {
              contactId: survivorId,
              mergeId,
              absorbedIds: [absorbedId],
              primaryEmail: 'ada@example.com',
              primaryPhone: null,
            },
          },
        ]);
    });

    it('takes the copied emails and phones out by reference: no event of the undo names them', () => {
      spec
        .given(merged)
        .when(undo)
        .thenState((state, events) => {
          const written = JSON.stringify(events);
          expect(written).not.toContain('countess@lovelace.org');
          expect(written).not.toContain('+442079460958');
          const party = state as Party;
          expect(party.emails.map((e) => e.email)).toEqual(['ada@example.com']);
          expect(party.phones).toEqual([]);
          expect(party.merges).toEqual([
            expect.objectContaining({ undone: true, addedEmails: [], addedPhones: [] }),
          ]);
        });
    });

    it('given an undo written before removals by reference, folds its removal events as before', () => {
      const { emails, phones, merges } = party([
        ...merged,
        {
          type: 'ContactEmailRemoved',
          data: {
            contactId: survivorId,
            email: 'countess@lovelace.org',
            primaryEmail: 'ada@example.com',
          },
        },
        {
          type: 'ContactPhoneRemoved',
          data: { contactId: survivorId, phone: '+442079460958', primaryPhone: null },
        },
        { type: 'ContactMergeUndone', data: { contactId: survivorId, mergeId } },
      ]);
      expect(emails.map((e) => e.email)).toEqual(['ada@example.com']);
      expect(phones).toEqual([]);
      expect(merges).toEqual([
        expect.objectContaining({ undone: true, addedEmails: [], addedPhones: [] }),
      ]);
    });

    it('given the absorbed party was erased (its copies read as null), the undo folds the same', () => {
      const copiesErased = merged.map((event) =>
        event.type === 'ContactEmailAdded' && event.data.origin === absorbedId
          ? { ...event, data: { ...event.data, email: null } }
          : event.type === 'ContactPhoneAdded' && event.data.origin === absorbedId
            ? { ...event, data: { ...event.data, phone: null } }
            : event,
      );
      spec
        .given(copiesErased)
        .when(undo)
        .thenState((state) => {
          expect((state as Party).emails.map((e) => e.email)).toEqual(['ada@example.com']);
          expect((state as Party).primaryEmail).toBe('ada@example.com');
        });
    });

    it.each(['survivor', 'absorbed'] as const)(
      'given a merge with prefer %s, leaves the survivor as it was before (but for the merge record)',
      (prefer) => {
        const before = party(survivorHistory);
        const mergeEvents = contactDecider.decide(absorb(prefer), before);
        spec
          .given([...survivorHistory, ...mergeEvents])
          .when(undo)
          .thenState((state) => {
            const { merges, ...after } = state as Party;
            const { merges: _, ...expected } = before;
            expect(after).toEqual(expected);
            expect(merges).toEqual([expect.objectContaining({ mergeId, undone: true })]);
          });
      },
    );

    describe('given single values edited since the merge (prefer absorbed)', () => {
      const mergedByAbsorbed = () => [
        ...survivorHistory,
        ...contactDecider.decide(absorb('absorbed'), party(survivorHistory)),
      ];
      const undoAfter = (edits: ContactEvent[]) =>
        contactDecider.decide(undo, party([...mergedByAbsorbed(), ...edits]));
      const types = (events: readonly ContactEvent[]) => events.map((e) => e.type);

      it('without edits, puts back name, owner and custom field', () => {
        expect(types(undoAfter([]))).toEqual(
          expect.arrayContaining([
            'ContactRenamed',
            'ContactOwnerAssigned',
            'ContactCustomFieldRemoved',
          ]),
        );
      });

      it('keeps a name, owner and custom field changed after the merge: the undo never overwrites a later edit', () => {
        const edited = undoAfter([
          { type: 'ContactRenamed', data: { contactId: survivorId, name: 'Ada King-Noel' } },
          {
            type: 'ContactOwnerAssigned',
            data: { contactId: survivorId, ownerId: 'carol', previousOwnerId: 'bob' },
          },
          {
            type: 'ContactCustomFieldSet',
            data: { contactId: survivorId, field: 'birthYear', valueType: 'number', value: 1816 },
          },
        ]);
        expect(types(edited)).toEqual([
          'ContactAddressRemoved',
          'ContactUntagged',
          'ContactAffiliationRemoved',
          'ContactMergeUndone',
        ]);
        const after = party([
          ...mergedByAbsorbed(),
          { type: 'ContactRenamed', data: { contactId: survivorId, name: 'Ada King-Noel' } },
          ...edited,
        ]);
        expect(after.name).toBe('Ada King-Noel');
      });

      it("puts the survivor's primary email back, unless another was made primary since", () => {
        const primaryAfter = (edits: ContactEvent[]) =>
          party([...mergedByAbsorbed(), ...edits, ...undoAfter(edits)]).primaryEmail;
        expect(party(mergedByAbsorbed()).primaryEmail).toBe('countess@lovelace.org');
        expect(primaryAfter([])).toBe('ada@example.com');
        const chosen: ContactEvent = {
          type: 'ContactEmailAdded',
          data: { contactId: survivorId, email: 'ada@analytical.example', label: 'work' },
        };
        const madePrimary: ContactEvent = {
          type: 'ContactPrimaryEmailSet',
          data: { contactId: survivorId, email: 'ada@analytical.example' },
        };
        expect(primaryAfter([chosen, madePrimary])).toBe('ada@analytical.example');
      });

      it('given the absorbed party erased after the undo, its copied primary reads null and the survivor keeps its own', () => {
        const history = [...mergedByAbsorbed(), ...undoAfter([])];
        const erasedCopies = history.map((event): ContactEvent => {
          if (!('origin' in event.data) || event.data.origin !== absorbedId) return event;
          if (event.type === 'ContactEmailAdded' || event.type === 'ContactPrimaryEmailSet') {
            return { ...event, data: { ...event.data, email: null } } as ContactEvent;
          }
          return event;
        });
        expect(party(erasedCopies)).toMatchObject({
          primaryEmail: 'ada@example.com',
          emails: [{ email: 'ada@example.com', label: 'work' }],
        });
      });

      it('given a second merge that set the name since, leaves it to that merge', () => {
        const later = '01a242b8-0000-7000-8000-000000000002';
        const history = [
          ...mergedByAbsorbed(),
          {
            type: 'ContactMerged',
            data: {
              contactId: survivorId,
              mergeId: later,
              absorbedIds: [otherId],
              prefer: 'absorbed',
              addedEmails: [],
              addedPhones: [],
              addedAddressIds: [],
              addedTags: [],
              addedAffiliationIds: [],
              previousOwner: null,
              previousStage: null,
              replaced: { name: 'Augusta Ada King' },
            },
          },
          {
            type: 'ContactRenamed',
            data: { contactId: survivorId, name: 'A. A. Lovelace', origin: otherId },
          },
        ] satisfies ContactEvent[];
        expect(types(contactDecider.decide(undo, party(history)))).not.toContain('ContactRenamed');
      });
    });

    it('given values removed since the merge, removes only what is still there', () => {
      // The copied phone goes out by reference with ContactMergeUndone.
      spec
        .given([
          ...merged,
          { type: 'ContactUntagged', data: { contactId: survivorId, tag: 'math' } },
          {
            type: 'ContactEmailRemoved',
            data: {
              contactId: survivorId,
              email: 'countess@lovelace.org',
              primaryEmail: 'ada@example.com',
            },
          },
        ])
        .when(undo)
        .thenState((_, events) => {
          expect(events.map((e) => e.type)).toEqual([
            'ContactAddressRemoved',
            'ContactAffiliationRemoved',
            'ContactCustomFieldRemoved',
            'ContactMergeUndone',
          ]);
        });
    });

    it('given the merge was undone, refuses to undo it twice', () => {
      spec
        .given([
          ...merged,
          { type: 'ContactMergeUndone', data: { contactId: survivorId, mergeId } },
        ])
        .when(undo)
        .thenThrows(MergeNotAllowed, /already undone/);
    });

    it('given no such merge, the merge is not found', () => {
      spec.given(survivorHistory).when(undo).thenThrows(MergeNotFound);
    });

    it.each([
      ['unregistered', [], ContactNotFound],
      ['archived', [...merged, archived(survivorId)], ContactArchived],
      ['erased', [...merged, erased(survivorId)], ContactErased],
      ['merged into another', [...merged, mergedInto(survivorId)], ContactMerged],
    ] as const)('given a survivor that is %s, refuses', (_, history, error) => {
      spec.given(history).when(undo).thenThrows(error);
    });
  });

  describe('RestoreFromMerge', () => {
    const markedHistory: ContactEvent[] = [
      ...absorbedHistory,
      { type: 'ContactMergedInto', data: { contactId: absorbedId, survivorId, mergeId } },
    ];

    it('given a party merged by this merge, makes it stand on its own again, as it was', () => {
      spec
        .given(markedHistory)
        .when(restore)
        .thenState((state, events) => {
          expect(events).toEqual([
            { type: 'ContactUnmerged', data: { contactId: absorbedId, mergeId } },
          ]);
          expect(state).toEqual(absorbed);
        });
    });

    it('given a party merged by another merge, this merge is not found', () => {
      spec
        .given([...absorbedHistory, mergedInto(absorbedId, survivorId)])
        .when(restore)
        .thenThrows(MergeNotFound);
    });

    it('given a party that is not merged (restored already), the merge is not found', () => {
      spec
        .given([
          ...markedHistory,
          { type: 'ContactUnmerged', data: { contactId: absorbedId, mergeId } },
        ])
        .when(restore)
        .thenThrows(MergeNotFound);
    });

    it.each([
      ['unregistered', [], ContactNotFound],
      ['erased', [...markedHistory, erased(absorbedId)], ContactErased],
    ] as const)('given a party that is %s, refuses', (_, history, error) => {
      spec.given(history).when(restore).thenThrows(error);
    });
  });
});
