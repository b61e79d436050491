import { batchTick } from './batch-tick';

describe('batchTick', () => {
  it('given waits for the same delay while one runs, then they are that one', async () => {
    const running = batchTick(20);
    expect(batchTick(20)).toBe(running);
    expect(batchTick(30)).not.toBe(running);
    await running;
  });

  it('given the wait is over, then the next one is a new wait', async () => {
    const over = batchTick(5);
    await over;
    const next = batchTick(5);
    expect(next).not.toBe(over);
    await next;
  });
});
