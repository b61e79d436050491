import type { DecodedEvent } from '../store/event';
import { ContractRegistry, type EventContract } from './event-contract';

/** CloudEvents 1.0 structured form of an event, with our extension attributes. */
export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly dataschema: string;
  readonly streamrevision: number;
  readonly correlationid: string;
  readonly causationid: string | null;
  readonly actorid: string;
  readonly actorteam: string | null;
  readonly happenedat: string;
  readonly recordedat: string;
  readonly data: unknown;
}

/** What a contract adds to a stored event to make it a published CloudEvent. */
export interface PublishedForm {
  /** CloudEvents `type`, e.g. `crm.contacts.contact-registered.v1`. */
  readonly type: string;
  readonly source: string;
  readonly dataschema: string;
  /** The data as downstream services may read it. */
  readonly data: unknown;
}

/** The CloudEvent of a stored event in the form its contract publishes. */
export function cloudEventFrom(
  event: Omit<DecodedEvent, 'type' | 'data' | 'erased'>,
  form: PublishedForm,
): CloudEvent {
  const { metadata } = event;
  return {
    specversion: '1.0',
    id: event.id,
    source: form.source,
    type: form.type,
    subject: event.streamId,
    time: metadata.recordedAt,
    datacontenttype: 'application/json',
    dataschema: form.dataschema,
    streamrevision: event.revision,
    correlationid: metadata.correlationId,
    causationid: metadata.causationId,
    actorid: metadata.actorId,
    actorteam: metadata.actorTeam,
    happenedat: metadata.happenedAt,
    recordedat: metadata.recordedAt,
    data: form.data,
  };
}

export function toCloudEvent(event: DecodedEvent, contract: EventContract): CloudEvent {
  return cloudEventFrom(event, {
    type: contract.ceType,
    source: contract.source,
    dataschema: ContractRegistry.schemaId(contract),
    data: event.data,
  });
}
