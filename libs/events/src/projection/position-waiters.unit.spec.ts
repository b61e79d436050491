import { PositionWaiters } from './position-waiters';

describe('PositionWaiters', () => {
  it('resolves at once for a position already reached', async () => {
    const waiters = new PositionWaiters();
    waiters.reach(5);
    await expect(waiters.wait(5, 1000)).resolves.toBe(true);
  });

  it('resolves a waiter when its position is reached, not before', async () => {
    const waiters = new PositionWaiters();
    const settled: boolean[] = [];
    void waiters.wait(3, 1000).then((reached) => settled.push(reached));
    waiters.reach(2);
    await Promise.resolve();
    expect(settled).toEqual([]);
    waiters.reach(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual([true]);
  });

  it('resolves false once the timeout passed', async () => {
    await expect(new PositionWaiters().wait(1, 10)).resolves.toBe(false);
  });

  it('after the position went back (a rebuild), waits for it to get there again', async () => {
    const waiters = new PositionWaiters();
    waiters.reach(10);
    waiters.reach(0);
    const waiting = waiters.wait(4, 1000);
    waiters.reach(4);
    await expect(waiting).resolves.toBe(true);
  });
});
