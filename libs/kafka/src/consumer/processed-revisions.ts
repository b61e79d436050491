/**
 * What a consumer has applied, per stream: the revision of the last event applied. An
 * event at or below it is a redelivery (a relay republishing after a crash, a consumer
 * restarted before its offset commit) and is skipped. A durable implementation keeps it
 * in the same transaction as the handler's effects; then nothing is applied twice.
 */
export interface ProcessedRevisions {
  /** -1 when nothing of the stream was applied. */
  lastApplied(streamId: string): Promise<number>;
  markApplied(streamId: string, revision: number): Promise<void>;
}

/** For tests and consumers whose effects are in memory too. */
export class InMemoryProcessedRevisions implements ProcessedRevisions {
  private readonly revisions = new Map<string, number>();

  lastApplied(streamId: string): Promise<number> {
    return Promise.resolve(this.revisions.get(streamId) ?? -1);
  }

  markApplied(streamId: string, revision: number): Promise<void> {
    this.revisions.set(streamId, Math.max(revision, this.revisions.get(streamId) ?? -1));
    return Promise.resolve();
  }
}
