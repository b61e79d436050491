import { attempt } from './retry-policy';

const fast = { attempts: 3, initialDelayMs: 1, maxDelayMs: 5 };

describe('retry policy', () => {
  it('given work that fails twice, then the third try succeeds and between ran before each wait', async () => {
    let tries = 0;
    let betweens = 0;

    const outcome = await attempt(
      () => (++tries < 3 ? Promise.reject(new Error(`try ${String(tries)}`)) : Promise.resolve()),
      fast,
      () => {
        betweens += 1;
        return Promise.resolve();
      },
    );

    expect(outcome).toEqual({ ok: true });
    expect([tries, betweens]).toEqual([3, 2]);
  });

  it('given work that always fails, then it stops after the attempts with the last error', async () => {
    let tries = 0;

    const outcome = await attempt(() => Promise.reject(new Error(`try ${String(++tries)}`)), fast);

    expect(outcome).toEqual({ ok: false, error: new Error('try 3'), attempts: 3 });
  });
});
