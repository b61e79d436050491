import type { RecordedEvent } from '@crm/events';
import type { LogReader, ReadAheadCursor } from './log-reader';

/**
 * A subscription's reads: straight from the store's connection until `after` full batches
 * in a row say it is far behind the head, then ahead on the reader thread until a short
 * batch says it caught up. Reading ahead costs a thread and a copy of every batch, worth
 * it only over a long catch-up (a rebuild); live reads stay direct and as quick as before.
 * Only while no other subscription of the store is catching up (`catchingUp`, shared by
 * them): several catching up together, as read models rebuilt at once, read directly and
 * share each batch read in the same turn (SqliteEventStore.readAll), which parses the log
 * once for all of them; reading ahead for each would parse it once per subscription.
 */
export class CatchUpReads {
  private fullInARow = 0;
  private cursor: ReadAheadCursor | null = null;

  constructor(
    private readonly reader: LogReader | null,
    private readonly direct: (from: number, max: number) => Promise<RecordedEvent[]>,
    private readonly after: number,
    private readonly catchingUp: Set<CatchUpReads>,
  ) {}

  async read(from: number, max: number): Promise<RecordedEvent[]> {
    if (this.cursor && this.catchingUp.size > 1) this.releaseCursor();
    const events = this.cursor ? await this.cursor.read(from, max) : await this.direct(from, max);
    if (events.length < max) {
      this.fullInARow = 0;
      this.release();
    } else {
      this.catchingUp.add(this);
      this.fullInARow += 1;
      if (!this.cursor && this.fullInARow >= this.after && this.catchingUp.size === 1) {
        this.cursor = this.reader?.cursor(this.direct) ?? null;
      }
    }
    return events;
  }

  /** Lets the reader thread go; reads are direct until far behind again. */
  release(): void {
    this.catchingUp.delete(this);
    this.releaseCursor();
  }

  private releaseCursor(): void {
    this.cursor?.release();
    this.cursor = null;
  }
}
