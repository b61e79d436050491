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
});
