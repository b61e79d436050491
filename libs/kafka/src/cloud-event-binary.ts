import { type CloudEvent, cloudEventFrom, type RecordedEvent } from '@crm/events';
import type { BusMessage, PublishedForm } from './bus.port';

// CloudEvents Kafka protocol binding, binary content mode: attributes travel as `ce_*`
// headers and the message value is the event data itself, so consumers that only want
// the data (and Kafka tooling) read plain JSON.

/** Raw headers as Kafka clients hand them over. */
export type RawHeaders = Readonly<
  Record<string, Buffer | string | readonly (Buffer | string)[] | undefined>
>;

export const CONTENT_TYPE_HEADER = 'content-type';

/** The attributes carried as `ce_<name>` headers, in a fixed order. */
const ATTRIBUTES = [
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'dataschema',
  'streamrevision',
  'correlationid',
  'causationid',
  'actorid',
  'actorteam',
  'happenedat',
  'recordedat',
] as const satisfies readonly (keyof CloudEvent)[];

/** Optional attributes are absent headers when null (CloudEvents has no null values). */
const OPTIONAL = new Set<string>(['causationid', 'actorteam']);

export class MalformedCloudEventError extends Error {
  override readonly name = 'MalformedCloudEventError';
}

/** The CloudEvent of a stored event, given what its contract says about it. */
export const cloudEventOf = (event: RecordedEvent, form: PublishedForm): CloudEvent =>
  cloudEventFrom(event, form);

export function toBinaryMessage(topic: string, event: CloudEvent): BusMessage {
  const headers: Record<string, string> = {};
  for (const name of ATTRIBUTES) {
    const value = event[name];
    if (value !== null) headers[`ce_${name}`] = String(value);
  }
  headers[CONTENT_TYPE_HEADER] = event.datacontenttype;
  return { topic, key: event.subject, headers, value: JSON.stringify(event.data) };
}

/** Reads a binary-mode message back; throws MalformedCloudEventError when it is not one. */
export function fromBinaryMessage(headers: RawHeaders, value: Buffer | null): CloudEvent {
  const text = headerText(headers);
  const attributes: Record<string, string | null> = {};
  for (const name of ATTRIBUTES) {
    const found = text(`ce_${name}`);
    if (found === undefined && !OPTIONAL.has(name)) {
      throw new MalformedCloudEventError(`missing header ce_${name}`);
    }
    attributes[name] = found ?? null;
  }
  if (attributes['specversion'] !== '1.0') {
    throw new MalformedCloudEventError(
      `unsupported specversion ${String(attributes['specversion'])}`,
    );
  }
  const contentType = text(CONTENT_TYPE_HEADER);
  if (contentType !== 'application/json') {
    throw new MalformedCloudEventError(`unsupported content-type ${String(contentType)}`);
  }
  const revision = Number(attributes['streamrevision']);
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new MalformedCloudEventError(
      `bad ce_streamrevision ${String(attributes['streamrevision'])}`,
    );
  }
  return {
    ...(attributes as Record<(typeof ATTRIBUTES)[number], string>),
    specversion: '1.0',
    datacontenttype: 'application/json',
    streamrevision: revision,
    causationid: attributes['causationid'] ?? null,
    actorteam: attributes['actorteam'] ?? null,
    data: parseData(value),
  };
}

function parseData(value: Buffer | null): unknown {
  if (value === null) throw new MalformedCloudEventError('message has no value');
  try {
    return JSON.parse(value.toString('utf8')) as unknown;
  } catch (error) {
    throw new MalformedCloudEventError(`value is not JSON: ${String(error)}`);
  }
}

/** Header lookup as text; a repeated header counts by its last value, as Kafka's does. */
export function headerText(headers: RawHeaders): (name: string) => string | undefined {
  return (name) => {
    const raw = headers[name];
    const last: Buffer | string | undefined = isList(raw) ? raw[raw.length - 1] : raw;
    return last?.toString();
  };
}

function isList<T>(value: T | readonly T[]): value is readonly T[] {
  return Array.isArray(value);
}
