interface Asked<Q, R> {
  readonly request: Q;
  resolve(answer: R): void;
  reject(error: unknown): void;
}

/**
 * Collects the requests made in one turn of the event loop and answers them together in
 * its check phase, as the group commit does for writes: requests that arrive concurrently
 * (registrations looking up their duplicates, say) share one round trip to a store, at
 * most `maxBatch` of them per call. A failed call fails every request it held.
 */
export class TurnBatch<Q, R> {
  private pending: Asked<Q, R>[] | null = null;

  constructor(
    /** Answers each request, in the order given. */
    private readonly answer: (requests: readonly Q[]) => Promise<readonly R[]>,
    private readonly maxBatch: number,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new Error(`a batch holds at least one request, not ${maxBatch}`);
    }
  }

  ask(request: Q): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (!this.pending) {
        const batch: Asked<Q, R>[] = [];
        this.pending = batch;
        setImmediate(() => {
          this.pending = null;
          for (let start = 0; start < batch.length; start += this.maxBatch) {
            void this.run(batch.slice(start, start + this.maxBatch));
          }
        });
      }
      this.pending.push({ request, resolve, reject });
    });
  }

  private async run(batch: readonly Asked<Q, R>[]): Promise<void> {
    try {
      const answers = await this.answer(batch.map((asked) => asked.request));
      if (answers.length !== batch.length) {
        throw new Error(`${answers.length} answers to ${batch.length} requests`);
      }
      batch.forEach((asked, i) => asked.resolve(answers[i] as R));
    } catch (error) {
      for (const asked of batch) asked.reject(error);
    }
  }
}
