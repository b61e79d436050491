import { ValidationFailed } from '@crm/platform';
import { CSV_COLUMNS, parseHeader } from './csv-columns';
import { type CsvRecord, parseRow } from './csv-row';

const header = parseHeader([
  'id',
  'External ID',
  'kind',
  'relationship',
  'name',
  'email',
  'phones',
  'tags',
  'stage',
  'owner',
]);
const record = (fields: string[], row = 2): CsvRecord => ({ row, fields });
const ada = [
  '',
  ' crm-1 ',
  'person',
  'b2c',
  ' Ada Lovelace ',
  'Ada@Example.com; ada.king@example.org;',
  '+44 20 7946 0958',
  'VIP;  Trade   Fair ;vip',
  'lead',
  '',
];

describe('CSV header', () => {
  it('given our column names and their usual variants, then maps them in file order', () => {
    expect(header.columns).toEqual(CSV_COLUMNS);
  });

  it('given unknown, repeated or missing columns, then refuses the file with every problem', () => {
    const refuse = (fields: string[]) => {
      try {
        parseHeader(fields);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationFailed);
        return (error as ValidationFailed).errors;
      }
      throw new Error('accepted');
    };
    expect(refuse(['kind', 'relationship', 'name', 'emial', 'email', 'emails'])).toEqual([
      { field: 'header[4]', message: expect.stringMatching(/^unknown column/) },
      { field: 'header[6]', message: 'column emails appears twice' },
    ]);
    expect(refuse(['name'])).toEqual([
      { field: 'header', message: 'the column kind is required' },
      { field: 'header', message: 'the column relationship is required' },
    ]);
  });
});

describe('CSV row', () => {
  it('given a valid row, then trims and normalizes it the way the API does', () => {
    expect(parseRow(header, record(ada))).toEqual({
      ok: true,
      value: {
        row: 2,
        id: null,
        externalId: 'crm-1',
        kind: 'person',
        relationship: 'b2c',
        name: 'Ada Lovelace',
        emails: ['ada@example.com', 'ada.king@example.org'],
        phones: ['+442079460958'],
        tags: ['vip', 'trade fair'],
        stage: 'lead',
        owner: null,
      },
    });
  });

  it('given a row with several invalid fields, then reports each, naming the column but not the value', () => {
    const parsed = parseRow(
      header,
      record([
        'nope',
        '',
        'robot',
        '',
        'X',
        'a@b;not-an-email',
        '0301234',
        'ok;#bad',
        'churned',
        '',
      ]),
    );
    expect(parsed).toEqual({
      ok: false,
      row: 2,
      errors: [
        { code: 'invalid-field', field: 'id', message: 'must be a contact id (UUID)' },
        { code: 'invalid-field', field: 'relationship', message: 'is required' },
        {
          code: 'invalid-field',
          field: 'kind',
          message: 'must be one of person, organization, internal-unit',
        },
        {
          code: 'invalid-field',
          field: 'stage',
          message: 'must be one of lead, prospect, customer, inactive',
        },
        expect.objectContaining({ field: 'emails' }),
        expect.objectContaining({ field: 'phones' }),
        expect.objectContaining({ field: 'tags' }),
      ],
    });
    expect(JSON.stringify(parsed)).not.toMatch(/robot|churned|not-an-email|0301234|#bad/);
  });

  it('given too few or too many fields, then rejects the row as a whole', () => {
    expect(parseRow(header, record(['person', 'b2c']))).toEqual({
      ok: false,
      row: 2,
      errors: [
        { code: 'wrong-column-count', field: null, message: 'expected 10 columns, found 2' },
      ],
    });
  });

  it('given a field with a replacement character (bytes not valid in the encoding), then rejects the row', () => {
    const fields = [...ada];
    fields[4] = 'Andr\uFFFD';
    expect(parseRow(header, record(fields))).toMatchObject({
      ok: false,
      errors: [{ code: 'invalid-encoding', field: null }],
    });
  });

  it('given a record the reader could not read, then passes its error on', () => {
    const error = { code: 'malformed-csv', field: null, message: 'a quote never closes' };
    expect(parseRow(header, { row: 7, error })).toEqual({ ok: false, row: 7, errors: [error] });
  });

  it('given values over the limits of the contract, then rejects them', () => {
    const fields = [...ada];
    fields[4] = 'x'.repeat(201);
    fields[7] = Array.from({ length: 51 }, (_, i) => `t${i}`).join(';');
    fields[9] = 'o'.repeat(201);
    const parsed = parseRow(header, record(fields));
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.field)).toEqual(['name', 'tags', 'owner']);
  });
});
