import { SEALED_FIELD } from '../crypto/event-codec';
import { ContractRegistry, type EventContract } from './event-contract';

export interface AsyncApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description: string;
}

/** CloudEvents attributes as Kafka headers (binary content mode), as the relay writes them. */
const HEADERS = {
  type: 'object',
  required: [
    'ce_specversion',
    'ce_id',
    'ce_source',
    'ce_type',
    'ce_subject',
    'ce_time',
    'ce_dataschema',
    'ce_streamrevision',
    'ce_correlationid',
    'ce_actorid',
    'ce_happenedat',
    'ce_recordedat',
    'content-type',
  ],
  properties: {
    ce_specversion: { const: '1.0' },
    ce_id: { type: 'string', format: 'uuid', description: 'event id: deduplicate on it' },
    ce_source: { type: 'string' },
    ce_type: { type: 'string' },
    ce_subject: { type: 'string', description: 'stream id, also the message key' },
    ce_time: { type: 'string', format: 'date-time' },
    ce_dataschema: { type: 'string', format: 'uri' },
    ce_streamrevision: {
      type: 'string',
      pattern: '^[0-9]+$',
      description: '0-based revision within the stream: per-stream order and idempotency',
    },
    ce_correlationid: { type: 'string' },
    ce_causationid: { type: 'string', description: 'absent when the event has no cause' },
    ce_actorid: { type: 'string', description: 'employee who caused the event' },
    ce_actorteam: { type: 'string' },
    ce_happenedat: { type: 'string', format: 'date-time', description: 'business time' },
    ce_recordedat: { type: 'string', format: 'date-time', description: 'server time' },
    'content-type': { const: 'application/json' },
  },
} as const;

type Schema = Record<string, unknown> & {
  properties?: Record<string, unknown>;
  required?: string[];
};

/**
 * The message value as published: the stored data, whose personal fields travel sealed in
 * one member with the subject's key (so erasure reaches every consumer too).
 */
export function publishedPayloadSchema(contract: EventContract): Record<string, unknown> {
  const { $schema: _, ...schema } = contract.schema as Schema;
  if (contract.personalFields.length === 0) return schema;
  const properties: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(schema.properties ?? {})) {
    if (!contract.personalFields.includes(field)) properties[field] = value;
  }
  properties[SEALED_FIELD] = {
    type: 'string',
    pattern: '^v1\\.',
    description: `personal fields ${contract.personalFields.join(', ')}, sealed (AES-256-GCM) with the key of the stream; read them through the owning service's API, which shows null once the subject was erased`,
  };
  return {
    ...schema,
    properties,
    required: [
      ...(schema.required ?? []).filter((field) => !contract.personalFields.includes(field)),
      SEALED_FIELD,
    ],
  };
}

/**
 * AsyncAPI 3.0 document of what a service publishes: one channel per stream category with
 * a topic, one message per event contract (CloudEvents binary mode, key = stream id).
 */
export function asyncApiDocument(
  info: AsyncApiInfo,
  contracts: readonly EventContract[],
  topics: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const [category, topic] of Object.entries(topics)) {
    const published = contracts.filter((contract) => contract.category === category);
    const channelMessages: Record<string, unknown> = {};
    for (const contract of published) {
      channelMessages[contract.type] = { $ref: `#/components/messages/${contract.type}` };
      messages[contract.type] = {
        name: contract.ceType,
        title: contract.type,
        contentType: 'application/json',
        headers: HEADERS,
        payload: publishedPayloadSchema(contract),
        externalDocs: { url: ContractRegistry.schemaId(contract) },
        bindings: {
          kafka: {
            key: { type: 'string', description: `stream id, \`${category}-<id>\`` },
            bindingVersion: '0.5.0',
          },
        },
      };
    }
    channels[category] = {
      address: topic,
      description: `every event of the ${category} streams, in order per stream (message key)`,
      messages: channelMessages,
    };
    operations[`publish_${category}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${category}` },
      messages: published.map((c) => ({ $ref: `#/channels/${category}/messages/${c.type}` })),
    };
  }
  return {
    asyncapi: '3.0.0',
    info,
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
