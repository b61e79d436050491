import { randomUUID } from 'node:crypto';
import { ContractRegistry } from '../contracts/event-contract';
import { EventCodec, type Revealed } from '../crypto/event-codec';
import { generateDataKey } from '../crypto/personal-data-cipher';
import { InMemorySubjectKeyStore } from '../crypto/subject-key-store.port';
import type { DomainEvent } from '../store/event';
import type { BatchHandler, SubscribeOptions, Subscription } from '../store/event-store.port';
import { InMemoryEventStore } from '../store/in-memory-event-store';
import { InMemoryReadModelStore } from './in-memory-read-model-store';
import type { Projection } from './projection';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner';
import type { CommitOptions, StoredDocument } from './read-model-store.port';
import { TEST_METADATA } from '../testing/test-metadata';
import { testContract } from '../testing/test-contract';

export type ThingCreated = DomainEvent<'ThingCreated', { name: string }>;
export type ThingRenamed = DomainEvent<'ThingRenamed', { name: string }>;
/** Stored in the log but handled by no projection here, and without a contract. */
export type ThingTagged = DomainEvent<'ThingTagged', { tag: string }>;
export type ThingEvent = ThingCreated | ThingRenamed;

export interface ThingDoc {
  readonly thingId: string;
  readonly name: string | null;
  readonly renames: number;
}

/** A projection that tallies the positions it folded and can be told to fail once. */
export function thingsProjection(options: { failOnceOnName?: string } = {}) {
  const evolved: number[] = [];
  let failOnceOnName = options.failOnceOnName;
  const projection: Projection<ThingDoc, ThingEvent> = {
    name: 'things',
    version: 1,
    handles: ['ThingCreated', 'ThingRenamed'],
    // Failing on a name means looking inside a personal value: that needs it revealed.
    ...(options.failOnceOnName ? { personalData: 'revealed' as const } : {}),
    documentId: (event) => event.streamId,
    evolve(doc, event) {
      if (event.data.name === failOnceOnName) {
        failOnceOnName = undefined;
        throw new Error(`cannot fold ${event.data.name} yet`);
      }
      evolved.push(event.position);
      switch (event.type) {
        case 'ThingCreated':
          return { thingId: event.streamId, name: event.data.name, renames: 0 };
        case 'ThingRenamed':
          return doc && { ...doc, name: event.data.name, renames: doc.renames + 1 };
        default: {
          const exhaustive: never = event;
          return exhaustive;
        }
      }
    },
  };
  return { projection, evolved };
}

/** One document counting everything the projection saw. */
export const statsProjection: Projection<{ created: number; renamed: number }, ThingEvent> = {
  name: 'thing_stats',
  version: 1,
  handles: ['ThingCreated', 'ThingRenamed'],
  documentId: () => 'all',
  evolve: (doc, event) => ({
    created: (doc?.created ?? 0) + (event.type === 'ThingCreated' ? 1 : 0),
    renamed: (doc?.renamed ?? 0) + (event.type === 'ThingRenamed' ? 1 : 0),
  }),
};

/** A read-model store whose checkpoint reads can be held, as over a network. */
export class HeldCheckpointReadModelStore extends InMemoryReadModelStore {
  holding = false;
  private readonly held: (() => void)[] = [];

  get heldReads(): number {
    return this.held.length;
  }

  override async checkpoint(key: string): Promise<number> {
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    return super.checkpoint(key);
  }

  release(): void {
    this.holding = false;
    for (const resolve of this.held.splice(0)) resolve();
  }
}

/**
 * Records what the runner asks of it, can hold commits (as over a slow network) and fail
 * the next one, and keeps a copy of what it held after its first commit (where a process
 * that died right then would restart from).
 */
export class RecordingReadModelStore extends InMemoryReadModelStore {
  readonly loads: string[][] = [];
  readonly commits: { ids: string[]; checkpoint: number; catchingUp: boolean }[] = [];
  afterFirstCommit: { docs: StoredDocument<unknown>[]; checkpoint: number } | null = null;
  holding = false;
  failNext: Error | null = null;
  private readonly held: (() => void)[] = [];

  override load<D>(key: string, ids: readonly string[]): Promise<Map<string, StoredDocument<D>>> {
    if (ids.length > 0) this.loads.push([...ids]);
    return super.load<D>(key, ids);
  }

  override async commit(
    key: string,
    changes: readonly StoredDocument<unknown>[],
    checkpoint: number,
    options: CommitOptions = {},
  ): Promise<void> {
    this.commits.push({
      ids: changes.map((c) => c.id),
      checkpoint,
      catchingUp: options.catchingUp ?? false,
    });
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    const failure = this.failNext;
    this.failNext = null;
    if (failure) throw failure;
    await super.commit(key, changes, checkpoint);
    this.afterFirstCommit ??= structuredClone({
      docs: [...(await super.load(key, this.ids(key))).values()],
      checkpoint,
    });
  }

  release(): void {
    this.holding = false;
    for (const resolve of this.held.splice(0)) resolve();
  }

  private ids(key: string): string[] {
    return this.documents<{ thingId: string }>(key).map((doc) => doc.thingId);
  }
}

/** Remembers the positions its subscriptions delivered. */
export class RecordingEventStore extends InMemoryEventStore {
  readonly delivered: number[] = [];

  override subscribe(
    afterPosition: number,
    handler: BatchHandler,
    options?: SubscribeOptions,
  ): Subscription {
    return super.subscribe(
      afterPosition,
      (batch) => {
        this.delivered.push(...batch.map((e) => e.position));
        return handler(batch);
      },
      options,
    );
  }
}

export const created = (name: string): ThingCreated => ({ type: 'ThingCreated', data: { name } });
export const renamed = (name: string): ThingRenamed => ({ type: 'ThingRenamed', data: { name } });
export const tagged = (tag: string): ThingTagged => ({ type: 'ThingTagged', data: { tag } });

/**
 * What each runner spec starts from: an event log, a codec sealing the things' names, a
 * read-model store (replaceable before runners are made) and the runners made, stopped by
 * `stop`.
 */
export class RunnerWorld {
  readonly store = new RecordingEventStore();
  readonly keys = new InMemorySubjectKeyStore(generateDataKey);
  readonly codec = new EventCodec(
    new ContractRegistry([testContract('ThingCreated'), testContract('ThingRenamed')]),
    this.keys,
  );
  readModels: InMemoryReadModelStore = new InMemoryReadModelStore();
  private readonly runners: ProjectionRunner<unknown, ThingEvent>[] = [];

  runner<D>(
    projection: Projection<D, ThingEvent>,
    options: ProjectionRunnerOptions = {},
  ): ProjectionRunner<D, ThingEvent> {
    const created = new ProjectionRunner(this.store, this.codec, this.readModels, projection, {
      batchSize: 2,
      maxRetryDelayMs: 10,
      ...options,
    });
    this.runners.push(created);
    return created;
  }

  /** Appends as a command would (personal data sealed); returns the last position. */
  async append(streamId: string, ...events: (ThingEvent | ThingTagged)[]): Promise<number> {
    const encoded = [];
    for (const event of events) {
      encoded.push({
        id: randomUUID(),
        type: event.type,
        data:
          event.type === 'ThingTagged' ? event.data : await this.codec.encodeData(streamId, event),
        metadata: TEST_METADATA,
      });
    }
    return (await this.store.append(streamId, encoded, 'any')).lastPosition;
  }

  /** The things' documents, revealed as the queries reveal them, in id order. */
  async things(): Promise<Revealed<ThingDoc>[]> {
    return (await this.codec.reveal(this.readModels.documents<ThingDoc>('things_v1'))).sort(
      (a, b) => (a.thingId < b.thingId ? -1 : 1),
    );
  }

  async stop(): Promise<void> {
    for (const runner of this.runners.splice(0)) await runner.stop();
  }
}
