const ticks = new Map<number, Promise<void>>();

/**
 * Resolves `ms` from now, or with the wait already running for the same `ms`: runners that
 * commit at about the same time wake together, and read and decode the same events in the
 * same turn of the event loop (where the store and the codec answer repeats from memory).
 */
export function batchTick(ms: number): Promise<void> {
  let tick = ticks.get(ms);
  if (!tick) {
    tick = new Promise((resolve) => {
      setTimeout(() => {
        ticks.delete(ms);
        resolve();
      }, ms).unref();
    });
    ticks.set(ms, tick);
  }
  return tick;
}
