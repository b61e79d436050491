/** A document with the global position of the last event applied to it. */
export interface StoredDocument<D> {
  readonly id: string;
  /** null once the projection deleted it (the position guard is kept). */
  readonly doc: D | null;
  readonly position: number;
}

export interface ReadModelDefinition {
  /** `<name>_v<version>` */
  readonly key: string;
  /** Scalar fields indexed for equality filters and ordering. */
  readonly indexes: readonly string[];
  /**
   * A field holding an array of words (already normalized, see searchTokens) that
   * `DocumentQuery.search` matches by prefix.
   */
  readonly search?: { readonly field: string };
  /** Array fields indexed for `DocumentQuery.contains` (exact element match). */
  readonly multiValued?: readonly string[];
}

export type FieldValue = string | number | boolean | null;

/** Where a page ends in a query's order: the last document's sort value and id. */
export interface OrderCursor {
  /** The last document's value of the order field (ignored when ordering by id). */
  readonly value?: string | number | null;
  readonly id: string;
}

/**
 * Filters on document fields, ordered by id (default) or by one field with ties broken by
 * id in the same direction. Nulls (and missing fields) sort before every value.
 */
export interface DocumentQuery {
  /** Equality on (nested) fields; null matches a null or missing field. */
  readonly where?: Readonly<Record<string, FieldValue>>;
  /** Array field (declared `multiValued`) holding this element. */
  readonly contains?: Readonly<Record<string, string>>;
  /** Every word is a prefix of some word of the definition's `search` field. */
  readonly search?: readonly string[];
  /** `field` omitted: the document id. */
  readonly orderBy?: { readonly field?: string; readonly direction: 'asc' | 'desc' };
  /** Keyset cursor: only documents after this one in the query's order. */
  readonly after?: OrderCursor;
  /** Cursor of the default id order: only documents with a greater id. */
  readonly afterId?: string;
  readonly limit: number;
}

export interface CommitOptions {
  /**
   * More commits follow right away (the runner is catching up with the log). A store may
   * then put off index upkeep, such as building secondary indexes once instead of updating
   * them per document, but must finish it in the first commit without this flag.
   */
  readonly catchingUp?: boolean;
}

export interface ReadModelStore {
  /** Creates the read model's storage (and indexes) if needed. */
  ensure(definition: ReadModelDefinition): Promise<void>;
  /** Last global position applied, 0 when nothing was. */
  checkpoint(key: string): Promise<number>;
  /** True when the read model holds no document at all, deleted ones included. */
  isEmpty(key: string): Promise<boolean>;
  load<D>(key: string, ids: readonly string[]): Promise<Map<string, StoredDocument<D>>>;
  /** Live (not deleted) documents matching the query, in id order. */
  find<D>(key: string, query: DocumentQuery): Promise<D[]>;
  /** What `find` answers for each query, in one round trip where the store can. */
  findEach<D>(key: string, queries: readonly DocumentQuery[]): Promise<D[][]>;
  /** Writes the documents and moves the checkpoint atomically. */
  commit(
    key: string,
    changes: readonly StoredDocument<unknown>[],
    checkpoint: number,
    options?: CommitOptions,
  ): Promise<void>;
  /** Drops the read model's documents and checkpoint, for a rebuild from position 0. */
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}
