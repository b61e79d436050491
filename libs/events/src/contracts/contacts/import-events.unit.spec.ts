import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ContractRegistry } from '../event-contract';
import { CONTACT_EVENT_CONTRACTS } from './contact-events';
import { IMPORT_EVENT_CONTRACTS } from './import-events';

const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
const registry = new ContractRegistry(IMPORT_EVENT_CONTRACTS);
const validate = (type: string, data: unknown) => ajv.validate(registry.get(type).schema, data);
const importId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const contactId = '01a242b7-74cb-754e-8a51-c229a3e10640';
const zero = { created: 0, updated: 0, unchanged: 0, duplicate: 0, rejected: 0 };
const created = {
  row: 2,
  outcome: 'created',
  contactId,
  revisions: { from: 0, to: 3 },
  changes: [],
  duplicateOf: null,
  errors: [],
};

describe('import event contracts', () => {
  it('give every event a versioned CloudEvents type of the contacts service, distinct from the contact events', () => {
    for (const contract of IMPORT_EVENT_CONTRACTS) {
      expect(contract.ceType).toMatch(/^crm\.contacts\.import-[a-z-]+\.v1$/);
      expect(contract.source).toBe('/crm/contacts');
      expect(contract.category).toBe('import');
      expect(ajv.validateSchema(contract.schema)).toBe(true);
    }
    expect(
      () => new ContractRegistry([...CONTACT_EVENT_CONTRACTS, ...IMPORT_EVENT_CONTRACTS]),
    ).not.toThrow();
  });

  it('hold no personal data: nothing to seal', () => {
    for (const contract of IMPORT_EVENT_CONTRACTS) expect(contract.personalFields).toEqual([]);
  });

  it('accept the events an import and its revert record', () => {
    expect(
      validate('ImportStarted', { importId, columns: ['kind', 'name'], encoding: 'utf-8' }),
    ).toBe(true);
    expect(
      validate('ImportRowsRecorded', {
        importId,
        chunk: 0,
        rows: [
          created,
          {
            row: 3,
            outcome: 'rejected',
            contactId: null,
            revisions: null,
            changes: [],
            duplicateOf: null,
            errors: [{ code: 'invalid-field', field: 'emails', message: 'not an email address' }],
          },
          { ...created, row: 4, outcome: 'duplicate', revisions: null, duplicateOf: 2 },
          { ...created, row: 5, outcome: 'updated', changes: ['name', 'tags'] },
        ],
      }),
    ).toBe(true);
    expect(
      validate('ImportCompleted', { importId, rows: 4, counts: { ...zero, created: 1 } }),
    ).toBe(true);
    expect(
      validate('ImportFailed', {
        importId,
        rows: 0,
        counts: zero,
        reason: { code: 'payload-too-large', field: null, message: 'the file exceeds 10 bytes' },
      }),
    ).toBe(true);
    expect(validate('ImportRevertStarted', { importId })).toBe(true);
    expect(
      validate('ImportRowsReverted', {
        importId,
        chunk: 0,
        rows: [{ row: 2, contactId, outcome: 'archived', errors: [] }],
      }),
    ).toBe(true);
    expect(
      validate('ImportReverted', {
        importId,
        counts: { archived: 1, undone: 0, unchanged: 0, skipped: 0 },
      }),
    ).toBe(true);
  });

  it('reject events that break the contract, including values smuggled into a row', () => {
    expect(validate('ImportRowsRecorded', { importId, chunk: 0, rows: [] })).toBe(false);
    expect(
      validate('ImportRowsRecorded', {
        importId,
        chunk: 0,
        rows: [{ ...created, email: 'ada@example.com' }],
      }),
    ).toBe(false);
    expect(
      validate('ImportRowsRecorded', {
        importId,
        chunk: 0,
        rows: [{ ...created, outcome: 'merged' }],
      }),
    ).toBe(false);
    expect(
      validate('ImportRowsRecorded', { importId, chunk: 0, rows: [{ ...created, row: 1 }] }),
    ).toBe(false);
    expect(validate('ImportCompleted', { importId, rows: 1, counts: { created: 1 } })).toBe(false);
    expect(validate('ImportRevertStarted', { importId: 'nope' })).toBe(false);
  });
});
