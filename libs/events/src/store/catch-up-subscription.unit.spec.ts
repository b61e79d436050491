import { eventually } from '../testing/eventually';
import { AppendSignal, type CatchUpSource, startCatchUp } from './catch-up-subscription';
import type { RecordedEvent } from './event';
import type { Subscription } from './event-store.port';
import { TEST_METADATA } from '../testing/test-metadata';

/** Long enough that nothing in these tests is woken by polling unless they mean it. */
const NEVER_POLLS = 60_000;

/** Lets every pending timer-free continuation run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Tracks whether a promise has settled, without awaiting it. */
function watch(promise: Promise<unknown>): { readonly done: boolean } {
  const state = { done: false };
  void promise.then(() => {
    state.done = true;
  });
  return state;
}

/** A log in memory whose appends wake its subscribers through an AppendSignal. */
class Log implements CatchUpSource {
  readonly events: RecordedEvent[] = [];
  readonly signal: AppendSignal;
  reads = 0;

  constructor(pollIntervalMs = NEVER_POLLS) {
    this.signal = new AppendSignal(pollIntervalMs);
  }

  append(count = 1): void {
    for (let i = 0; i < count; i++) {
      const position = this.events.length + 1;
      this.events.push({
        id: `event-${position}`,
        streamId: 'thing-1',
        revision: position - 1,
        position,
        type: 'ThingHappened',
        data: { n: position },
        metadata: TEST_METADATA,
      });
    }
    this.signal.notify();
  }

  readAll(fromPosition: number, maxCount: number): Promise<RecordedEvent[]> {
    this.reads += 1;
    return Promise.resolve(this.events.slice(fromPosition - 1, fromPosition - 1 + maxCount));
  }

  waitForAppend(signal: AbortSignal): Promise<void> {
    return this.signal.wait(signal);
  }
}

describe('append signal', () => {
  const abort = new AbortController();
  afterAll(() => {
    abort.abort();
  });

  it('given waiters, when notified, then every one of them wakes up', async () => {
    const signal = new AppendSignal(NEVER_POLLS);
    const first = watch(signal.wait(abort.signal));
    const second = watch(signal.wait(abort.signal));
    await settle();
    expect([first.done, second.done]).toEqual([false, false]);

    signal.notify();

    await eventually(() => {
      expect([first.done, second.done]).toEqual([true, true]);
    }, 1000);
  });

  it('given a waiter and no append, then it wakes up after the poll interval', async () => {
    const signal = new AppendSignal(20);

    const waiting = watch(signal.wait(abort.signal));

    await eventually(() => {
      expect(waiting.done).toBe(true);
    }, 1000);
  });

  it('given a waiter, when its abort signal fires, then it stops waiting', async () => {
    const signal = new AppendSignal(NEVER_POLLS);
    const own = new AbortController();
    const waiting = watch(signal.wait(own.signal));
    await settle();
    expect(waiting.done).toBe(false);

    own.abort();

    await eventually(() => {
      expect(waiting.done).toBe(true);
    }, 1000);
  });

  it('given an already aborted signal, then waiting returns at once', async () => {
    const own = new AbortController();
    own.abort();

    const waiting = watch(new AppendSignal(NEVER_POLLS).wait(own.signal));

    await settle();
    expect(waiting.done).toBe(true);
  });
});

describe('catch-up subscription', () => {
  let subscription: Subscription | undefined;
  afterEach(async () => {
    await subscription?.stop();
    subscription = undefined;
  });

  it('given stored events, then it delivers those after the start position in order and in batches, then goes live', async () => {
    const log = new Log();
    log.append(5);
    const batches: number[][] = [];

    subscription = startCatchUp(
      log,
      1,
      (batch) => {
        batches.push(batch.map((e) => e.position));
        return Promise.resolve();
      },
      { batchSize: 2 },
    );

    await eventually(() => {
      expect(batches).toEqual([
        [2, 3],
        [4, 5],
      ]);
    }, 1000);
    log.append();
    await eventually(() => {
      expect(batches).toEqual([[2, 3], [4, 5], [6]]);
    }, 1000);
  });

  it('given a subscription waiting for appends, when stopped, then stop resolves without waiting for the poll interval', async () => {
    const log = new Log();
    subscription = startCatchUp(log, 0, () => Promise.resolve());
    await eventually(() => {
      expect(log.reads).toBe(1);
    }, 1000);
    await settle();

    const stopped = watch(subscription.stop());

    await eventually(() => {
      expect(stopped.done).toBe(true);
    }, 1000);
  });

  it('given a subscription stopped, then it reads and delivers nothing appended afterwards', async () => {
    const log = new Log();
    log.append();
    const seen: number[] = [];
    const stopping = startCatchUp(log, 0, (batch) => {
      seen.push(...batch.map((e) => e.position));
      return Promise.resolve();
    });
    await eventually(() => {
      expect(seen).toEqual([1]);
    }, 1000);

    await stopping.stop();
    const readsAtStop = log.reads;
    log.append();
    await settle();

    expect(seen).toEqual([1]);
    expect(log.reads).toBe(readsAtStop);
  });

  it('given the handler fails, then onError gets the error and nothing more is delivered', async () => {
    const log = new Log();
    log.append(3);
    const errors: unknown[] = [];
    const seen: number[][] = [];

    subscription = startCatchUp(
      log,
      0,
      (batch) => {
        seen.push(batch.map((e) => e.position));
        return Promise.reject(new Error('read model unavailable'));
      },
      { batchSize: 1, onError: (error) => errors.push(error) },
    );

    await eventually(() => {
      expect(errors).toEqual([new Error('read model unavailable')]);
    }, 1000);
    log.append();
    await settle();
    expect(seen).toEqual([[1]]);
  });

  it('given an append while a batch is being handled, then it is delivered without waiting for the poll interval', async () => {
    const log = new Log(NEVER_POLLS);
    log.append();
    const seen: number[] = [];

    subscription = startCatchUp(log, 0, (batch) => {
      seen.push(...batch.map((e) => e.position));
      // A reaction appending a follow-up event, as a process manager would.
      if (seen.length === 1) log.append();
      return Promise.resolve();
    });

    await eventually(() => {
      expect(seen).toEqual([1, 2]);
    }, 1000);
  });
});
