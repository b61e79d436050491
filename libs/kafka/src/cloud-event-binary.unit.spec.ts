import {
  CONTACT_EVENT_CONTRACTS,
  ContractRegistry,
  type DecodedEvent,
  type RecordedEvent,
  toCloudEvent,
} from '@crm/events';
import {
  cloudEventOf,
  fromBinaryMessage,
  MalformedCloudEventError,
  toBinaryMessage,
} from './cloud-event-binary';
import { describeByContract } from './testing';

const recorded: RecordedEvent = {
  id: '0b8a3f5e-7c1d-4e2a-9f00-5d6c7b8a9e01',
  streamId: 'contact-1c9e6e8a-2f4b-4b7a-9d3e-5a6b7c8d9e0f',
  revision: 3,
  position: 42,
  type: 'ContactRenamed',
  data: { contactId: '1c9e6e8a-2f4b-4b7a-9d3e-5a6b7c8d9e0f', name: 'Zoë' },
  metadata: {
    happenedAt: '2026-01-01T09:00:00.000Z',
    recordedAt: '2026-01-01T09:00:01.000Z',
    correlationId: 'correlation-1',
    causationId: null,
    actorId: 'employee-1',
    actorTeam: null,
  },
};

const asBuffer = (value: string | Buffer) =>
  typeof value === 'string' ? Buffer.from(value) : value;

describe('CloudEvents binary mode', () => {
  it('given a stored event, then its message has ce_* headers, a JSON content type, the data as value and the stream id as key', () => {
    const message = toBinaryMessage(
      'crm.contacts.contact.v1',
      cloudEventOf(recorded, describeByContract(recorded)),
    );

    expect(message.key).toBe(recorded.streamId);
    expect(JSON.parse(String(message.value))).toEqual(recorded.data);
    expect(message.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: recorded.id,
      ce_source: '/crm/contacts',
      ce_type: 'crm.contacts.contact-renamed.v1',
      ce_subject: recorded.streamId,
      ce_time: '2026-01-01T09:00:01.000Z',
      ce_dataschema: 'https://schemas.quick-sales-crm.dev/crm.contacts.contact-renamed.v1.json',
      ce_streamrevision: '3',
      ce_correlationid: 'correlation-1',
      ce_actorid: 'employee-1',
      ce_happenedat: '2026-01-01T09:00:00.000Z',
      ce_recordedat: '2026-01-01T09:00:01.000Z',
      'content-type': 'application/json',
    });
  });

  it('given a message, when read back, then it is the structured CloudEvent of the contract (null extensions included)', () => {
    const message = toBinaryMessage('t', cloudEventOf(recorded, describeByContract(recorded)));
    const contract = new ContractRegistry(CONTACT_EVENT_CONTRACTS).get(recorded.type);
    const decoded = { ...recorded, erased: false } as unknown as DecodedEvent;

    expect(fromBinaryMessage(message.headers, asBuffer(message.value))).toEqual(
      toCloudEvent(decoded, contract),
    );
  });

  it('given headers as Kafka delivers them (buffers, repeated), then the last value counts', () => {
    const message = toBinaryMessage('t', cloudEventOf(recorded, describeByContract(recorded)));
    const headers = Object.fromEntries(
      Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)]),
    );

    const event = fromBinaryMessage(
      { ...headers, ce_actorid: [Buffer.from('old'), Buffer.from('employee-2')] },
      asBuffer(message.value),
    );

    expect(event.actorid).toBe('employee-2');
  });

  it.each([
    ['a missing attribute', { ce_id: undefined }, '{}', 'missing header ce_id'],
    ['another spec version', { ce_specversion: '0.3' }, '{}', 'unsupported specversion'],
    ['a non-JSON content type', { 'content-type': 'text/plain' }, '{}', 'unsupported content-type'],
    ['a bad revision', { ce_streamrevision: 'x' }, '{}', 'bad ce_streamrevision'],
    ['a value that is not JSON', {}, '{nope', 'value is not JSON'],
  ])('given %s, then reading it fails as malformed', (_, change, value, reason) => {
    const message = toBinaryMessage('t', cloudEventOf(recorded, describeByContract(recorded)));

    const read = () => fromBinaryMessage({ ...message.headers, ...change }, Buffer.from(value));

    expect(read).toThrow(MalformedCloudEventError);
    expect(read).toThrow(reason);
  });
});
