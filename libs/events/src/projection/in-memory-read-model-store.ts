import type {
  DocumentQuery,
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

  ensure(definition: ReadModelDefinition): Promise<void> {
    if (!this.models.has(definition.key))
      this.models.set(definition.key, { checkpoint: 0, docs: new Map() });
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

  find<D>(key: string, query: DocumentQuery): Promise<D[]> {
    const matches = [...this.model(key).docs.values()]
      .filter((d) => d.doc !== null && (query.afterId === undefined || d.id > query.afterId))
      .filter((d) =>
        Object.entries(query.where ?? {}).every(
          ([field, value]) => fieldOf(d.doc, field) === value,
        ),
      )
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, query.limit);
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
