import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ContractRegistry } from '../event-contract';
import { CONTACT_EVENT_CONTRACTS } from './contact-events';

const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
const registry = new ContractRegistry(CONTACT_EVENT_CONTRACTS);
const validate = (type: string, data: unknown) => ajv.validate(registry.get(type).schema, data);
const contactId = '01a242b7-74cb-754e-8a51-c229a3e1063e';

describe('contact event contracts', () => {
  it('give every event a versioned CloudEvents type and a stable source', () => {
    for (const contract of CONTACT_EVENT_CONTRACTS) {
      expect(contract.ceType).toMatch(/^crm\.contacts\.[a-z-]+\.v\d+$/);
      expect(contract.source).toBe('/crm/contacts');
      expect(ajv.validateSchema(contract.schema)).toBe(true);
    }
    expect(new Set(CONTACT_EVENT_CONTRACTS.map((c) => c.ceType)).size).toBe(
      CONTACT_EVENT_CONTRACTS.length,
    );
  });

  it('accept valid events, including erased personal fields (null)', () => {
    const registered = {
      contactId,
      kind: 'person',
      relationship: 'b2c',
      name: 'Ada',
      primaryEmail: 'ada@example.com',
      primaryPhone: '+442079460958',
    };
    expect(validate('ContactRegistered', registered)).toBe(true);
    expect(
      validate('ContactRegistered', {
        ...registered,
        name: null,
        primaryEmail: null,
        primaryPhone: null,
      }),
    ).toBe(true);
    expect(validate('ContactRenamed', { contactId, name: 'Ada King' })).toBe(true);
    expect(validate('ContactPrimaryEmailSet', { contactId, email: null })).toBe(true);
    expect(validate('ContactPrimaryPhoneSet', { contactId, phone: '+12025550143' })).toBe(true);
  });

  it('reject events that break the contract', () => {
    expect(
      validate('ContactRegistered', {
        contactId,
        kind: 'robot',
        relationship: 'b2c',
        name: 'A',
        primaryEmail: null,
        primaryPhone: null,
      }),
    ).toBe(false);
    expect(validate('ContactRenamed', { contactId })).toBe(false);
    expect(validate('ContactRenamed', { contactId, name: 'A', extra: 1 })).toBe(false);
    expect(validate('ContactPrimaryPhoneSet', { contactId, phone: '0301234' })).toBe(false);
    expect(validate('ContactPrimaryEmailSet', { contactId: 'not-a-uuid', email: null })).toBe(
      false,
    );
  });

  it('declare every personal field that the schema carries', () => {
    for (const contract of CONTACT_EVENT_CONTRACTS) {
      for (const field of contract.personalFields) {
        expect(Object.keys((contract.schema as { properties: object }).properties)).toContain(
          field,
        );
      }
    }
  });

  const id = (n: number) => `01a242b7-74cb-754e-8a51-c229a3e1${String(n).padStart(4, '0')}`;
  /** A valid example of every event type, and the same with its personal values erased. */
  const EXAMPLES: Record<string, Record<string, unknown>> = {
    ContactRegistered: {
      kind: 'organization',
      relationship: 'b2b',
      name: 'Engines Ltd',
      primaryEmail: null,
      primaryPhone: '+442079460958',
    },
    ContactRenamed: { name: 'Ada King' },
    ContactPrimaryEmailSet: { email: 'ada@example.com' },
    ContactPrimaryPhoneSet: { phone: '+12025550143' },
    ContactEmailAdded: { email: 'ada@example.com', label: 'home' },
    ContactEmailRemoved: { email: 'ada@example.com', primaryEmail: 'b@example.com' },
    ContactPhoneAdded: { phone: '+12025550143', label: 'mobile' },
    ContactPhoneRemoved: { phone: '+12025550143', primaryPhone: null },
    ContactAddressAdded: {
      addressId: id(1),
      label: 'billing',
      street: 'Main St 1',
      city: 'London',
      region: null,
      postalCode: 'N1 9GU',
      country: 'GB',
    },
    ContactAddressRemoved: { addressId: id(1) },
    ContactTagged: { tag: 'vip customer' },
    ContactUntagged: { tag: 'vip customer' },
    ContactOwnerAssigned: { ownerId: 'bob', previousOwnerId: null },
    ContactStageChanged: { from: null, to: 'lead' },
    ContactCustomFieldSet: { field: 'employees', valueType: 'number', value: 42 },
    ContactCustomFieldRemoved: { field: 'employees' },
    ContactParentSet: { parentId: id(2) },
    ContactAffiliated: {
      affiliationId: id(3),
      organizationId: id(2),
      title: 'CTO',
      since: '2020-01-31',
      until: null,
    },
    ContactAffiliationEnded: { affiliationId: id(3), until: '2024-12-31' },
    ContactAffiliationRemoved: { affiliationId: id(3) },
    ContactArchived: { reason: 'duplicate' },
    ContactRestored: {},
    ContactMerged: {
      mergeId: id(4),
      absorbedIds: [id(5)],
      prefer: 'survivor',
      addedEmails: ['b@example.com'],
      addedPhones: [],
      addedAddressIds: [id(6)],
      addedTags: ['vip'],
      addedAffiliationIds: [],
      previousOwner: { ownerId: null },
      previousStage: null,
      replaced: {
        name: 'Old',
        customFields: { employees: null, tier: { valueType: 'string', value: 'gold' } },
      },
    },
    ContactMergeUndone: { mergeId: id(4) },
    ContactMergedInto: { survivorId: id(2), mergeId: id(4) },
    ContactUnmerged: { mergeId: id(4) },
    ContactErased: {},
  };

  it('have an example for every event type that validates, also with personal values erased', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(CONTACT_EVENT_CONTRACTS.map((c) => c.type).sort());
    for (const contract of CONTACT_EVENT_CONTRACTS) {
      const example = { contactId, ...EXAMPLES[contract.type] };
      expect({ type: contract.type, valid: validate(contract.type, example) }).toEqual({
        type: contract.type,
        valid: true,
      });
      const erased: Record<string, unknown> = { ...example };
      for (const field of contract.personalFields) erased[field] = null;
      expect(validate(contract.type, erased)).toBe(true);
      expect(validate(contract.type, { ...example, unexpected: 1 })).toBe(false);
      const { contactId: _, ...withoutId } = example;
      expect(validate(contract.type, withoutId)).toBe(false);
    }
  });

  it('reject values outside the contract of the party model', () => {
    const bad: [string, Record<string, unknown>][] = [
      ['ContactStageChanged', { from: null, to: 'churned' }],
      ['ContactTagged', { tag: 'UPPER' }],
      ['ContactCustomFieldSet', { field: 'Bad-Name', valueType: 'string', value: 'x' }],
      ['ContactCustomFieldSet', { field: 'notes', valueType: 'string', value: 'x'.repeat(1001) }],
      ['ContactCustomFieldSet', { field: 'notes', valueType: 'object', value: 'x' }],
      ['ContactAddressAdded', { ...EXAMPLES['ContactAddressAdded'], country: 'Germany' }],
      ['ContactAffiliated', { ...EXAMPLES['ContactAffiliated'], since: '31.01.2020' }],
      ['ContactMerged', { ...EXAMPLES['ContactMerged'], absorbedIds: [] }],
    ];
    for (const [type, data] of bad) {
      expect({ type, data, valid: validate(type, { contactId, ...data }) }).toMatchObject({
        valid: false,
      });
    }
  });
});
