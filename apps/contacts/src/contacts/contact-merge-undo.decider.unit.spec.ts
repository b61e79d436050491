import { deciderSpec } from '@crm/events/testing';
import type { ContactEvent, Party } from './contact';
import { contactDecider } from './contact.decider';
import {
  ContactArchived,
  ContactErased,
  ContactMerged,
  ContactNotFound,
  MergeNotAllowed,
  MergeNotFound,
} from './contact.errors';
import {
  survivorId,
  absorbedId,
  otherId,
  mergeId,
  affiliationId,
  addressId,
  survivorHistory,
  party,
  absorb,
  undo,
  archived,
  erased,
  mergedInto,
  mergedBySurvivorPreference,
} from './contact-merge.fixtures';

const spec = deciderSpec(contactDecider);

describe('contact decider: undoing merges', () => {
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
});
