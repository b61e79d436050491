import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ContractRegistry, type EventStore, type ReadModelStore } from '@crm/events';
import {
  EventRelay,
  KafkaPublisher,
  LeaderElection,
  ensureTopics,
  type RelayCheckpointStore,
} from '@crm/kafka';
import type { ServiceConfig } from '../config/service-config';
import { SERVICE_CONFIG } from '../config/tokens';
import { Metrics } from '../metrics/metrics';
import { isProjectionThread } from './projection-thread';
import { EVENT_STORE, READ_MODELS } from './tokens';

/** Topic of each stream category this service publishes (`contact` → `crm.contacts.contact.v1`). */
export const CATEGORY_TOPICS = Symbol('CategoryTopics');
export type CategoryTopics = Readonly<Record<string, string>>;

const RELAY_KEY = 'relay_kafka';

/** `contact-0193…` → `contact` */
const categoryOf = (streamId: string): string => streamId.slice(0, streamId.indexOf('-'));

/** The relay's checkpoint lives next to the read models' ones, in the same store. */
function checkpointsIn(readModels: ReadModelStore): RelayCheckpointStore {
  return {
    load: () => readModels.checkpoint(RELAY_KEY),
    save: (_relay, position) => readModels.commit(RELAY_KEY, [], position),
  };
}

/**
 * How long the replicas' group waits for a silent leader before another takes over. The
 * broker refuses less than its `group.min.session.timeout.ms` (6 s by default).
 */
const LEADERSHIP_SESSION_TIMEOUT_MS = 10_000;

/**
 * With BUS=kafka, publishes every event of the service's store to Kafka (never from a
 * request handler): creates the category topics, then runs the relay until shutdown, on one
 * replica at a time. The replicas elect that one through a Kafka consumer group (group
 * `crm-<service>-relay` on the one-partition topic `crm.<service>.relay-leadership`, both
 * with the topic prefix); see docs/adr/0008-relay-leadership.md.
 */
@Injectable()
export class KafkaRelayHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('KafkaRelay');
  private relay: EventRelay | null = null;
  private publisher: KafkaPublisher | null = null;
  private election: LeaderElection | null = null;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    @Inject(CATEGORY_TOPICS) private readonly topics: CategoryTopics,
    private readonly contracts: ContractRegistry,
    private readonly metrics: Metrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { kafka } = this.config;
    // One relay per service process: the projection thread runs the same modules, not it.
    if (!kafka || isProjectionThread()) return;
    const options = { brokers: kafka.brokers, clientId: `crm-${this.config.service}` };
    const topicOf = (category: string) => `${kafka.topicPrefix}${this.topics[category] ?? ''}`;
    const leadershipTopic = `${kafka.topicPrefix}crm.${this.config.service}.relay-leadership`;
    await ensureTopics(options, [
      ...Object.keys(this.topics).map((category) => ({
        topic: topicOf(category),
        partitions: kafka.partitions,
        replicationFactor: kafka.replicationFactor,
        retentionMs: kafka.retentionMs,
      })),
      // One partition, so one holder; it never holds a message.
      { topic: leadershipTopic, partitions: 1, replicationFactor: kafka.replicationFactor },
    ]);
    await this.readModels.ensure({ key: RELAY_KEY, indexes: [] });
    this.publisher = new KafkaPublisher(options);
    this.relay = new EventRelay(this.store, this.publisher, checkpointsIn(this.readModels), {
      name: RELAY_KEY,
      topicFor: (streamId) => topicOf(categoryOf(streamId)),
      // Published as stored: personal fields stay sealed, so erasure reaches consumers too.
      // Streams of a category without a topic (an import batch) are the service's own.
      describe: (event) => {
        if (this.topics[categoryOf(event.streamId)] === undefined) return null;
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
    const relay = this.relay;
    this.election = new LeaderElection(options, {
      groupId: `${kafka.topicPrefix}crm-${this.config.service}-relay`,
      topic: leadershipTopic,
      sessionTimeoutMs: LEADERSHIP_SESSION_TIMEOUT_MS,
      onElected: () => relay.start(),
      onDemoted: () => relay.stop(),
      onChange: (leading, reason) => {
        this.metrics.relayLeader.set(leading ? 1 : 0);
        this.logger.log(
          leading
            ? `relay leadership acquired (${reason}): publishing from position ${String(relay.position)}`
            : `relay leadership released (${reason}): stopped publishing at position ${String(relay.position)}`,
        );
      },
      onError: (error) => {
        this.logger.warn(
          `relay leadership: ${error instanceof Error ? error.message : String(error)}`,
        );
      },
    });
    await this.election.start();
  }

  /** Steps down first (the relay stops), then leaves the group: a survivor takes over at once. */
  async onModuleDestroy(): Promise<void> {
    await this.election?.stop();
    await this.relay?.stop();
    await this.publisher?.close();
  }
}
