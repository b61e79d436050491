import { EventEmitter } from 'node:events';
import { AppendSignal } from '@crm/events';
import { eventually } from '@crm/events/testing';
import type { AllStreamSubscription, SubscribeToAllOptions } from '@kurrent/kurrentdb-client';
import { LiveWakeUp } from './live-wake-up';

/** Stands in for the server's live $all subscriptions: the test plays the server. */
class FakeServer {
  readonly opened: { options: SubscribeToAllOptions | undefined; live: FakeSubscription }[] = [];

  subscribeToAll(options?: SubscribeToAllOptions): AllStreamSubscription {
    const live = new FakeSubscription();
    this.opened.push({ options, live });
    return live as unknown as AllStreamSubscription;
  }

  current(): FakeSubscription {
    return this.opened.at(-1)!.live;
  }
}

class FakeSubscription extends EventEmitter {
  unsubscribed = false;

  unsubscribe(): Promise<void> {
    this.unsubscribed = true;
    return Promise.resolve();
  }
}

/** Resolves true if the signal woke a waiter before its (long) poll interval. */
function woken(signal: AppendSignal): Promise<boolean> {
  const abort = new AbortController();
  const started = Date.now();
  return signal.wait(abort.signal).then(() => Date.now() - started < 5_000);
}

describe('waking subscribers on appends from any process', () => {
  const signal = new AppendSignal(60_000);

  it('given the live subscription, when the server delivers an event, then waiting subscribers wake', async () => {
    const server = new FakeServer();
    const wakeUp = new LiveWakeUp(server, signal);
    wakeUp.start();
    wakeUp.start();
    expect(server.opened).toHaveLength(1);
    expect(server.opened[0]?.options).toMatchObject({ fromPosition: 'end' });
    expect(server.opened[0]?.options?.filter).toMatchObject({ regex: '^[^$].*' });
    const waiting = woken(signal);
    server.current().emit('data', {});
    await expect(waiting).resolves.toBe(true);
    await wakeUp.close();
  });

  it('given the connection drops, then subscribers wake (to read what they missed) and the subscription is reopened', async () => {
    const server = new FakeServer();
    const wakeUp = new LiveWakeUp(server, signal, 10);
    wakeUp.start();
    const waiting = woken(signal);
    server.current().emit('error', new Error('UnavailableError'));
    server.current().emit('close');
    await expect(waiting).resolves.toBe(true);
    await eventually(() => expect(server.opened).toHaveLength(2));
    const again = woken(signal);
    server.current().emit('data', {});
    await expect(again).resolves.toBe(true);
    await wakeUp.close();
  });

  it('given close, then the subscription is cancelled and never reopened', async () => {
    const server = new FakeServer();
    const wakeUp = new LiveWakeUp(server, signal, 10);
    wakeUp.start();
    const live = server.current();
    await wakeUp.close();
    expect(live.unsubscribed).toBe(true);
    live.emit('close');
    wakeUp.start();
    expect(server.opened).toHaveLength(1);
  });
});
