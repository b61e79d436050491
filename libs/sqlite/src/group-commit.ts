import type { SqliteDatabase } from './open-database';

interface Job {
  run(): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Runs writes that arrive concurrently in one transaction (one fsync) per turn of the
 * event loop. Each write runs in its own savepoint, so one that fails is rolled back and
 * rejected alone while the others commit. Promises settle only after the commit.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;
  private readonly flushBatch: (jobs: readonly Job[]) => { ok: boolean; value: unknown }[];

  constructor(private readonly db: SqliteDatabase) {
    const inSavepoint = db.transaction((job: Job) => job.run());
    this.flushBatch = db.transaction((jobs: readonly Job[]) =>
      jobs.map((job) => {
        try {
          return { ok: true, value: inSavepoint(job) };
        } catch (error) {
          return { ok: false, value: error };
        }
      }),
    );
  }

  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: write, resolve: resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves once every write queued so far has been committed or rejected. */
  async drain(): Promise<void> {
    await this.run(() => undefined);
  }

  private flush(): void {
    const jobs = this.queue;
    this.queue = [];
    this.scheduled = false;
    let results: { ok: boolean; value: unknown }[];
    try {
      results = this.flushBatch(jobs);
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    results.forEach((result, i) => {
      const job = jobs[i];
      if (result.ok) job?.resolve(result.value);
      else job?.reject(result.value);
    });
  }
}
