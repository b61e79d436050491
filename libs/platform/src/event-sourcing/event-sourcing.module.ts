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
  type DomainEvent,
  EventCodec,
  type EventContract,
  type EventStore,
  type Projection,
  ProjectionRunner,
  type ReadModelStore,
  type SubjectKeyStore,
} from '@crm/events';
import { openEventStore, openReadModelStore, openSubjectKeyStore } from './adapters';
import { CATEGORY_TOPICS, type CategoryTopics, KafkaRelayHost } from './kafka-relay';
import { EVENT_STORE, READ_MODELS, SUBJECT_KEYS } from './tokens';
import { SERVICE_CONFIG } from '../config/tokens';
import type { ServiceConfig } from '../config/service-config';
import { Readiness } from '../health/health.controller';
import { Metrics } from '../metrics/metrics';

export { EVENT_STORE, READ_MODELS, SUBJECT_KEYS } from './tokens';

/** Starts, stops and reports every read model of the service. */
@Injectable()
export class Projections implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private readonly runners: ProjectionRunner<unknown>[] = [];

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SUBJECT_KEYS) private readonly keys: SubjectKeyStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    private readonly codec: EventCodec,
    private readonly metrics: Metrics,
    readiness: Readiness,
  ) {
    readiness.register('event-store', async () => {
      await this.store.headPosition();
      return null;
    });
  }

  register<D, E extends DomainEvent>(projection: Projection<D, E>): ProjectionRunner<D, E> {
    const runner = new ProjectionRunner(this.store, this.codec, this.readModels, projection, {
      onError: (error, readModel) =>
        this.logger.error(
          `read model ${readModel}: batch failed, retrying: ${error instanceof Error ? error.message : String(error)}`,
          error instanceof Error ? error.stack : undefined,
        ),
    });
    this.runners.push(runner);
    this.metrics.readModelPositions.set(runner.key, () => runner.position);
    return runner;
  }

  /** Every registered read model's runner: to rebuild them all, or look a document up in each. */
  all(): readonly ProjectionRunner<unknown>[] {
    return this.runners;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.metrics.storeHead = () => this.store.headPosition();
    for (const runner of this.runners) await runner.start();
  }

  async onModuleDestroy(): Promise<void> {
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
