import { PayloadTooLarge, ValidationFailed } from '@crm/platform';
import { type CsvError, parse } from 'csv-parse';
import type { CsvRecord } from './csv-row';
import { MalformedCsv, UnreadableEncoding, UploadInterrupted } from './import.errors';

/** How much of the file is checked for its encoding before anything is imported. */
export const SNIFF_BYTES = 64 * 1024;
/** A record longer than this is a quote that never closes, not data. */
export const MAX_RECORD_CHARS = 1024 * 1024;

const startsWith = (bytes: Buffer, ...prefix: number[]) =>
  prefix.every((byte, i) => bytes[i] === byte);

/**
 * The encoding to decode the file with: a byte-order mark wins (as in the WHATWG encoding
 * standard), else the charset the request declares, else UTF-8. Files that are evidently
 * not in that encoding are refused before a single row is imported.
 */
export function detectEncoding(head: Buffer, declared: string | null): string {
  if (startsWith(head, 0xef, 0xbb, 0xbf)) return 'utf-8';
  if (startsWith(head, 0xff, 0xfe)) return 'utf-16le';
  if (startsWith(head, 0xfe, 0xff)) return 'utf-16be';
  const label = declared ?? 'utf-8';
  let encoding: string;
  try {
    encoding = new TextDecoder(label).encoding;
  } catch {
    throw new UnreadableEncoding(`the charset ${label} is not supported; send UTF-8`);
  }
  if (encoding.startsWith('utf-16')) return encoding;
  if (head.includes(0)) {
    throw new UnreadableEncoding(
      'the file has NUL bytes: it looks like UTF-16 without a byte-order mark; save it as UTF-8 (or UTF-16 with a byte-order mark)',
    );
  }
  if (encoding === 'utf-8') {
    try {
      // stream: an incomplete character cut off at the end of the sample is no error.
      new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    } catch {
      throw new UnreadableEncoding(
        'the file is not valid UTF-8; save it as UTF-8, or name its charset (text/csv; charset=windows-1252)',
      );
    }
  }
  return encoding;
}

/** The field separator: whichever of `,`, `;` and tab the header line (outside quotes) has most. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}

export interface CsvText {
  readonly encoding: string;
  readonly chunks: AsyncGenerator<string>;
}

/**
 * Decodes the body as it streams in, never holding more than a chunk: the first
 * SNIFF_BYTES decide the encoding, the rest follows. Past `limitBytes` reading stops.
 */
export async function decodeCsv(
  body: AsyncIterable<Buffer>,
  declaredCharset: string | null,
  limitBytes: number,
): Promise<CsvText> {
  const iterator = body[Symbol.asyncIterator]();
  let bytes = 0;
  const next = async (): Promise<Buffer | null> => {
    let step: IteratorResult<Buffer>;
    try {
      step = await iterator.next();
    } catch {
      throw new UploadInterrupted('the connection closed before the end of the file');
    }
    if (step.done) return null;
    bytes += step.value.length;
    if (bytes > limitBytes) throw new PayloadTooLarge(`the file exceeds ${limitBytes} bytes`);
    return step.value;
  };
  const sample: Buffer[] = [];
  let sampled = 0;
  for (let chunk = await next(); chunk; chunk = sampled < SNIFF_BYTES ? await next() : null) {
    sample.push(chunk);
    sampled += chunk.length;
  }
  const head = Buffer.concat(sample);
  if (head.length === 0) {
    throw new ValidationFailed([
      { field: 'body', message: 'the file is empty; it needs a header row' },
    ]);
  }
  // Exactly the first SNIFF_BYTES, whatever the sizes of the chunks that brought them.
  const encoding = detectEncoding(head.subarray(0, SNIFF_BYTES), declaredCharset);
  const decoder = new TextDecoder(encoding);
  async function* chunks(): AsyncGenerator<string> {
    yield decoder.decode(head, { stream: true });
    if (sampled >= SNIFF_BYTES) {
      for (let chunk = await next(); chunk; chunk = await next()) {
        yield decoder.decode(chunk, { stream: true });
      }
    }
    yield decoder.decode();
  }
  return { encoding, chunks: chunks() };
}

const newlines = (fields: readonly string[]): number =>
  fields.reduce((sum, field) => sum + (field.split('\n').length - 1), 0);

function malformed(error: CsvError, line: number): MalformedCsv {
  return new MalformedCsv(
    error.code === 'CSV_MAX_RECORD_SIZE'
      ? `the record at line ${line} is longer than ${MAX_RECORD_CHARS} characters: a quote is probably not closed`
      : `the file cannot be read as CSV from line ${line} on (${error.code})`,
  );
}

/**
 * The records of the file in order, each with the line it starts on (the header is row 1).
 * csv-parse does the parsing; records are taken off it as it parses, so none is lost when a
 * later part of the file turns out to be broken. Stray quotes are read as text; a quote left
 * open at the end of the file rejects that last record; anything worse stops the reading.
 */
export async function* readCsvRecords(text: CsvText): AsyncGenerator<CsvRecord> {
  const parsed: CsvRecord[] = [];
  const state: { lastLine: number; failure: CsvError | null } = { lastLine: 0, failure: null };
  let parser: ReturnType<typeof parse> | null = null;
  const write = (chunk: string | null) =>
    new Promise<void>((resolve) => {
      const done = (error?: Error | null) => {
        if (error) state.failure ??= error as CsvError;
        resolve();
      };
      if (!parser) resolve();
      else if (chunk === null) parser.end(done);
      else parser.write(chunk, done);
    });
  for await (const chunk of text.chunks) {
    if (chunk === '') continue;
    parser ??= csvParser(detectDelimiter(chunk), parsed, state);
    await write(chunk);
    yield* parsed.splice(0);
    if (state.failure) throw malformed(state.failure, state.lastLine + 1);
  }
  await write(null);
  yield* parsed.splice(0);
  if (!state.failure) return;
  if (state.failure.code !== 'CSV_QUOTE_NOT_CLOSED') {
    throw malformed(state.failure, state.lastLine + 1);
  }
  yield {
    row: state.lastLine + 1,
    error: {
      code: 'malformed-csv',
      field: null,
      message: 'a quoted field opened in this record is never closed',
    },
  };
}

function csvParser(
  delimiter: string,
  parsed: CsvRecord[],
  state: { lastLine: number; failure: CsvError | null },
) {
  const parser = parse({
    delimiter,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
    // Records are taken here, in parse order, rather than from the stream, which drops
    // what it still buffers when a later error destroys it.
    on_record: (fields: string[], info) => {
      parsed.push({ row: info.lines - newlines(fields), fields });
      state.lastLine = info.lines;
      return null;
    },
  });
  parser.on('error', (error: CsvError) => (state.failure ??= error));
  return parser;
}
