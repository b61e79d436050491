import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  CommandHandler,
  ContractRegistry,
  definitionOf,
  type DomainEvent,
  EventCodec,
  type EventContract,
  type EventStore,
  type Projection,
  projectionKey,
  ProjectionRunner,
  type ReadModelDefinition,
  type ReadModelProgress,
  type ReadModelStore,
  type SubjectKeyStore,
} from '@crm/events';
import { openEventStore, openReadModelStore, openSubjectKeyStore } from './adapters';
import { CATEGORY_TOPICS, type CategoryTopics, KafkaRelayHost } from './kafka-relay';
import {
  isProjectionThread,
  ProjectionThread,
  ReadModelInThread,
  reportForgotten,
  reportProgress,
} from './projection-thread';
import { EVENT_STORE, READ_MODELS, SUBJECT_KEYS } from './tokens';
import { SERVICE_CONFIG } from '../config/tokens';
import type { ServiceConfig } from '../config/service-config';
import { Readiness } from '../health/health.controller';
import { Metrics } from '../metrics/metrics';

export { EVENT_STORE, READ_MODELS, SUBJECT_KEYS } from './tokens';

/**
 * Starts, stops and reports every read model of the service: in this thread, or, after
 * `runInThread`, in the projection thread, whose progress this thread then follows.
 */
@Injectable()
export class Projections implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private readonly runners: ProjectionRunner<unknown>[] = [];
  /** The service's main script, set when the read models run in the projection thread. */
  private threadEntry: string | null = null;
  private readonly inThread = new Map<
    string,
    { readonly definition: ReadModelDefinition; readonly progress: ReadModelInThread }
  >();
  private thread: ProjectionThread | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SUBJECT_KEYS) private readonly keys: SubjectKeyStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    private readonly codec: EventCodec,
    private readonly metrics: Metrics,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    readiness: Readiness,
  ) {
    readiness.register('event-store', async () => {
      await this.store.headPosition();
      return null;
    });
    // Keys destroyed in the projection thread (its ContactErasedConsumer, say) are forgotten
    // by the HTTP thread's codec too.
    if (isProjectionThread()) codec.onForget(reportForgotten);
    readiness.register('read-models', () =>
      Promise.resolve(
        this.thread && !this.thread.running ? 'the projection thread has stopped' : null,
      ),
    );
  }

  /**
   * From now on read models run in a worker thread that starts `entry`, the service's main
   * script, in the projection role (see projection-thread.ts). Before any is registered.
   */
  runInThread(entry: string): void {
    if (this.runners.length > 0) throw new Error('read models were registered to run here');
    this.threadEntry = entry;
  }

  register<D, E extends DomainEvent>(projection: Projection<D, E>): ReadModelProgress {
    const key = projectionKey(projection);
    if (this.threadEntry !== null) {
      const progress = new ReadModelInThread(key);
      this.inThread.set(key, { definition: definitionOf(projection), progress });
      this.metrics.readModelPositions.set(key, () => progress.position);
      return progress;
    }
    const runner = new ProjectionRunner(this.store, this.codec, this.readModels, projection, {
      batchDelayMs: this.config.projectionBatchDelayMs,
      onError: (error, readModel) =>
        this.logger.error(
          `read model ${readModel}: batch failed, retrying: ${error instanceof Error ? error.message : String(error)}`,
          error instanceof Error ? error.stack : undefined,
        ),
      // In the projection thread, the main thread's waiters follow the runner.
      ...(isProjectionThread() && {
        onProgress: (position: number) => reportProgress(key, position),
      }),
    });
    this.runners.push(runner);
    this.metrics.readModelPositions.set(runner.key, () => runner.position);
    return runner;
  }

  /**
   * Whether the read models fold in this thread: where the other followers of the log that
   * go with them run too (one per service process).
   */
  get foldHere(): boolean {
    return this.threadEntry === null;
  }

  /** Drops every read model and folds the whole log again, wherever the runners are. */
  async rebuildAll(): Promise<void> {
    if (this.thread) return this.thread.rebuild();
    for (const runner of this.runners) await runner.rebuild();
  }

  /** Every registered read model: to wait for them all, or look a document up in each. */
  all(): readonly ReadModelProgress[] {
    return this.threadEntry === null
      ? this.runners
      : [...this.inThread.values()].map(({ progress }) => progress);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.metrics.storeHead = () => this.store.headPosition();
    if (this.threadEntry === null) {
      for (const runner of this.runners) await runner.start();
      return;
    }
    // This thread queries the read models: its store learns their indexes and side tables,
    // and creates them before the projection thread writes.
    for (const { definition } of this.inThread.values()) await this.readModels.ensure(definition);
    const progress = new Map([...this.inThread].map(([key, { progress }]) => [key, progress]));
    this.thread = await ProjectionThread.start(
      this.threadEntry,
      progress,
      {
        forgot: (subject) => this.codec.forget(subject),
        failed: (error) =>
          this.logger.error(`the projection thread stopped: ${error.message}`, error.stack),
      },
      this.config.projectionYoungGenerationMb,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.thread?.stop();
    for (const runner of this.runners) await runner.stop();
  }

  /** Stores close last, after the HTTP server finished its requests and the runners stopped. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.keys.close();
    await this.readModels.close();
  }
}

@Global()
@Module({})
export class EventSourcingModule {
  /** `topics`: the Kafka topic of each stream category the service publishes (BUS=kafka). */
  static forRoot(contracts: readonly EventContract[], topics: CategoryTopics = {}): DynamicModule {
    return {
      module: EventSourcingModule,
      providers: [
        {
          provide: EVENT_STORE,
          inject: [SERVICE_CONFIG],
          useFactory: (config: ServiceConfig) => openEventStore(config),
        },
        {
          provide: SUBJECT_KEYS,
          inject: [SERVICE_CONFIG],
          useFactory: (config: ServiceConfig) => openSubjectKeyStore(config),
        },
        {
          provide: READ_MODELS,
          inject: [SERVICE_CONFIG],
          useFactory: (config: ServiceConfig) => openReadModelStore(config),
        },
        { provide: ContractRegistry, useValue: new ContractRegistry(contracts) },
        {
          provide: EventCodec,
          inject: [ContractRegistry, SUBJECT_KEYS],
          useFactory: (registry: ContractRegistry, keys: SubjectKeyStore) =>
            new EventCodec(registry, keys),
        },
        {
          provide: CommandHandler,
          inject: [EVENT_STORE, EventCodec, Metrics],
          useFactory: (store: EventStore, codec: EventCodec, metrics: Metrics) =>
            new CommandHandler(
              store,
              codec,
              () => new Date(),
              (events) => {
                for (const event of events) metrics.eventsAppended.inc({ type: event.type });
              },
            ),
        },
        Projections,
        { provide: CATEGORY_TOPICS, useValue: topics },
        KafkaRelayHost,
      ],
      exports: [
        EVENT_STORE,
        SUBJECT_KEYS,
        READ_MODELS,
        ContractRegistry,
        EventCodec,
        CommandHandler,
        Projections,
        { provide: CATEGORY_TOPICS, useValue: topics },
        KafkaRelayHost,
      ],
    };
  }
}
