import type { NewEvent, RecordedEvent } from './event';
import type {
  AppendResult,
  BatchHandler,
  EventStore,
  ExpectedRevision,
  SubscribeOptions,
  Subscription,
} from './event-store.port';
import { AppendSignal, subscribeWith } from './catch-up-subscription';
import { assertExpectedRevision } from './errors';

/** Event store held in memory: for unit tests only, it keeps nothing across restarts. */
export class InMemoryEventStore implements EventStore {
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly signal = new AppendSignal(50);

  append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    // Inside the executor, a failed check becomes a rejection, as with a real store.
    return new Promise((resolve) => {
      const stream = this.streams.get(streamId) ?? [];
      assertExpectedRevision(streamId, expected, stream.length - 1);
      for (const event of events) {
        const recorded: RecordedEvent = {
          ...event,
          streamId,
          revision: stream.length,
          position: this.all.length + 1,
        };
        stream.push(recorded);
        this.all.push(recorded);
      }
      this.streams.set(streamId, stream);
      this.signal.notify();
      resolve({ nextRevision: stream.length - 1, lastPosition: this.all.length });
    });
  }

  readStream(streamId: string, fromRevision = 0): Promise<RecordedEvent[]> {
    return Promise.resolve((this.streams.get(streamId) ?? []).slice(fromRevision));
  }

  readAll(fromPosition: number, maxCount: number): Promise<RecordedEvent[]> {
    const start = Math.max(fromPosition, 1) - 1;
    return Promise.resolve(this.all.slice(start, start + maxCount));
  }

  headPosition(): Promise<number> {
    return Promise.resolve(this.all.length);
  }

  subscribe(
    afterPosition: number,
    handler: BatchHandler,
    options?: SubscribeOptions,
  ): Subscription {
    return subscribeWith(this, this.signal, afterPosition, handler, options);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
