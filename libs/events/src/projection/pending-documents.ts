import type { StoredDocument } from './read-model-store.port';

/**
 * A runner's documents folded but not yet committed, up to `position`, each with the
 * position of the first event folded into it since it was last stored: what decides how far
 * the checkpoint may go when some of them are kept back.
 */
export class PendingDocuments<D> {
  /** The last position folded. */
  position = 0;
  private docs = new Map<string, StoredDocument<D>>();
  private since = new Map<string, number>();
  /** `position` at the last `take`. */
  private takenAt = 0;

  get size(): number {
    return this.docs.size;
  }

  get(id: string): StoredDocument<D> | undefined {
    return this.docs.get(id);
  }

  has(id: string): boolean {
    return this.docs.has(id);
  }

  /** A document as changed by the event at its position. */
  set(doc: StoredDocument<D>): void {
    if (!this.docs.has(doc.id)) this.since.set(doc.id, doc.position);
    this.docs.set(doc.id, doc);
  }

  /** Forgets all, for the events to be folded again from the stored checkpoint. */
  clear(): void {
    this.docs.clear();
    this.since.clear();
    this.position = 0;
    this.takenAt = 0;
  }

  /**
   * The documents to commit now, and the checkpoint to commit with them. Up to `keep` of the
   * most recently changed documents stay pending: they are the likeliest to change again
   * soon, and would then be written twice. The checkpoint stops before the first event
   * that a kept document still lacks in storage. Only documents first changed since the
   * last take are kept, so the checkpoint always reaches the position of that take.
   */
  take(keep: number): { changes: Map<string, StoredDocument<D>>; checkpoint: number } {
    const changes = this.docs;
    const docs = new Map<string, StoredDocument<D>>();
    const since = new Map<string, number>();
    let checkpoint = this.position;
    for (const id of this.mostRecent(keep)) {
      const first = this.since.get(id) ?? 0;
      docs.set(id, changes.get(id) as StoredDocument<D>);
      since.set(id, first);
      changes.delete(id);
      checkpoint = Math.min(checkpoint, first - 1);
    }
    this.docs = docs;
    this.since = since;
    this.takenAt = this.position;
    return { changes, checkpoint };
  }

  private mostRecent(count: number): string[] {
    if (count <= 0) return [];
    const candidates: StoredDocument<D>[] = [];
    for (const [id, doc] of this.docs) {
      if ((this.since.get(id) ?? 0) > this.takenAt) candidates.push(doc);
    }
    candidates.sort((a, b) => b.position - a.position);
    return candidates.slice(0, count).map((doc) => doc.id);
  }
}
