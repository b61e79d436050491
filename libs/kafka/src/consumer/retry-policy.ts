export interface RetryPolicy {
  /** Tries in all, the first one included. */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 200, maxDelayMs: 5000 };

export type Attempted =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number };

/**
 * Runs `work` until it succeeds or the attempts are used up, doubling the delay between
 * tries. `between` runs before each wait (the consumer heartbeats there, so a slow retry
 * does not cost it its partitions).
 */
export async function attempt(
  work: () => Promise<void>,
  policy: RetryPolicy,
  between: () => Promise<void> = () => Promise.resolve(),
): Promise<Attempted> {
  let error: unknown;
  for (let tried = 1; ; tried++) {
    try {
      await work();
      return { ok: true };
    } catch (caught) {
      error = caught;
    }
    if (tried >= policy.attempts) return { ok: false, error, attempts: tried };
    await between();
    const delay = Math.min(policy.initialDelayMs * 2 ** (tried - 1), policy.maxDelayMs);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
