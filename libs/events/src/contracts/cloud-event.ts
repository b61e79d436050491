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

export function toCloudEvent(event: DecodedEvent, contract: EventContract): CloudEvent {
  const { metadata } = event;
  return {
    specversion: '1.0',
    id: event.id,
    source: contract.source,
    type: contract.ceType,
    subject: event.streamId,
    time: metadata.recordedAt,
    datacontenttype: 'application/json',
    dataschema: ContractRegistry.schemaId(contract),
    streamrevision: event.revision,
    correlationid: metadata.correlationId,
    causationid: metadata.causationId,
    actorid: metadata.actorId,
    actorteam: metadata.actorTeam,
    happenedat: metadata.happenedAt,
    recordedat: metadata.recordedAt,
    data: event.data,
  };
}
