import { randomUUID } from 'node:crypto';
import { newEvent } from '@crm/events/testing';
import {
  CONTACT_EVENT_CONTRACTS,
  ContractRegistry,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '@crm/events';
import type { PublishedForm } from '../bus.port';

const contracts = new ContractRegistry(CONTACT_EVENT_CONTRACTS);

/** What the integrator's describe function does: contract names, data as stored. */
export function describeByContract(event: RecordedEvent): PublishedForm {
  const contract = contracts.get(event.type);
  return {
    type: contract.ceType,
    source: contract.source,
    dataschema: ContractRegistry.schemaId(contract),
    data: event.data,
  };
}

const contactEvent = (type: string, data: unknown): NewEvent => newEvent(type, data);

/**
 * Appends `perStream` events to each of `streams` new contact streams, interleaved (one
 * event per stream per round) so global order and per-stream order differ.
 */
export async function appendContacts(
  store: EventStore,
  streams: number,
  perStream: number,
): Promise<string[]> {
  const ids = Array.from({ length: streams }, () => randomUUID());
  for (let revision = 0; revision < perStream; revision++) {
    for (const contactId of ids) {
      const event =
        revision === 0
          ? contactEvent('ContactRegistered', {
              contactId,
              kind: 'person',
              relationship: 'b2c',
              name: 'Ada',
              primaryEmail: null,
              primaryPhone: null,
            })
          : contactEvent('ContactRenamed', { contactId, name: `Ada ${String(revision)}` });
      await store.append(
        `contact-${contactId}`,
        [event],
        revision === 0 ? 'no_stream' : revision - 1,
      );
    }
  }
  return ids.map((id) => `contact-${id}`);
}

/** Appends more events to existing streams, continuing their revisions. */
export async function appendRenames(
  store: EventStore,
  streamIds: readonly string[],
  count: number,
) {
  for (let round = 0; round < count; round++) {
    for (const streamId of streamIds) {
      const contactId = streamId.slice('contact-'.length);
      const event = contactEvent('ContactRenamed', { contactId, name: `Ada r${String(round)}` });
      await store.append(streamId, [event], 'any');
    }
  }
}
