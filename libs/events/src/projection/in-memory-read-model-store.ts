import type {
  DocumentQuery,
  FieldValue,
  OrderCursor,
  ReadModelDefinition,
  ReadModelStore,
  StoredDocument,
} from './read-model-store.port';

/** Read-model store held in memory: for unit tests only. */
export class InMemoryReadModelStore implements ReadModelStore {
  private readonly models = new Map<
    string,
    { checkpoint: number; docs: Map<string, StoredDocument<unknown>> }
  >();
  private readonly definitions = new Map<string, ReadModelDefinition>();

  ensure(definition: ReadModelDefinition): Promise<void> {
    if (!this.models.has(definition.key))
      this.models.set(definition.key, { checkpoint: 0, docs: new Map() });
    this.definitions.set(definition.key, definition);
    return Promise.resolve();
  }

  checkpoint(key: string): Promise<number> {
    return Promise.resolve(this.model(key).checkpoint);
  }

  isEmpty(key: string): Promise<boolean> {
    return Promise.resolve(this.model(key).docs.size === 0);
  }

  load<D>(key: string, ids: readonly string[]): Promise<Map<string, StoredDocument<D>>> {
    const docs = this.model(key).docs;
    const found = new Map<string, StoredDocument<D>>();
    for (const id of ids) {
      const doc = docs.get(id);
      if (doc) found.set(id, doc as StoredDocument<D>);
    }
    return Promise.resolve(found);
  }

  findEach<D>(key: string, queries: readonly DocumentQuery[]): Promise<D[][]> {
    return Promise.all(queries.map((query) => this.find<D>(key, query)));
  }

  find<D>(key: string, query: DocumentQuery): Promise<D[]> {
    const searchField = this.definitions.get(key)?.search?.field;
    const field = query.orderBy?.field;
    const direction = query.orderBy?.direction === 'desc' ? -1 : 1;
    const position = (d: StoredDocument<unknown>): OrderCursor => ({
      value: field === undefined ? null : (scalarOf(d.doc, field) as string | number | null),
      id: d.id,
    });
    const compare = (a: OrderCursor, b: OrderCursor): number =>
      direction * (compareValues(a.value ?? null, b.value ?? null) || compareValues(a.id, b.id));
    const after = query.after ?? (query.afterId === undefined ? undefined : { id: query.afterId });
    const matches = [...this.model(key).docs.values()]
      .filter((d) => d.doc !== null && (after === undefined || compare(position(d), after) > 0))
      .filter((d) =>
        Object.entries(query.where ?? {}).every(([name, value]) => scalarOf(d.doc, name) === value),
      )
      .filter((d) =>
        Object.entries(query.contains ?? {}).every(([name, value]) =>
          arrayOf(d.doc, name).includes(value),
        ),
      )
      .filter((d) => {
        const words = searchField === undefined ? [] : arrayOf(d.doc, searchField);
        return (query.search ?? []).every((q) =>
          words.some((word) => typeof word === 'string' && word.startsWith(q)),
        );
      })
      .sort((a, b) => compare(position(a), position(b)))
      .slice(0, Math.max(query.limit, 0));
    return Promise.resolve(matches.map((d) => d.doc as D));
  }

  commit(
    key: string,
    changes: readonly StoredDocument<unknown>[],
    checkpoint: number,
  ): Promise<void> {
    const model = this.model(key);
    for (const change of changes) model.docs.set(change.id, change);
    model.checkpoint = checkpoint;
    return Promise.resolve();
  }

  reset(key: string): Promise<void> {
    this.models.set(key, { checkpoint: 0, docs: new Map() });
    return Promise.resolve();
  }

  /** Every live document of a read model (for tests). */
  documents<D>(key: string): D[] {
    return [...this.model(key).docs.values()].flatMap((d) => (d.doc === null ? [] : [d.doc as D]));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private model(key: string) {
    const model = this.models.get(key);
    if (!model) throw new Error(`read model ${key} was not ensured`);
    return model;
  }
}

/** Nulls first, then values in their natural (binary for strings) order. */
function compareValues(a: FieldValue, b: FieldValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function scalarOf(doc: unknown, path: string): FieldValue {
  const value = fieldOf(doc, path);
  return value === undefined ? null : (value as FieldValue);
}

function arrayOf(doc: unknown, path: string): unknown[] {
  const value = fieldOf(doc, path);
  return Array.isArray(value) ? value : [];
}

function fieldOf(doc: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, part) =>
        value !== null && typeof value === 'object'
          ? (value as Record<string, unknown>)[part]
          : undefined,
      doc,
    );
}
