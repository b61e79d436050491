import type { Consumer, Kafka } from 'kafkajs';
import { createKafka, type KafkaOptions } from '../kafka-client';
import { SocketTracker } from '../kafka-sockets';
import { stickyLeaderAssigner } from './sticky-leader-assigner';

export interface LeaderElectionOptions {
  /** Every replica competing for the role joins this group, e.g. `crm-contacts-relay`. */
  readonly groupId: string;
  /** A topic with exactly one partition; nothing is written to it. Its holder leads. */
  readonly topic: string;
  /** Starts the leader's work; this member counts as leader once it resolved. */
  readonly onElected: () => Promise<void>;
  /** Stops the leader's work; resolves once it has stopped. */
  readonly onDemoted: () => Promise<void>;
  /** Every change of leadership with its reason, for logs and metrics. */
  readonly onChange?: (leading: boolean, reason: string) => void;
  /** A failed `onElected` (retried every heartbeat interval) or a consumer crash. */
  readonly onError?: (error: unknown) => void;
  /**
   * How long the group waits for a silent member before giving its partition to another:
   * the bound on a take-over after a crash. At least the broker's
   * `group.min.session.timeout.ms` (6 s by default). Default 10 s.
   */
  readonly sessionTimeoutMs?: number;
  /** Default 1 s. */
  readonly heartbeatIntervalMs?: number;
}

/**
 * Leader election on a Kafka consumer group: the replicas of a service join one group on
 * a single-partition topic, and the member assigned partition 0 is the leader. Kafka moves
 * the partition when the leader leaves (at once) or stops heartbeating (after the session
 * timeout). This member leads only while all of these hold:
 * - its last assignment gave it partition 0 and no rebalance has begun since: it steps down
 *   as soon as it learns of a rebalance, while the group waits for it to rejoin (only a
 *   batch already in flight may still be acknowledged after the partition moved);
 * - its last heartbeat is younger than the lease (the session timeout minus three
 *   heartbeats), so a leader cut off from the coordinator steps down before the group
 *   evicts it and another member takes over.
 * A rebalance that only adds a member leaves the leadership where it was (sticky assigner).
 * Leaving (`stop`) demotes first, then leaves the group, so a graceful hand-over never
 * overlaps.
 */
export class LeaderElection {
  private readonly kafka: Kafka;
  private readonly sockets = new SocketTracker();
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly leaseMs: number;
  private consumer: Consumer | null = null;
  private running = false;
  /** Partition 0 in the last assignment; announced on the next join to keep it. */
  private holding = false;
  /** False from the start of a rebalance until the next assignment. */
  private settled = false;
  private lastHeartbeat = 0;
  private leading = false;
  private reason = 'start';
  private reconciling: Promise<void> | null = null;
  private dirty = false;
  private watchdog: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(
    kafkaOptions: KafkaOptions,
    private readonly options: LeaderElectionOptions,
  ) {
    this.kafka = createKafka(kafkaOptions, this.sockets);
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1_000;
    this.leaseMs = Math.max(
      this.sessionTimeoutMs - 3 * this.heartbeatIntervalMs,
      this.sessionTimeoutMs / 2,
    );
  }

  /** Whether this member leads: elected, and its `onElected` has completed. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** Resolves once this member joined the group (and, if assigned, started leading). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.watchdog = setInterval(() => this.check(), this.heartbeatIntervalMs);
    this.watchdog.unref();
    try {
      await this.join();
    } catch (error) {
      await this.stop();
      throw error;
    }
    await this.reconciling;
  }

  /** Steps down (waiting for `onDemoted`), then leaves the group so another takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.watchdog = this.restartTimer = null;
    this.reconcile('shutdown');
    await this.reconciling;
    await this.leave();
  }

  private async join(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      // A member whose lease ran out (say, after a long pause) no longer claims the partition.
      partitionAssigners: [stickyLeaderAssigner(() => this.holding && this.fresh())],
      sessionTimeout: this.sessionTimeoutMs,
      // Members rejoin at once (they process no messages), so a short bound is enough.
      rebalanceTimeout: 2 * this.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
      // An idle member heartbeats after each empty fetch: keep fetches short.
      maxWaitTimeInMs: Math.min(500, this.heartbeatIntervalMs),
      allowAutoTopicCreation: false,
    });
    const { GROUP_JOIN, REBALANCING, HEARTBEAT, CRASH } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      this.holding = (payload.memberAssignment[this.options.topic] ?? []).includes(0);
      this.settled = true;
      this.lastHeartbeat = Date.now();
      this.reconcile(this.holding ? 'assigned the leadership partition' : 'not assigned');
    });
    consumer.on(REBALANCING, () => {
      this.settled = false;
      this.reconcile('group rebalancing');
    });
    consumer.on(HEARTBEAT, () => {
      this.lastHeartbeat = Date.now();
    });
    consumer.on(CRASH, ({ payload }) => {
      this.settled = false;
      this.holding = false;
      this.options.onError?.(payload.error);
      this.reconcile('consumer crashed');
      // kafkajs restarts by itself after a retriable error; after any other, we do.
      if (!payload.restart) this.restartLater();
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.topic], fromBeginning: false });
    await consumer.run({ eachMessage: () => Promise.resolve() });
  }

  private async leave(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    this.holding = this.settled = false;
    await consumer?.disconnect().catch((error: unknown) => this.options.onError?.(error));
    this.sockets.destroyAll();
  }

  private restartLater(): void {
    if (!this.running || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void (async () => {
        await this.leave();
        if (!this.running) return;
        await this.join().catch((error: unknown) => {
          this.options.onError?.(error);
          this.restartLater();
        });
      })();
    }, this.sessionTimeoutMs);
    this.restartTimer.unref();
  }

  /** Every heartbeat interval: step down on a lost lease, retry a failed `onElected`. */
  private check(): void {
    if (this.holding && !this.fresh()) {
      // Probably evicted already: stop claiming the partition on the next join too.
      this.holding = false;
      this.reconcile(`no heartbeat for ${String(this.leaseMs)} ms`);
    } else if (this.wanted() !== this.leading) {
      this.reconcile(this.reason);
    }
  }

  private fresh(): boolean {
    return Date.now() - this.lastHeartbeat < this.leaseMs;
  }

  private wanted(): boolean {
    return this.running && this.holding && this.settled && this.fresh();
  }

  /** Brings `leading` to `wanted()`, one transition at a time, the latest reason winning. */
  private reconcile(reason: string): void {
    this.reason = reason;
    if (this.reconciling) {
      this.dirty = true;
      return;
    }
    this.reconciling = (async () => {
      do {
        await this.step();
      } while (this.takeDirty());
      this.reconciling = null;
    })();
  }

  /** Whether `reconcile` was called while a step ran; clears the flag. */
  private takeDirty(): boolean {
    const dirty = this.dirty;
    this.dirty = false;
    return dirty;
  }

  private async step(): Promise<void> {
    const wanted = this.wanted();
    if (wanted === this.leading) return;
    const reason = this.reason;
    if (wanted) {
      try {
        await this.options.onElected();
      } catch (error) {
        this.options.onError?.(error);
        return;
      }
    } else {
      await this.options.onDemoted().catch((error: unknown) => this.options.onError?.(error));
    }
    this.leading = wanted;
    this.options.onChange?.(wanted, reason);
  }
}
