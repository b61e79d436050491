import type { BusMessage, BusPublisher } from '../bus.port';

/** A bus in memory for unit tests: keeps what it accepted, can be told to refuse. */
export class InMemoryBus implements BusPublisher {
  readonly accepted: BusMessage[] = [];
  /** While set, publish rejects with it and accepts nothing. */
  failure: Error | null = null;
  publishes = 0;

  publish(messages: readonly BusMessage[]): Promise<void> {
    this.publishes += 1;
    if (this.failure) return Promise.reject(this.failure);
    this.accepted.push(...messages);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
