import { newEvent } from '@crm/events/testing';
import { START, type Position, type ReadPosition } from '@kurrent/kurrentdb-client';
import type { AllLog } from '../src/all-reader';
import { isSystemEvent, type AllPageEvent } from '../src/kurrent-mapping';

interface LogRecord {
  readonly position: number;
  readonly size: number;
  readonly streamId: string;
  readonly type: string;
  readonly page: AllPageEvent;
}

/**
 * $all as the KurrentDB server behaves towards a reader (see the server's AllReader): records
 * at byte offsets, a read may only start at a record boundary (anywhere else inside the log
 * fails), a start past the end reads nothing, an exact start is inclusive, a backward read
 * from a position reads what lies before it, and the type filter of `excludeSystemEvents()`
 * is applied server-side.
 */
export class FakeAllLog implements AllLog {
  readonly records: LogRecord[] = [];
  readonly reads: ReadPosition[] = [];
  failure: Error | undefined;
  private end = 0;

  constructor() {
    // A fresh database starts with the server's own records.
    this.write('$epoch-information', '$epoch-information');
    this.write('$scavenges', '$scavengeIndexInitialized');
  }

  /** Appends one record; sizes vary like real events do. */
  write(streamId: string, type = 'ThingHappened'): AllPageEvent {
    const position = this.end;
    const size = 90 + ((this.records.length * 37) % 200);
    const exact = { commit: BigInt(position), prepare: BigInt(position) };
    const event = isSystemEvent(streamId, type)
      ? undefined
      : { ...newEvent(type), streamId, revision: 0, position };
    const page = { exact, position, event };
    this.records.push({ position, size, streamId, type, page });
    this.end += size;
    return page;
  }

  userEvents(): AllPageEvent[] {
    return this.records.filter((r) => r.page.event).map((r) => r.page);
  }

  forward(from: ReadPosition, maxCount: number): Promise<AllPageEvent[]> {
    this.reads.push(from);
    return this.answer(() => {
      const start = from === START ? 0 : this.indexOf(from);
      return this.visible(this.records.slice(start)).slice(0, maxCount);
    });
  }

  backward(before: Position | undefined, maxCount: number): Promise<AllPageEvent[]> {
    return this.answer(() => {
      const stop = before ? this.indexOf(before) : this.records.length;
      return this.visible(this.records.slice(0, stop)).reverse().slice(0, maxCount);
    });
  }

  /** Answers asynchronously, failing as a rejection, like a network call. */
  private answer(read: () => AllPageEvent[]): Promise<AllPageEvent[]> {
    return Promise.resolve().then(() => {
      if (this.failure) throw this.failure;
      return read();
    });
  }

  private indexOf(position: ReadPosition): number {
    if (typeof position === 'string') throw new Error(`unexpected ${position}`);
    const commit = Number(position.commit);
    if (commit >= this.end) return this.records.length;
    const index = this.records.findIndex(
      (r) => BigInt(r.position) === position.commit && position.prepare === position.commit,
    );
    if (index === -1) throw new Error(`Trying to read from an invalid position (${commit}).`);
    return index;
  }

  /** The server-side filter matches on the event type only. */
  private visible(records: LogRecord[]): AllPageEvent[] {
    return records.filter((r) => !r.type.startsWith('$')).map((r) => r.page);
  }
}
