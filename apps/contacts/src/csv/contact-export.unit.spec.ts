import { type ContactEvent, fold } from '@crm/events';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Party } from '../contacts/contact';
import { contactDecider } from '../contacts/contact.decider';
import { parseHeader } from './csv-columns';
import { parseRow } from './csv-row';
import { CSV_COLUMNS } from './csv-columns';
import { exportRow } from './contact-export';

const contactId = '01a242b7-74cb-754e-8a51-c229a3e1063e';
const party = fold(contactDecider, [
  {
    type: 'ContactRegistered',
    data: {
      contactId,
      kind: 'organization',
      relationship: 'b2b',
      name: 'Engines, "Analytical"; Ltd',
      primaryEmail: 'info@engines.example',
      primaryPhone: null,
    },
  },
  { type: 'ContactEmailAdded', data: { contactId, email: 'sales@engines.example', label: 'work' } },
  { type: 'ContactPrimaryEmailSet', data: { contactId, email: 'sales@engines.example' } },
  { type: 'ContactTagged', data: { contactId, tag: 'partner' } },
  { type: 'ContactTagged', data: { contactId, tag: 'trade fair' } },
  {
    type: 'ContactCustomFieldSet',
    data: { contactId, field: 'externalId', valueType: 'string', value: 'crm-2' },
  },
] satisfies ContactEvent[]) as Party;

describe('export row', () => {
  it('given a party, then its cells in the import columns, the primary email first', () => {
    expect(exportRow(party)).toEqual([
      contactId,
      'crm-2',
      'organization',
      'b2b',
      'Engines, "Analytical"; Ltd',
      'sales@engines.example;info@engines.example',
      '',
      'partner;trade fair',
      '',
      '',
    ]);
  });

  it('given the row written as CSV and read back, then the import reads the same party', () => {
    const [header, fields] = parse(stringify([[...CSV_COLUMNS], exportRow(party)]));
    const parsed = parseRow(parseHeader(header!), { row: 2, fields: fields! });
    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({
        id: contactId,
        externalId: 'crm-2',
        name: 'Engines, "Analytical"; Ltd',
        emails: ['sales@engines.example', 'info@engines.example'],
        tags: ['partner', 'trade fair'],
      }),
    });
  });
});
