import { WrongExpectedRevision } from '@crm/events';
import { newEvent } from '@crm/events/testing';
import {
  ANY,
  type AllStreamResolvedEvent,
  NO_STREAM,
  type ResolvedEvent,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import {
  isSystemEvent,
  toEventData,
  toPageEvent,
  toRecordedEvent,
  toSafeNumber,
  toStreamState,
  toWrongExpectedRevision,
} from './kurrent-mapping';

const event = newEvent('ThingRenamed', { name: 'Zoë', list: [1, null] });

/** What the client yields for one of our events, as read from $all. */
function resolved(
  overrides: Partial<{ streamId: string; type: string; commit: bigint; prepare: bigint }> = {},
): AllStreamResolvedEvent {
  const { streamId = 'thing-1', type = event.type, commit = 4242n, prepare = commit } = overrides;
  return {
    commitPosition: commit,
    event: {
      streamId,
      id: event.id,
      isJson: true,
      revision: 3n,
      type,
      created: new Date(),
      data: event.data as Record<string, unknown>,
      metadata: { ...event.metadata },
      position: { commit, prepare },
    },
  };
}

describe('expected revision mapping', () => {
  it('maps any, no stream and exact revisions to the stream states the server checks', () => {
    expect(toStreamState('any')).toBe(ANY);
    expect(toStreamState('no_stream')).toBe(NO_STREAM);
    expect(toStreamState(0)).toBe(0n);
    expect(toStreamState(41)).toBe(41n);
  });

  it('refuses numbers that are no revision', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53])
      expect(() => toStreamState(bad)).toThrow(RangeError);
  });
});

describe('bigint to number guard', () => {
  it('keeps every safe integer', () => {
    expect(toSafeNumber(0n, 'position')).toBe(0);
    expect(toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER), 'position')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('fails on what a number cannot hold exactly, such as the "no position" marker 2^64-1', () => {
    expect(() => toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER) + 1n, 'position')).toThrow(
      RangeError,
    );
    expect(() => toSafeNumber(18446744073709551615n, 'position')).toThrow(/position/);
    expect(() => toSafeNumber(-1n, 'revision')).toThrow(RangeError);
  });
});

describe('system event exclusion', () => {
  it('treats $-prefixed types and $-prefixed streams as system events', () => {
    expect(isSystemEvent('thing-1', 'ThingRenamed')).toBe(false);
    expect(isSystemEvent('thing-1', '$>')).toBe(true);
    expect(isSystemEvent('$$thing-1', '$metadata')).toBe(true);
    expect(isSystemEvent('$projections-x-result', 'Result')).toBe(true);
    expect(isSystemEvent('thing-$1', 'Thing$Renamed')).toBe(false);
  });

  it('gives a system event its position on a page but no mapped event', () => {
    const page = toPageEvent(resolved({ streamId: '$settings', type: 'Settings', commit: 77n }));
    expect(page).toEqual({ exact: { commit: 77n, prepare: 77n }, position: 77, event: undefined });
  });
});

describe('recorded event mapping', () => {
  it('maps id, stream, revision, commit position, type, data and metadata', () => {
    expect(toRecordedEvent(resolved())).toEqual({
      id: event.id,
      streamId: 'thing-1',
      revision: 3,
      position: 4242,
      type: 'ThingRenamed',
      data: event.data,
      metadata: event.metadata,
    });
  });

  it('keeps the exact position (commit and prepare) of a $all event for reading on from it', () => {
    const page = toPageEvent(resolved({ commit: 900n, prepare: 880n }));
    expect(page.exact).toEqual({ commit: 900n, prepare: 880n });
    expect(page.position).toBe(900);
    expect(page.event?.position).toBe(900);
  });

  it('falls back to the read result commit position when the record carries none', () => {
    const read = resolved();
    const withoutPosition: ResolvedEvent = {
      commitPosition: 5150n,
      event: { ...read.event!, position: undefined },
    };
    expect(toRecordedEvent(withoutPosition).position).toBe(5150);
    expect(() => toRecordedEvent({ event: withoutPosition.event })).toThrow(/without a position/);
  });

  it('refuses events this store cannot have written', () => {
    const binary = { ...resolved().event!, isJson: false as const, data: new Uint8Array() };
    expect(() => toRecordedEvent({ commitPosition: 1n, event: binary })).toThrow(
      /not a JSON event/,
    );
    const foreign = { ...resolved().event!, metadata: { source: 'elsewhere' } };
    expect(() => toRecordedEvent({ commitPosition: 1n, event: foreign })).toThrow(/metadata/);
  });

  it('writes our event id, type, JSON data and metadata', () => {
    expect(toEventData(event)).toEqual({
      id: event.id,
      contentType: 'application/json',
      type: event.type,
      data: event.data,
      metadata: event.metadata,
    });
  });
});

describe('wrong expected version mapping', () => {
  const conflict = (current: bigint | 'no_stream') =>
    new WrongExpectedVersionError(undefined, { streamName: 'thing-1', expected: 0n, current });

  it('becomes the port conflict error with the actual revision', () => {
    const error = toWrongExpectedRevision(conflict(4n), 'thing-1', 0);
    expect(error).toBeInstanceOf(WrongExpectedRevision);
    expect(error).toMatchObject({ streamId: 'thing-1', expected: 0, actual: 4, status: 409 });
  });

  it('reports a missing stream as no_stream, also when the server says -1', () => {
    expect(toWrongExpectedRevision(conflict('no_stream'), 's', 0)?.actual).toBe('no_stream');
    expect(toWrongExpectedRevision(conflict(-1n), 's', 0)?.actual).toBe('no_stream');
  });

  it('leaves every other error alone', () => {
    expect(toWrongExpectedRevision(new StreamNotFoundError(), 's', 0)).toBeUndefined();
    expect(toWrongExpectedRevision(new Error('boom'), 's', 'any')).toBeUndefined();
  });
});
