import type { AppendSignal } from '@crm/events';
import {
  type AllStreamSubscription,
  END,
  excludeSystemEvents,
  type KurrentDBClient,
} from '@kurrent/kurrentdb-client';

/**
 * Wakes catch-up subscriptions when any process appends: one live `$all` subscription per
 * store, from the end, whose events are only a signal. The events themselves are always read
 * through `readAll`, so a dropped live subscription costs latency (the signal's polling
 * fallback takes over), never events. A dropped subscription is reopened after `retryMs`.
 */
export class LiveWakeUp {
  private subscription: AllStreamSubscription | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly client: Pick<KurrentDBClient, 'subscribeToAll'>,
    private readonly signal: AppendSignal,
    private readonly retryMs = 1000,
  ) {}

  /** Opens the live subscription unless it is open (or closed for good). */
  start(): void {
    if (this.closed || this.subscription || this.retry) return;
    const subscription = this.client.subscribeToAll({
      fromPosition: END,
      filter: excludeSystemEvents(),
    });
    this.subscription = subscription;
    const dropped = (): void => {
      if (this.subscription !== subscription) return; // already handled, or closed by us
      this.subscription = undefined;
      // Whatever was appended while it was down is read by the next readAll.
      this.signal.notify();
      if (this.closed) return;
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.start();
      }, this.retryMs);
      this.retry.unref();
    };
    // A 'data' listener keeps the stream flowing; an 'error' listener keeps a dropped
    // connection from becoming an uncaught exception.
    subscription.on('data', () => this.signal.notify());
    subscription.on('error', dropped);
    subscription.on('close', dropped);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    const subscription = this.subscription;
    this.subscription = undefined;
    if (!subscription) return;
    // The client cancels its streams on dispose anyway: a failed or stuck unsubscribe (it
    // waits for the connection) must not hold up shutdown.
    let timer: NodeJS.Timeout | undefined;
    const bounded = new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)));
    await Promise.race([subscription.unsubscribe().catch(() => undefined), bounded]);
    clearTimeout(timer);
  }
}
