import {
  type EventMetadata,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  WrongExpectedRevision,
} from '@crm/events';
import {
  ANY,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type EventData,
  type JSONType,
  jsonEvent,
  NO_STREAM,
  type Position,
  type ResolvedEvent,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';

// Pure translations between the port's shapes and the client's. KurrentDB speaks bigint
// (revisions, log positions); the port speaks number, so every conversion goes through
// `toSafeNumber` and fails loudly instead of silently losing precision.

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (!Number.isSafeInteger(expected) || expected < 0)
    throw new RangeError(`expected revision must be a revision (>= 0), got ${expected}`);
  return BigInt(expected);
}

/**
 * A revision or log position as a number. The server reports "no position" as 2^64-1, and a
 * log beyond 2^53 bytes (9 PB) would lose precision: both must fail, not misorder events.
 */
export function toSafeNumber(value: bigint, what: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new RangeError(`KurrentDB ${what} ${String(value)} does not fit a safe integer`);
  return number;
}

/**
 * Events the server writes for itself: `$`-prefixed types (`$metadata`, `$>` links, ...), and
 * anything in a `$`-prefixed stream (some system streams carry plain types, e.g. projection
 * results). `excludeSystemEvents()` filters on the type only, so the stream is checked here.
 */
export function isSystemEvent(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

export function toEventData(event: NewEvent): EventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    // Stored data is JSON by contract (the codec produced it); the client stringifies it.
    data: event.data as JSONType,
    metadata: { ...event.metadata },
  });
}

function isEventMetadata(value: unknown): value is EventMetadata {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return false;
  const fields = value as Record<string, unknown>;
  return ['happenedAt', 'recordedAt', 'correlationId', 'actorId'].every(
    (field) => typeof fields[field] === 'string',
  );
}

/** Maps an event read from a stream or from $all (links are never resolved here). */
export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent {
  const recorded = resolved.event;
  if (!recorded) throw new Error('KurrentDB returned a read result without an event');
  const where = `${recorded.streamId}@${String(recorded.revision)}`;
  // A stream read only carries a position for events that committed themselves, which is
  // every event appended through gRPC (server 22.6+); without one the global order is unknown.
  const position = recorded.position?.commit ?? resolved.commitPosition;
  if (position === undefined) throw new Error(`KurrentDB returned ${where} without a position`);
  if (!recorded.isJson) throw new Error(`${where} is not a JSON event: not written by this store`);
  if (!isEventMetadata(recorded.metadata))
    throw new Error(`${where} carries no event metadata: not written by this store`);
  return {
    id: recorded.id,
    streamId: recorded.streamId,
    revision: toSafeNumber(recorded.revision, 'revision'),
    position: toSafeNumber(position, 'position'),
    type: recorded.type,
    data: recorded.data,
    metadata: recorded.metadata,
  };
}

/** One event of a $all page: where it is exactly, and the event itself unless it is a system one. */
export interface AllPageEvent {
  /** The exact log position, the only kind the server accepts as a read start. */
  readonly exact: Position;
  /** The port's number for it: the commit position. */
  readonly position: number;
  readonly event: RecordedEvent | undefined;
}

export function toPageEvent(resolved: AllStreamResolvedEvent): AllPageEvent {
  const recorded = resolved.event;
  // Typed as always present for $all, but the native reader copies it only when the server
  // sent one: fall back to the read result's commit position rather than trust the type.
  const position: Position | undefined = recorded?.position;
  const commit = position?.commit ?? resolved.commitPosition;
  if (!recorded || commit === undefined)
    throw new Error('KurrentDB returned a $all read result without an event or position');
  const exact = position ?? { commit, prepare: commit };
  const system = isSystemEvent(recorded.streamId, recorded.type);
  return {
    exact,
    position: toSafeNumber(exact.commit, 'position'),
    event: system ? undefined : toRecordedEvent(resolved),
  };
}

/** The port's conflict error for the client's, or undefined for any other error. */
export function toWrongExpectedRevision(
  error: unknown,
  streamId: string,
  expected: ExpectedRevision,
): WrongExpectedRevision | undefined {
  if (!(error instanceof WrongExpectedVersionError)) return undefined;
  const actual = error.actualState;
  return new WrongExpectedRevision(
    streamId,
    expected,
    actual === 'no_stream' || actual < 0n ? 'no_stream' : toSafeNumber(actual, 'revision'),
  );
}
