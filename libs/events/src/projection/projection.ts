import type { DecodedEvent, DomainEvent } from '../store/event';
import type { ReadModelDefinition, StoredDocument } from './read-model-store.port';

/**
 * A read model as a pure fold over events: `evolve(doc | null, event) → doc | null`, one
 * document per id. Name and version identify the read model; a new version is rebuilt
 * from the start of the log next to the old one.
 */
export interface Projection<D, E extends DomainEvent = DomainEvent> {
  readonly name: string;
  readonly version: number;
  /** Event types this projection folds; the runner skips (and never decodes) the rest. */
  readonly handles: readonly E['type'][];
  /** The document an event belongs to. */
  documentId(event: DecodedEvent<E>): string;
  /** Returns the new document, or null to delete it. */
  evolve(doc: D | null, event: DecodedEvent<E>): D | null;
  /** Document fields the embedded store indexes for the read model's queries. */
  readonly indexes?: readonly string[];
  /** A document field of normalized words that queries match by prefix. */
  readonly search?: { readonly field: string };
  /** Array fields indexed for element match (`DocumentQuery.contains`). */
  readonly multiValued?: readonly string[];
  /**
   * `sealed` (default): personal fields reach `evolve` as SealedValue references that the
   * read model stores as they are and reveals when read (EventCodec.reveal). `revealed`:
   * decrypted, for projections that must look inside personal values.
   */
  readonly personalData?: 'sealed' | 'revealed';
}

export function projectionKey(projection: Pick<Projection<unknown>, 'name' | 'version'>): string {
  return `${projection.name}_v${projection.version}`;
}

/** What the store keeps for the projection's read model: its key, indexes and side tables. */
export function definitionOf<D, E extends DomainEvent>(
  projection: Projection<D, E>,
): ReadModelDefinition {
  const { indexes = [], search, multiValued } = projection;
  return {
    key: projectionKey(projection),
    indexes,
    ...(search && { search }),
    ...(multiValued && { multiValued }),
  };
}

/**
 * Applies one event to its stored document, unless the document already reflects it
 * (its position is at or past the event's): the guard that makes redelivery harmless.
 * Returns undefined when nothing changes.
 */
export function applyEvent<D, E extends DomainEvent>(
  projection: Projection<D, E>,
  current: StoredDocument<D> | undefined,
  event: DecodedEvent<E>,
): StoredDocument<D> | undefined {
  if (current && current.position >= event.position) return undefined;
  return {
    // The same id either way; the document's own string keeps the event's copy collectable.
    id: current?.id ?? projection.documentId(event),
    doc: projection.evolve(current?.doc ?? null, event),
    position: event.position,
  };
}
