import type { StoredDocument } from './read-model-store.port';

/** A pending document and the position of the first event folded into it since it was stored. */
export interface PendingEntry<D> {
  doc: StoredDocument<D>;
  readonly since: number;
}

/**
 * A runner's documents folded but not yet committed, up to `position`, each with the
 * position of the first event folded into it since it was last stored: what decides how far
 * the checkpoint may go when some of them are kept back.
 */
export class PendingDocuments<D> {
  /** The last position folded. */
  position = 0;
  /** One entry per document, updated in place: a rebuild sets a document per event. */
  private entries = new Map<string, PendingEntry<D>>();
  /** `position` at the last `take`. */
  private takenAt = 0;

  get size(): number {
    return this.entries.size;
  }

  get(id: string): StoredDocument<D> | undefined {
    return this.entries.get(id)?.doc;
  }

  /** The entry of a pending document, to be passed back to `set` when it changes again. */
  entry(id: string): PendingEntry<D> | undefined {
    return this.entries.get(id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /**
   * A document as changed by the event at its position. `entry`: its entry, when the caller
   * just looked it up with `entry` (a rebuild sets a document per event: one lookup, not two).
   */
  set(doc: StoredDocument<D>, entry = this.entries.get(doc.id)): void {
    if (entry) entry.doc = doc;
    else this.entries.set(doc.id, { doc, since: doc.position });
  }

  /** Forgets all, for the events to be folded again from the stored checkpoint. */
  clear(): void {
    this.entries.clear();
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
    const kept = new Map<string, PendingEntry<D>>();
    let checkpoint = this.position;
    for (const entry of this.mostRecent(keep)) {
      kept.set(entry.doc.id, entry);
      checkpoint = Math.min(checkpoint, entry.since - 1);
    }
    const changes = new Map<string, StoredDocument<D>>();
    for (const [id, entry] of this.entries) if (!kept.has(id)) changes.set(id, entry.doc);
    this.entries = kept;
    this.takenAt = this.position;
    return { changes, checkpoint };
  }

  private mostRecent(count: number): PendingEntry<D>[] {
    if (count <= 0) return [];
    const candidates: PendingEntry<D>[] = [];
    for (const entry of this.entries.values()) {
      if (entry.since > this.takenAt) candidates.push(entry);
    }
    candidates.sort((a, b) => b.doc.position - a.doc.position);
    return candidates.slice(0, count);
  }
}
