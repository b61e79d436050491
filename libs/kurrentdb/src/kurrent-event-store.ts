import {
  AppendSignal,
  type AppendResult,
  assertExpectedRevision,
  type BatchHandler,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  subscribeWith,
} from '@crm/events';
import {
  BACKWARDS,
  END,
  excludeSystemEvents,
  KurrentDBClient,
  type Position,
  type ReadPosition,
  StreamNotFoundError,
} from '@kurrent/kurrentdb-client';
import { type AllLog, AllReader } from './all-reader';
import {
  type AllPageEvent,
  toEventData,
  toPageEvent,
  toRecordedEvent,
  toSafeNumber,
  toStreamState,
  toWrongExpectedRevision,
} from './kurrent-mapping';
import { LiveWakeUp } from './live-wake-up';

export interface KurrentEventStoreOptions {
  /** Polling fallback for subscriptions while the live subscription is down (default 1000 ms). */
  readonly pollIntervalMs?: number;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/**
 * Event store on KurrentDB (EventStoreDB's successor), for the services that run on it.
 *
 * Streams map one to one; the global order is KurrentDB's `$all` without system events, and
 * an event's position is its commit position (a byte offset in the log: increasing, not
 * dense). One node writes the log sequentially and readers only see what is indexed, which
 * happens in log order, so a reader never sees a gap that fills in later: catch-up from
 * "after the last position seen" cannot skip an event. Reading `$all` from one of our
 * numbers needs an exact record boundary; `AllReader` explains how it finds one.
 * Expected revisions are checked by the server, atomically with the write.
 */
export class KurrentEventStore implements EventStore {
  private readonly signal: AppendSignal;
  private readonly reader: AllReader;
  private readonly wakeUp: LiveWakeUp;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly client: KurrentDBClient,
    options: KurrentEventStoreOptions,
  ) {
    this.signal = new AppendSignal(options.pollIntervalMs ?? 1000);
    this.reader = new AllReader(this.allLog());
    this.wakeUp = new LiveWakeUp(client, this.signal);
  }

  /** Connects with a `kurrentdb://` connection string and checks that the server answers. */
  static async open(
    connectionString: string,
    options: KurrentEventStoreOptions = {},
  ): Promise<KurrentEventStore> {
    const client = KurrentDBClient.connectionString(connectionString);
    const store = new KurrentEventStore(client, options);
    try {
      await store.headPosition();
    } catch (error) {
      await client.dispose();
      throw error;
    }
    return store;
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (events.length === 0) return this.appendNothing(streamId, expected);
    let result;
    try {
      result = await this.client.appendToStream(streamId, events.map(toEventData), {
        streamState: toStreamState(expected),
      });
    } catch (error) {
      throw toWrongExpectedRevision(error, streamId, expected) ?? error;
    }
    // Subscribers in this process need not wait for the live subscription's round trip.
    this.signal.notify();
    const nextRevision = toSafeNumber(result.nextExpectedRevision, 'revision');
    // The server answers with the commit position of the write's last event (its own record,
    // as every gRPC append commits itself); should it ever leave it out, read it back.
    const lastPosition = result.position
      ? toSafeNumber(result.position.commit, 'position')
      : ((await this.readStream(streamId, nextRevision))[0]?.position ?? 0);
    return { nextRevision, lastPosition };
  }

  async readStream(streamId: string, fromRevision = 0): Promise<RecordedEvent[]> {
    try {
      const read = this.client.readStream(streamId, { fromRevision: BigInt(fromRevision) });
      return (await collect(read)).map(toRecordedEvent);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  readAll(fromPosition: number, maxCount: number): Promise<RecordedEvent[]> {
    return this.reader.read(fromPosition, maxCount);
  }

  headPosition(): Promise<number> {
    return this.reader.head();
  }

  subscribe(
    afterPosition: number,
    handler: BatchHandler,
    options?: SubscribeOptions,
  ): Subscription {
    this.wakeUp.start();
    return subscribeWith(this, this.signal, afterPosition, handler, options);
  }

  /** Stop subscriptions first: a subscription that outlives its store fails on its next read. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.wakeUp.close();
      await this.client.dispose();
    })();
    return this.closing;
  }

  /**
   * Appending nothing writes nothing, but the expectation is still checked, as the other
   * adapters do (the check is not atomic with anything: there is nothing to protect).
   */
  private async appendNothing(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    let current = -1;
    try {
      const read = this.client.readStream(streamId, {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      });
      const [last] = await collect(read);
      if (last?.event) current = toSafeNumber(last.event.revision, 'revision');
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    assertExpectedRevision(streamId, expected, current);
    return { nextRevision: current, lastPosition: 0 };
  }

  private allLog(): AllLog {
    // Links are never resolved: a link is a system event, and what it points to is in $all anyway.
    const read = async (
      fromPosition: ReadPosition,
      maxCount: number,
      direction?: typeof BACKWARDS,
    ): Promise<AllPageEvent[]> => {
      const options = { fromPosition, maxCount, direction, filter: excludeSystemEvents() };
      return (await collect(this.client.readAll(options))).map(toPageEvent);
    };
    return {
      forward: (from, maxCount) => read(from, maxCount),
      backward: (before: Position | undefined, maxCount) =>
        read(before ?? END, maxCount, BACKWARDS),
    };
  }
}
