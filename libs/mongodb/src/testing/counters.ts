import {
  ContractRegistry,
  type DomainEvent,
  EventCodec,
  generateDataKey,
  InMemoryEventStore,
  InMemorySubjectKeyStore,
  type Projection,
  ProjectionRunner,
  type ReadModelStore,
} from '@crm/events';
import { randomUUID } from 'node:crypto';

/* A small counter projection over an in-memory log, to run ProjectionRunner on a real store. */

export type CounterOpened = DomainEvent<'CounterOpened', { owner: string }>;
export type CounterIncremented = DomainEvent<'CounterIncremented', { by: number }>;
export type CounterClosed = DomainEvent<'CounterClosed', { reason: string }>;
export type CounterEvent = CounterOpened | CounterIncremented | CounterClosed;

export interface Counter {
  readonly counterId: string;
  readonly owner: string | null;
  readonly count: number;
}

export const opened = (owner: string): CounterOpened => ({
  type: 'CounterOpened',
  data: { owner },
});
export const incremented = (by: number): CounterIncremented => ({
  type: 'CounterIncremented',
  data: { by },
});
export const closed: CounterClosed = { type: 'CounterClosed', data: { reason: 'done' } };

/** Counts per stream; `evolved` tallies the positions folded, to see what was re-applied. */
export function counters(version = 1) {
  const evolved: number[] = [];
  const projection: Projection<Counter, CounterEvent> = {
    name: 'counters',
    version,
    handles: ['CounterOpened', 'CounterIncremented', 'CounterClosed'],
    indexes: ['owner'],
    // Queried by owner, a personal field: it must be stored revealed to be matched.
    personalData: 'revealed',
    documentId: (event) => event.streamId,
    evolve(doc, event) {
      evolved.push(event.position);
      switch (event.type) {
        case 'CounterOpened':
          return { counterId: event.streamId, owner: event.data.owner, count: 0 };
        case 'CounterIncremented':
          return doc && { ...doc, count: doc.count + event.data.by };
        case 'CounterClosed':
          return null;
        default: {
          const exhaustive: never = event;
          return exhaustive;
        }
      }
    },
  };
  return { projection, evolved };
}

const contracts = new ContractRegistry(
  ['CounterOpened', 'CounterIncremented', 'CounterClosed'].map((type) => ({
    type,
    ceType: `crm.test.${type.toLowerCase()}.v1`,
    source: '/crm/test',
    schema: { type: 'object' },
    // The owner is personal: the runner decodes sealed data, as in production.
    personalFields: type === 'CounterOpened' ? ['owner'] : [],
  })),
);

/** The log the runners read, and the runners made on it (stopped by `stopRunners`). */
export class CounterLog {
  readonly events = new InMemoryEventStore();
  readonly codec = new EventCodec(contracts, new InMemorySubjectKeyStore(generateDataKey));
  private readonly runners: ProjectionRunner<Counter, CounterEvent>[] = [];

  runner(
    readModels: ReadModelStore,
    projection: Projection<Counter, CounterEvent>,
  ): ProjectionRunner<Counter, CounterEvent> {
    const created = new ProjectionRunner(this.events, this.codec, readModels, projection, {
      batchSize: 3,
      maxRetryDelayMs: 20,
    });
    this.runners.push(created);
    return created;
  }

  async stopRunners(): Promise<void> {
    for (const runner of this.runners.splice(0)) await runner.stop();
  }

  /** Appends as a command would (personal data sealed); returns the last position. */
  async append(streamId: string, ...domainEvents: CounterEvent[]): Promise<number> {
    const at = '2026-01-01T09:00:00.000Z';
    const encoded = [];
    for (const event of domainEvents) {
      encoded.push({
        id: randomUUID(),
        type: event.type,
        data: await this.codec.encodeData(streamId, event),
        metadata: {
          happenedAt: at,
          recordedAt: at,
          correlationId: randomUUID(),
          causationId: null,
          actorId: 'employee-1',
          actorTeam: 'sales',
        },
      });
    }
    return (await this.events.append(streamId, encoded, 'any')).lastPosition;
  }

  /** counter-a at 5 and counter-b at 5 (owners ann, bob); counter-c opened then closed. */
  async history(): Promise<number> {
    await this.append('counter-a', opened('ann'), incremented(2));
    await this.append('counter-b', opened('bob'), incremented(5));
    await this.append('counter-a', incremented(3));
    await this.append('counter-c', opened('ann'), incremented(1));
    return this.append('counter-c', closed);
  }
}
