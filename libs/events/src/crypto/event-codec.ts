import type { ContractRegistry } from '../contracts/event-contract';
import type { DecodedEvent, DomainEvent, RecordedEvent } from '../store/event';
import { open, seal } from './personal-data-cipher';
import type { SubjectKeyStore } from './subject-key-store.port';

/** Data member that carries an event's personal fields, sealed with the stream's key. */
export const SEALED_FIELD = '$personal';

type Data = Record<string, unknown>;

/**
 * Translates between domain events and their stored form. Personal fields never reach the
 * store in clear: they are sealed together into one member with the subject's (stream's)
 * key. When the key has been destroyed, decoding yields null for them and marks the event
 * as erased, while the non-personal facts stay readable.
 */
export class EventCodec {
  private readonly cache = new Map<string, Buffer | null>();

  constructor(
    private readonly contracts: ContractRegistry,
    private readonly keys: SubjectKeyStore,
    private readonly cacheSize = 10_000,
  ) {}

  async encodeData(streamId: string, event: DomainEvent): Promise<unknown> {
    const { personalFields } = this.contracts.get(event.type);
    if (personalFields.length === 0) return event.data;
    const key = await this.keys.getOrCreate(streamId);
    if (!key) throw new SubjectErasedError(streamId);
    this.remember(streamId, key);
    const data: Data = {};
    const personal: Data = {};
    for (const [field, value] of Object.entries(event.data as Data)) {
      if (personalFields.includes(field)) personal[field] = value;
      else data[field] = value;
    }
    data[SEALED_FIELD] = seal(key, streamId, personal);
    return data;
  }

  async decode<E extends DomainEvent>(
    events: readonly RecordedEvent[],
  ): Promise<DecodedEvent<E>[]> {
    const decoded: DecodedEvent<E>[] = [];
    for (const event of events) decoded.push(await this.decodeOne<E>(event));
    return decoded;
  }

  /** Forgets cached keys of a subject (after its key was destroyed). */
  forget(subject: string): void {
    this.cache.delete(subject);
  }

  private async decodeOne<E extends DomainEvent>(event: RecordedEvent): Promise<DecodedEvent<E>> {
    const { personalFields } = this.contracts.get(event.type);
    const stored = event.data as Data;
    if (personalFields.length === 0 || !(SEALED_FIELD in stored)) {
      return { ...event, erased: false } as unknown as DecodedEvent<E>;
    }
    const { [SEALED_FIELD]: sealed, ...data } = stored;
    const key = await this.key(event.streamId);
    if (key && typeof sealed === 'string') {
      Object.assign(data, open(key, event.streamId, sealed));
      return { ...event, data, erased: false } as unknown as DecodedEvent<E>;
    }
    for (const field of personalFields) data[field] = null;
    return { ...event, data, erased: true } as unknown as DecodedEvent<E>;
  }

  private async key(subject: string): Promise<Buffer | null> {
    const cached = this.cache.get(subject);
    if (cached !== undefined) return cached;
    const key = await this.keys.find(subject);
    this.remember(subject, key);
    return key;
  }

  private remember(subject: string, key: Buffer | null): void {
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(subject, key);
  }
}

export class SubjectErasedError extends Error {
  constructor(readonly subject: string) {
    super(`personal data of ${subject} has been erased; nothing personal can be written for it`);
  }
}
