import type { NewEvent, RecordedEvent } from './event';

/**
 * `any`: append whatever the stream holds; `no_stream`: the stream must not exist yet;
 * a number: the stream's current revision must be exactly that.
 */
export type ExpectedRevision = 'any' | 'no_stream' | number;

export interface AppendResult {
  /** Revision of the last event appended (the stream's new revision). */
  readonly nextRevision: number;
  /** Global position of the last event appended. */
  readonly lastPosition: number;
}

export type BatchHandler = (events: readonly RecordedEvent[]) => Promise<void>;

export interface SubscribeOptions {
  readonly batchSize?: number;
  /** Called each time the subscription has delivered everything there is, before it waits. */
  readonly onCaughtUp?: () => Promise<void>;
  /** Called when the handler throws; the subscription stops. */
  readonly onError?: (error: unknown) => void;
}

export interface Subscription {
  /** Stop delivering; resolves after the batch in flight finished. */
  stop(): Promise<void>;
}

export interface EventStore {
  append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult>;
  /** Events of one stream in revision order, starting at `fromRevision` (inclusive). */
  readStream(streamId: string, fromRevision?: number): Promise<RecordedEvent[]>;
  /** Events of all streams in global order, starting at `fromPosition` (inclusive). */
  readAll(fromPosition: number, maxCount: number): Promise<RecordedEvent[]>;
  /** Highest committed position, 0 when empty. */
  headPosition(): Promise<number>;
  /**
   * Catch-up subscription: delivers everything after `afterPosition` in batches, then
   * keeps delivering new events as they are appended.
   */
  subscribe(afterPosition: number, handler: BatchHandler, options?: SubscribeOptions): Subscription;
  close(): Promise<void>;
}
