import { deciderSpec } from '@crm/events/testing';
import type { ContactEvent } from './contact';
import { contactDecider } from './contact.decider';
import {
  ContactAlreadyRegistered,
  ContactNotFound,
  RelationshipNotAllowed,
} from './contact.errors';

const spec = deciderSpec(contactDecider);
const contactId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
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
const register = {
  type: 'RegisterContact',
  contactId,
  kind: 'person',
  relationship: 'b2c',
  name: 'Ada Lovelace',
  primaryEmail: 'ada@example.com',
  primaryPhone: '+442079460958',
  ownerId: null,
} as const;

describe('contact decider', () => {
  describe('RegisterContact', () => {
    it('given nothing, registers the contact', () => {
      spec.given([]).when(register).then([registered]);
    });

    it('given a registered contact, refuses to register it again', () => {
      spec.given([registered]).when(register).thenThrows(ContactAlreadyRegistered);
    });

    it.each([
      ['person', 'b2c'],
      ['person', 'b2b'],
      ['person', 'internal'],
      ['organization', 'b2b'],
      ['organization', 'b2c'],
      ['internal-unit', 'internal'],
    ] as const)('allows a %s as %s', (kind, relationship) => {
      spec
        .given([])
        .when({ ...register, kind, relationship })
        .then([{ type: 'ContactRegistered', data: { ...registered.data, kind, relationship } }]);
    });

    it.each([
      ['internal-unit', 'b2b'],
      ['internal-unit', 'b2c'],
      ['organization', 'internal'],
    ] as const)('refuses a %s as %s', (kind, relationship) => {
      spec
        .given([])
        .when({ ...register, kind, relationship })
        .thenThrows(RelationshipNotAllowed);
    });
  });

  describe('RenameContact', () => {
    it('given a registered contact, renames it', () => {
      spec
        .given([registered])
        .when({ type: 'RenameContact', contactId, name: 'Augusta Ada King' })
        .then([{ type: 'ContactRenamed', data: { contactId, name: 'Augusta Ada King' } }]);
    });

    it('given the same name, records nothing', () => {
      spec
        .given([registered])
        .when({ type: 'RenameContact', contactId, name: 'Ada Lovelace' })
        .then([]);
    });

    it('given an erased name (null), renaming records the new name', () => {
      spec
        .given([{ type: 'ContactRegistered', data: { ...registered.data, name: null } }])
        .when({ type: 'RenameContact', contactId, name: 'New' })
        .then([{ type: 'ContactRenamed', data: { contactId, name: 'New' } }]);
    });

    it('given nothing, the contact is not found', () => {
      spec
        .given([])
        .when({ type: 'RenameContact', contactId, name: 'X' })
        .thenThrows(ContactNotFound);
    });
  });

  describe('SetPrimaryEmail', () => {
    it('given a legacy ContactPrimaryEmailSet with null, the primary email is gone', () => {
      spec
        .given([registered, { type: 'ContactPrimaryEmailSet', data: { contactId, email: null } }])
        .when({ type: 'SetPrimaryEmail', contactId, email: null })
        .then([]);
    });

    it('sets, then clears, the primary email (clearing removes it)', () => {
      spec
        .given([registered])
        .when({ type: 'SetPrimaryEmail', contactId, email: 'countess@lovelace.org' })
        .then([
          { type: 'ContactPrimaryEmailSet', data: { contactId, email: 'countess@lovelace.org' } },
        ]);
      spec
        .given([registered])
        .when({ type: 'SetPrimaryEmail', contactId, email: null })
        .then([
          {
            type: 'ContactEmailRemoved',
            data: { contactId, email: 'ada@example.com', primaryEmail: null },
          },
        ]);
    });

    it('given the same email, records nothing', () => {
      spec
        .given([registered])
        .when({ type: 'SetPrimaryEmail', contactId, email: 'ada@example.com' })
        .then([]);
    });

    it('given nothing, the contact is not found', () => {
      spec
        .given([])
        .when({ type: 'SetPrimaryEmail', contactId, email: null })
        .thenThrows(ContactNotFound);
    });
  });

  describe('SetPrimaryPhone', () => {
    it('sets the primary phone and the state follows', () => {
      spec
        .given([registered])
        .when({ type: 'SetPrimaryPhone', contactId, phone: '+12025550143' })
        .thenState((state, events) => {
          expect(events).toEqual([
            { type: 'ContactPrimaryPhoneSet', data: { contactId, phone: '+12025550143' } },
          ]);
          expect(state).toMatchObject({ status: 'registered', primaryPhone: '+12025550143' });
        });
    });

    it('given the same phone, records nothing', () => {
      spec
        .given([registered])
        .when({ type: 'SetPrimaryPhone', contactId, phone: '+442079460958' })
        .then([]);
    });

    it('given nothing, the contact is not found', () => {
      spec
        .given([])
        .when({ type: 'SetPrimaryPhone', contactId, phone: null })
        .thenThrows(ContactNotFound);
    });
  });
});
