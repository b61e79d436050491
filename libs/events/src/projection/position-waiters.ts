/**
 * A read model's progress along the log, wherever its runner runs (in this thread or in
 * another): what queries wait on to read their own writes.
 */
export interface ReadModelProgress {
  readonly key: string;
  /** Last global position committed. */
  readonly position: number;
  /** Resolves true once the read model has applied everything up to `position`, false on timeout. */
  waitFor(position: number, timeoutMs?: number): Promise<boolean>;
}

/**
 * The promises handed out by `waitFor`, settled as the position they wait for is reached.
 * The position may also go back (a rebuild starts again from 0): waiters then wait for the
 * rebuild to get there.
 */
export class PositionWaiters {
  private reached = 0;
  private readonly waiters = new Set<{ position: number; resolve: () => void }>();

  wait(position: number, timeoutMs: number): Promise<boolean> {
    if (this.reached >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { position, resolve: () => resolve(true) };
      this.waiters.add(waiter);
      setTimeout(() => {
        if (this.waiters.delete(waiter)) resolve(false);
      }, timeoutMs).unref();
    });
  }

  /** Everything up to `position` is applied (and readable). */
  reach(position: number): void {
    this.reached = position;
    for (const waiter of this.waiters) {
      if (waiter.position <= position) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
