import type { RecordedEvent } from './event';
import type { BatchHandler, SubscribeOptions, Subscription } from './event-store.port';

export interface CatchUpSource {
  readAll(fromPosition: number, maxCount: number): Promise<RecordedEvent[]>;
  /** Resolves when new events may be available (or after a poll interval). */
  waitForAppend(signal: AbortSignal): Promise<void>;
}

/**
 * The one catch-up loop every adapter shares: read batches after the last delivered
 * position until caught up, then wait for the adapter's wake-up and continue. Being live
 * is just "caught up and waiting", so there is no gap between catch-up and live.
 */
export function startCatchUp(
  source: CatchUpSource,
  afterPosition: number,
  handler: BatchHandler,
  options: SubscribeOptions = {},
): Subscription {
  const batchSize = options.batchSize ?? 500;
  const abort = new AbortController();
  let position = afterPosition;

  const stopped = () => abort.signal.aborted;
  const loop = async (): Promise<void> => {
    while (!stopped()) {
      // Start listening before reading, so an append that lands while the batch is read or
      // handled still wakes the loop instead of waiting for the poll interval.
      const iteration = new AbortController();
      const stopIteration = () => iteration.abort();
      abort.signal.addEventListener('abort', stopIteration, { once: true });
      const appended = source.waitForAppend(iteration.signal);
      try {
        const batch = await source.readAll(position + 1, batchSize);
        if (stopped()) return;
        if (batch.length > 0) {
          await handler(batch);
          position = batch[batch.length - 1]?.position ?? position;
        }
        if (batch.length < batchSize) {
          await options.onCaughtUp?.();
          await appended;
        }
      } finally {
        iteration.abort();
        abort.signal.removeEventListener('abort', stopIteration);
      }
    }
  };

  const running = loop().catch((error: unknown) => {
    if (abort.signal.aborted) return;
    if (options.onError) options.onError(error);
    else throw error;
  });

  return {
    async stop() {
      abort.abort();
      await running;
    },
  };
}

/** A wake-up signal for in-process appends with a polling fallback. */
export class AppendSignal {
  private waiters = new Set<() => void>();

  constructor(private readonly pollIntervalMs = 1000) {}

  notify(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      timer.unref();
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** What every adapter's `subscribe` is: the shared loop over its `readAll`, woken by its signal. */
export function subscribeWith(
  store: { readAll(fromPosition: number, maxCount: number): Promise<RecordedEvent[]> },
  signal: AppendSignal,
  afterPosition: number,
  handler: BatchHandler,
  options?: SubscribeOptions,
): Subscription {
  return startCatchUp(
    { readAll: (from, max) => store.readAll(from, max), waitForAppend: (s) => signal.wait(s) },
    afterPosition,
    handler,
    options,
  );
}
