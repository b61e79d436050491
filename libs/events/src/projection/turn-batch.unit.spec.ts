import { TurnBatch } from './turn-batch';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('turn batch', () => {
  /** Doubles each number, recording the requests of each call. */
  const doubling = (maxBatch: number) => {
    const calls: number[][] = [];
    const batch = new TurnBatch<number, number>((requests) => {
      calls.push([...requests]);
      return Promise.resolve(requests.map((n) => n * 2));
    }, maxBatch);
    return { batch, calls };
  };

  it('given requests made in one turn, when answered, then one call answers them all and each gets its own answer', async () => {
    const { batch, calls } = doubling(10);

    const answers = await Promise.all([batch.ask(1), batch.ask(2), batch.ask(3)]);

    expect(answers).toEqual([2, 4, 6]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('given requests made in different turns, then each turn has a call of its own', async () => {
    const { batch, calls } = doubling(10);

    const first = batch.ask(1);
    await nextTurn();
    const second = batch.ask(2);

    expect(await Promise.all([first, second])).toEqual([2, 4]);
    expect(calls).toEqual([[1], [2]]);
  });

  it('given more requests in a turn than a batch holds, then they are split into calls of at most that many', async () => {
    const { batch, calls } = doubling(2);

    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => batch.ask(n)));

    expect(answers).toEqual([2, 4, 6, 8, 10]);
    expect(calls).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('given a call that fails, then every request it held fails with its error and later turns are answered', async () => {
    let failing = true;
    const batch = new TurnBatch<number, number>(
      (requests) =>
        failing
          ? Promise.reject(new Error('store unavailable'))
          : Promise.resolve(requests.map((n) => n + 1)),
      10,
    );

    const outcomes = await Promise.allSettled([batch.ask(1), batch.ask(2)]);
    failing = false;

    expect(outcomes).toEqual([
      { status: 'rejected', reason: new Error('store unavailable') },
      { status: 'rejected', reason: new Error('store unavailable') },
    ]);
    expect(await batch.ask(3)).toBe(4);
  });

  it('given a call that answers fewer requests than it was asked, then they fail rather than get another request’s answer', async () => {
    const batch = new TurnBatch<number, number>(() => Promise.resolve([1]), 10);

    await expect(Promise.all([batch.ask(1), batch.ask(2)])).rejects.toThrow(
      '1 answers to 2 requests',
    );
  });

  it('given a batch size below one, then it is refused', () => {
    expect(() => new TurnBatch<number, number>(() => Promise.resolve([]), 0)).toThrow(
      'a batch holds at least one request, not 0',
    );
  });
});
