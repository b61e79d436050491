import type { CloudEvent } from '@crm/events';
import type { Delivery, EventHandler } from '../bus.port';

/**
 * A handler's observable effects for the tests: every call it got, and per stream the
 * revisions it applied, in order. Duplicates and gaps show up here.
 */
export class AppliedEffects {
  readonly calls: { event: CloudEvent; delivery: Delivery; by: string }[] = [];
  private readonly revisions = new Map<string, number[]>();

  handler(by: string, fail?: (event: CloudEvent) => boolean): EventHandler {
    return (event, delivery) => {
      this.calls.push({ event, delivery, by });
      if (fail?.(event)) return Promise.reject(new Error(`cannot apply ${event.id}`));
      const list = this.revisions.get(event.subject) ?? [];
      list.push(event.streamrevision);
      this.revisions.set(event.subject, list);
      return Promise.resolve();
    };
  }

  get count(): number {
    let total = 0;
    for (const list of this.revisions.values()) total += list.length;
    return total;
  }

  byStream(): Record<string, number[]> {
    return Object.fromEntries(this.revisions);
  }

  /** Streams mapped to [0..perStream-1]: each revision applied once, in order. */
  static expected(streamIds: readonly string[], perStream: number): Record<string, number[]> {
    const revisions = Array.from({ length: perStream }, (_, i) => i);
    return Object.fromEntries(streamIds.map((id) => [id, revisions]));
  }
}
