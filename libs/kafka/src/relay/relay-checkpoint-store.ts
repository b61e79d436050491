/**
 * Where a relay remembers the global position of the last event the broker acknowledged.
 * It is saved only after the ack, so a crash republishes at most the last batch.
 */
export interface RelayCheckpointStore {
  /** 0 when the relay never published anything. */
  load(relay: string): Promise<number>;
  save(relay: string, position: number): Promise<void>;
}

/** For unit tests and throw-away runs: forgets everything when the process ends. */
export class InMemoryRelayCheckpointStore implements RelayCheckpointStore {
  private readonly positions = new Map<string, number>();

  load(relay: string): Promise<number> {
    return Promise.resolve(this.positions.get(relay) ?? 0);
  }

  save(relay: string, position: number): Promise<void> {
    this.positions.set(relay, position);
    return Promise.resolve();
  }
}
