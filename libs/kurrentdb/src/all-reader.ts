import type { RecordedEvent } from '@crm/events';
import { START, type Position, type ReadPosition } from '@kurrent/kurrentdb-client';
import type { AllPageEvent } from './kurrent-mapping';

/** The two reads of $all the reader needs; system events are already filtered by type. */
export interface AllLog {
  /** Up to `maxCount` events from `from` on (an exact position is inclusive). */
  forward(from: ReadPosition, maxCount: number): Promise<AllPageEvent[]>;
  /** The last few events of the log, newest first, before `before` (END when undefined). */
  backward(before: Position | undefined, maxCount: number): Promise<AllPageEvent[]>;
}

const MISS_PAGE = 500;
const HEAD_PAGE = 64;

/**
 * `readAll(fromPosition)` on top of KurrentDB's $all.
 *
 * Our positions are commit positions: byte offsets in the log, increasing but far apart.
 * The server starts a read only at an exact record boundary; anywhere else it fails (or, on
 * old servers, misreads). Callers pass `last + 1`, an exact position, or `1`, so the
 * boundary to start from is the event at `from - 1` or at `from`. The reader starts there
 * and drops what lies below `from`, and it only trusts a start that proves itself: the first
 * event read must sit exactly where it started.
 *
 * Where the exact positions come from, in order:
 * 1. where this reader's previous reads stopped (an LRU): the steady state of catch-up;
 * 2. `{commit: n, prepare: n}`: every event appended through gRPC commits itself, so its
 *    commit and prepare positions are both its own record's offset (a guess, verified);
 * 3. the start of the log, dropping everything below `from` (slow; arbitrary numbers only).
 */
export class AllReader {
  private readonly known = new Map<number, Position>();

  constructor(
    private readonly log: AllLog,
    private readonly capacity = 4096,
  ) {}

  async read(from: number, maxCount: number): Promise<RecordedEvent[]> {
    if (maxCount <= 0) return [];
    if (from <= 1) return (await this.scan(START, from, maxCount)) ?? [];
    const fromKnown = await this.fromKnown(from, maxCount);
    if (fromKnown) return fromKnown;
    // Nothing at or after `from` yet: answer now, before guessing at positions past the end.
    if (from > (await this.head())) return [];
    const again = await this.fromKnown(from, maxCount); // the head may be the boundary
    if (again) return again;
    for (const n of [from - 1, from]) {
      const guess = { commit: BigInt(n), prepare: BigInt(n) };
      // A guess that is no boundary is refused by the server: that is the expected miss.
      const events = await this.scan(guess, from, maxCount, n).catch(() => undefined);
      if (events) return events;
    }
    return (await this.scan(START, from, maxCount)) ?? [];
  }

  /** Position of the last user event, 0 when there is none. */
  async head(): Promise<number> {
    let before: AllPageEvent | undefined;
    for (;;) {
      const page = await this.log.backward(before?.exact, HEAD_PAGE);
      const newest = page.find((item) => item.event);
      if (newest) {
        this.remember(newest); // "after the head" is where a new subscriber starts reading
        return newest.position;
      }
      const oldest = page.at(-1);
      if (!oldest || page.length < HEAD_PAGE) return 0;
      // Only a tail of system events gets here; fail rather than loop if the server does not
      // read strictly before the given position.
      if (before && oldest.position >= before.position)
        throw new Error(`KurrentDB read backwards from ${before.position} did not move back`);
      before = oldest;
    }
  }

  private async fromKnown(from: number, maxCount: number): Promise<RecordedEvent[] | undefined> {
    for (const n of [from - 1, from]) {
      const exact = this.known.get(n);
      const events = exact && (await this.scan(exact, from, maxCount, n));
      if (!events) continue;
      // A caught-up subscriber keeps asking after the same event: keep that place too.
      if (events.length === 0) this.remember({ exact, position: n, event: undefined });
      return events;
    }
    return undefined;
  }

  /**
   * Reads forward from `start`, keeping user events at or after `from`, and remembers the
   * last one kept: the caller's next read starts after it. Only that one, so subscriptions
   * reading big batches do not evict each other's place. With `expectFirst`, returns
   * undefined unless the first event read is exactly there (the start is verified).
   */
  private async scan(
    start: ReadPosition,
    from: number,
    maxCount: number,
    expectFirst?: number,
  ): Promise<RecordedEvent[] | undefined> {
    const kept: AllPageEvent[] = [];
    let cursor = start;
    let floor = from;
    let expected = expectFirst;
    for (;;) {
      // One more than still wanted: a read from an exact position repeats that event. Later
      // pages only happen while skipping, so they read in bigger steps.
      const remaining = maxCount - kept.length + 1;
      const want = cursor === start ? remaining : Math.max(remaining, MISS_PAGE);
      const page = await this.log.forward(cursor, want);
      if (expected !== undefined && page[0]?.position !== expected) return undefined;
      expected = undefined;
      const wanted = page.filter((item) => item.event && item.position >= floor);
      kept.push(...wanted.slice(0, maxCount - kept.length));
      const last = page.at(-1);
      // The server fills a filtered page until `want` or the end of the log: short means the end.
      if (kept.length === maxCount || !last || page.length < want) break;
      cursor = last.exact;
      floor = Math.max(floor, last.position + 1);
    }
    const newest = kept.at(-1);
    if (newest) this.remember(newest);
    return kept.flatMap((item) => (item.event ? [item.event] : []));
  }

  private remember(item: AllPageEvent): void {
    this.known.delete(item.position);
    this.known.set(item.position, item.exact);
    if (this.known.size <= this.capacity) return;
    const oldest = this.known.keys().next();
    if (!oldest.done) this.known.delete(oldest.value);
  }
}
