import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ContractRegistry, type EventStore, type ReadModelStore } from '@crm/events';
import { EventRelay, KafkaPublisher, ensureTopics, type RelayCheckpointStore } from '@crm/kafka';
import type { ServiceConfig } from '../config/service-config';
import { SERVICE_CONFIG } from '../config/tokens';
import { EVENT_STORE, READ_MODELS } from './tokens';

/** Topic of each stream category this service publishes (`contact` → `crm.contacts.contact.v1`). */
export const CATEGORY_TOPICS = Symbol('CategoryTopics');
export type CategoryTopics = Readonly<Record<string, string>>;

const RELAY_KEY = 'relay_kafka';

/** The relay's checkpoint lives next to the read models' ones, in the same store. */
function checkpointsIn(readModels: ReadModelStore): RelayCheckpointStore {
  return {
    load: () => readModels.checkpoint(RELAY_KEY),
    save: (_relay, position) => readModels.commit(RELAY_KEY, [], position),
  };
}

/**
 * With BUS=kafka, publishes every event of the service's store to Kafka (never from a
 * request handler): creates the category topics, then runs the relay until shutdown.
 */
@Injectable()
export class KafkaRelayHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('KafkaRelay');
  private relay: EventRelay | null = null;
  private publisher: KafkaPublisher | null = null;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    @Inject(CATEGORY_TOPICS) private readonly topics: CategoryTopics,
    private readonly contracts: ContractRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { kafka } = this.config;
    if (!kafka) return;
    const options = { brokers: kafka.brokers, clientId: `crm-${this.config.service}` };
    const topicOf = (category: string) => `${kafka.topicPrefix}${this.topics[category] ?? ''}`;
    await ensureTopics(
      options,
      Object.keys(this.topics).map((category) => ({
        topic: topicOf(category),
        partitions: kafka.partitions,
        replicationFactor: kafka.replicationFactor,
        retentionMs: kafka.retentionMs,
      })),
    );
    await this.readModels.ensure({ key: RELAY_KEY, indexes: [] });
    this.publisher = new KafkaPublisher(options);
    this.relay = new EventRelay(this.store, this.publisher, checkpointsIn(this.readModels), {
      name: RELAY_KEY,
      topicFor: (streamId) => topicOf(streamId.slice(0, streamId.indexOf('-'))),
      // Published as stored: personal fields stay sealed, so erasure reaches consumers too.
      describe: (event) => {
        const contract = this.contracts.get(event.type);
        return {
          type: contract.ceType,
          source: contract.source,
          dataschema: ContractRegistry.schemaId(contract),
          data: event.data,
        };
      },
      onError: (error) => {
        this.logger.warn(
          `publishing failed, retrying: ${error instanceof Error ? error.message : String(error)}`,
        );
      },
    });
    await this.relay.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.relay?.stop();
    await this.publisher?.close();
  }
}
