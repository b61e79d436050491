import { applyEvent, type Projection } from '../projection/projection';
import type { StoredDocument } from '../projection/read-model-store.port';
import type { DecodedEvent, DomainEvent, EventMetadata } from '../store/event';
import { TEST_METADATA } from './test-metadata';

export interface SpecEvent<E extends DomainEvent> {
  readonly streamId: string;
  readonly event: E;
  readonly metadata?: Partial<EventMetadata>;
  readonly erased?: boolean;
}

/**
 * Given/when/then specification of a projection, applied through the same position guard
 * the runner uses. `.then(doc)` checks the document after the event and that delivering
 * the same event a second time leaves it unchanged.
 */
export function projectionSpec<D, E extends DomainEvent>(projection: Projection<D, E>) {
  return {
    given(history: readonly SpecEvent<E>[]) {
      let position = 0;
      const revisions = new Map<string, number>();
      const record = (spec: SpecEvent<E>): DecodedEvent<E> => {
        const revision = (revisions.get(spec.streamId) ?? -1) + 1;
        revisions.set(spec.streamId, revision);
        return {
          id: `event-${++position}`,
          streamId: spec.streamId,
          revision,
          position,
          metadata: { ...TEST_METADATA, ...spec.metadata },
          erased: spec.erased ?? false,
          ...spec.event,
        };
      };
      const docs = new Map<string, StoredDocument<D>>();
      const apply = (event: DecodedEvent<E>) => {
        const id = projection.documentId(event);
        const next = applyEvent(projection, docs.get(id), event);
        if (next) docs.set(id, next);
        return docs.get(id)?.doc ?? null;
      };
      for (const spec of history) apply(record(spec));
      return {
        when(spec: SpecEvent<E>) {
          const event = record(spec);
          return {
            /** The document after the event; delivering the event again changes nothing. */
            then(expected: D | null): void {
              expect(apply(event)).toEqual(expected);
              expect(apply(event)).toEqual(expected);
            },
          };
        },
      };
    },
  };
}
