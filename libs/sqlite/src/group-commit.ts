import type { SqliteDatabase } from './open-database';

interface Job {
  run(): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * When a group commit flushes in a turn of the event loop, relative to the others of the
 * process: every `first` one before every `then` one. A write that is only queued once
 * another committed (an event sealed with a key just created) so joins the same turn's
 * flush: the first flush's promises settle, and their continuations run, before the next
 * flush starts. Without the order it would wait for the next turn.
 */
export type FlushOrder = 'first' | 'then';

/** The group commits of the process, flushed in order in the check phase of each turn. */
const flushes = {
  members: { first: new Set<GroupCommit>(), then: new Set<GroupCommit>() },
  queued: new Set<GroupCommit>(),

  /** `commit` got a job: queues its flush, and those after it, unless already queued. */
  request(commit: GroupCommit): void {
    if (this.queued.has(commit)) return;
    const ordered = [...this.members.first, ...this.members.then];
    const at = ordered.indexOf(commit);
    for (const member of at === -1 ? [commit] : ordered.slice(at)) {
      if (this.queued.has(member)) continue;
      this.queued.add(member);
      // Queued while the check phase runs, it runs in the next turn's.
      setImmediate(() => {
        this.queued.delete(member);
        member.flush();
      });
    }
  },
};

/**
 * Runs writes that arrive concurrently in one transaction (one fsync) per turn of the
 * event loop. Each write runs in its own savepoint, so one that fails is rolled back and
 * rejected alone while the others commit. Promises settle only after the commit.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private readonly flushBatch: (jobs: readonly Job[]) => { ok: boolean; value: unknown }[];

  constructor(db: SqliteDatabase, order: FlushOrder = 'then') {
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
    flushes.members[order].add(this);
  }

  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: write, resolve: resolve, reject });
      flushes.request(this);
    });
  }

  /** Resolves once every write queued so far has been committed or rejected. */
  async drain(): Promise<void> {
    await this.run(() => undefined);
  }

  /** After the last drain: the process's flushes no longer include this one. */
  close(): void {
    flushes.members.first.delete(this);
    flushes.members.then.delete(this);
  }

  /** Commits what is queued; called by the turn's flushes. */
  flush(): void {
    const jobs = this.queue;
    if (jobs.length === 0) return;
    this.queue = [];
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
