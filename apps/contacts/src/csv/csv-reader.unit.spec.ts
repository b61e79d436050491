import { PayloadTooLarge, ValidationFailed } from '@crm/platform';
import { Readable } from 'node:stream';
import {
  decodeCsv,
  detectDelimiter,
  detectEncoding,
  MAX_RECORD_CHARS,
  readCsvRecords,
  SNIFF_BYTES,
} from './csv-reader';
import type { CsvRecord } from './csv-row';
import { MalformedCsv, UnreadableEncoding, UploadInterrupted } from './import.errors';

async function read(chunks: Buffer[], charset: string | null = null, limit = 10_000_000) {
  const text = await decodeCsv(Readable.from(chunks), charset, limit);
  const records: CsvRecord[] = [];
  for await (const record of readCsvRecords(text)) records.push(record);
  return { encoding: text.encoding, records };
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('CSV encoding', () => {
  it('given a byte-order mark, then it decides, whatever the request declares', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]), 'windows-1252')).toBe('utf-8');
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0]), null)).toBe('utf-16le');
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x61]), null)).toBe('utf-16be');
  });

  it('given no byte-order mark, then the declared charset, else UTF-8', () => {
    expect(detectEncoding(utf8('a,b'), null)).toBe('utf-8');
    expect(detectEncoding(Buffer.from('M\xfcller', 'latin1'), 'ISO-8859-1')).toBe('windows-1252');
    expect(detectEncoding(Buffer.from('a,b', 'utf16le'), 'utf-16le')).toBe('utf-16le');
  });

  it('given bytes that are not what they claim to be, then refuses the file', () => {
    expect(() => detectEncoding(Buffer.from('M\xfcller', 'latin1'), null)).toThrow(
      /not valid UTF-8/,
    );
    expect(() => detectEncoding(Buffer.from('a,b', 'utf16le'), null)).toThrow(
      /UTF-16 without a byte-order mark/,
    );
    expect(() => detectEncoding(utf8('a,b'), 'klingon')).toThrow(UnreadableEncoding);
  });

  it('given a character cut off at the end of the sample, then that is no error', () => {
    expect(detectEncoding(utf8('Zoë').subarray(0, 3), null)).toBe('utf-8');
  });
});

describe('CSV delimiter', () => {
  it('is whichever of comma, semicolon and tab the header line has most, outside quotes', () => {
    expect(detectDelimiter('kind,relationship,name\nx;y;z;w')).toBe(',');
    expect(detectDelimiter('kind;relationship;"a,b,c"\n')).toBe(';');
    expect(detectDelimiter('kind\trelationship\tname')).toBe('\t');
    expect(detectDelimiter('name')).toBe(',');
  });
});

describe('CSV records', () => {
  it('numbers each record by the line it starts on, across quoted line breaks and blank lines', async () => {
    const { records } = await read([utf8('a,b\n1,2\n"multi\nline",3\n\n4,"5"\n')]);
    expect(records).toEqual([
      { row: 1, fields: ['a', 'b'] },
      { row: 2, fields: ['1', '2'] },
      { row: 3, fields: ['multi\nline', '3'] },
      { row: 6, fields: ['4', '5'] },
    ]);
  });

  it('reads a file that arrives in pieces cut anywhere, even inside a character', async () => {
    const bytes = utf8('\uFEFFname;city\nZoë;Köln\n');
    const pieces = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const { encoding, records } = await read(pieces);
    expect(encoding).toBe('utf-8');
    expect(records).toEqual([
      { row: 1, fields: ['name', 'city'] },
      { row: 2, fields: ['Zoë', 'Köln'] },
    ]);
  });

  it('decodes UTF-16 with a byte-order mark and the charset a request names', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('n\nChloé\n', 'utf16le')]);
    expect((await read([utf16])).records[1]).toEqual({ row: 2, fields: ['Chloé'] });
    const latin1 = Buffer.from('n\nJ\xf6rg\n', 'latin1');
    expect((await read([latin1], 'windows-1252')).records[1]).toEqual({ row: 2, fields: ['Jörg'] });
  });

  it('reads stray quotes as text and rejects only a last record whose quote never closes', async () => {
    const { records } = await read([utf8('a,b\nRobert "Bob" Smith,1\n2,"open\n3,4\n')]);
    expect(records).toEqual([
      { row: 1, fields: ['a', 'b'] },
      { row: 2, fields: ['Robert "Bob" Smith', '1'] },
      { row: 3, error: expect.objectContaining({ code: 'malformed-csv' }) },
    ]);
  });

  it('stops at a record longer than the limit (an unclosed quote swallowing the file), keeping what came before', async () => {
    const text = await decodeCsv(
      Readable.from([utf8(`a\nfirst\n"${'x'.repeat(MAX_RECORD_CHARS + 1)}\n`)]),
      null,
      10_000_000,
    );
    const records: CsvRecord[] = [];
    await expect(async () => {
      for await (const record of readCsvRecords(text)) records.push(record);
    }).rejects.toThrow(MalformedCsv);
    expect(records).toEqual([
      { row: 1, fields: ['a'] },
      { row: 2, fields: ['first'] },
    ]);
  });

  it('reports a connection that drops half way as an interrupted upload', async () => {
    const dropped = new Readable({ read: () => undefined });
    dropped.push(Buffer.from(`n\n${'a\n'.repeat(SNIFF_BYTES)}`));
    setImmediate(() => dropped.destroy(new Error('aborted')));
    const text = await decodeCsv(dropped, null, 10_000_000);
    await expect(async () => {
      for await (const _ of readCsvRecords(text));
    }).rejects.toThrow(UploadInterrupted);
  });

  it('refuses an empty file, and stops reading past the limit', async () => {
    await expect(read([])).rejects.toThrow(ValidationFailed);
    const big = Buffer.alloc(SNIFF_BYTES, 'a');
    await expect(read([big, big], null, SNIFF_BYTES + 10)).rejects.toThrow(PayloadTooLarge);
  });
});
