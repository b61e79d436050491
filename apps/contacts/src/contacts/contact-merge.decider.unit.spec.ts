import { CONTACT_LIMITS } from '@crm/events';
import { deciderSpec } from '@crm/events/testing';
import type { ContactEvent } from './contact';
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
import {
  survivorId,
  absorbedId,
  otherId,
  orgId,
  mergeId,
  registered,
  survivorHistory,
  absorbedHistory,
  party,
  absorbed,
  absorb,
  markMerged,
  restore,
  archived,
  erased,
  mergedInto,
  mergedBySurvivorPreference,
} from './contact-merge.fixtures';

const spec = deciderSpec(contactDecider);

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
