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
  readonly indexes: readonly string[];
}

/** Equality filters on document fields, results in id order after a cursor. */
export interface DocumentQuery {
  readonly where?: Readonly<Record<string, string | number | boolean>>;
  /** Cursor: only documents with a greater id. */
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
