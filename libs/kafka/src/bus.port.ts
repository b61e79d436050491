import type { CloudEvent } from '@crm/events';

// The bus port: what the relay and the consumers need from a message broker. Only the
// adapters in this library know kafkajs, so the client can be swapped (for example for
// @confluentinc/kafka-javascript) without touching the relay, the consumers or the apps.

/** One message on the bus: a key that keeps a stream in one partition, headers, a body. */
export interface BusMessage {
  readonly topic: string;
  /** The stream id: all events of a stream land in one partition, in order. */
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: string | Buffer;
}

export interface BusPublisher {
  /**
   * Publishes in order and resolves only once the broker acknowledged every message
   * (acks from all in-sync replicas); rejects otherwise, and then any of them may or may
   * not have been written (the caller publishes again: at-least-once).
   */
  publish(messages: readonly BusMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** Where a consumed message came from. */
export interface Delivery {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
}

/**
 * Applies one event. Throwing means "not applied": the consumer retries with backoff and
 * finally dead-letters the message. Resolving means applied (its revision is recorded).
 */
export type EventHandler = (event: CloudEvent, delivery: Delivery) => Promise<void>;

/** The parts of a CloudEvent that come from the event's contract rather than the store. */
export type { PublishedForm } from '@crm/events';
