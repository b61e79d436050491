/**
 * Per-subject data keys for crypto-shredding: personal fields are encrypted with the key of
 * their subject, and destroying the key erases them from every copy of the log at once.
 */
export interface SubjectKeyStore {
  /** The subject's key, created on first use; null once the key has been destroyed. */
  getOrCreate(subject: string): Promise<Buffer | null>;
  /** The subject's key, or null if it never existed or was destroyed. */
  find(subject: string): Promise<Buffer | null>;
  /** Destroys the key for good; later reads of the subject's personal fields yield null. */
  destroy(subject: string): Promise<void>;
  close(): Promise<void>;
}

export class InMemorySubjectKeyStore implements SubjectKeyStore {
  private readonly keys = new Map<string, Buffer | null>();

  constructor(private readonly generate: () => Buffer) {}

  getOrCreate(subject: string): Promise<Buffer | null> {
    if (!this.keys.has(subject)) this.keys.set(subject, this.generate());
    return Promise.resolve(this.keys.get(subject) ?? null);
  }

  find(subject: string): Promise<Buffer | null> {
    return Promise.resolve(this.keys.get(subject) ?? null);
  }

  destroy(subject: string): Promise<void> {
    this.keys.set(subject, null);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
