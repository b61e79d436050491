import type { ContractRegistry } from '../contracts/event-contract';
import type { DecodedEvent, DomainEvent, RecordedEvent } from '../store/event';
import { open, seal } from './personal-data-cipher';
import type { SubjectKeyStore } from './subject-key-store.port';

/** Data member that carries an event's personal fields, sealed with the stream's key. */
export const SEALED_FIELD = '$personal';

/**
 * A personal value left sealed. Read models store it as it is and reveal it only when they
 * are read, so rebuilding them never decrypts, and once the subject's key is destroyed
 * every read model stops showing the value at the same moment.
 *
 * `[blob, subject, field]`: the event's sealed personal data, the subject whose key opens
 * it, and the member that holds this value. A tuple under one name keeps the JSON short,
 * as every document repeats it for each personal field. No `$` in the name: MongoDB
 * refuses field names starting with it.
 */
export interface SealedValue {
  readonly sealed: readonly [blob: string, subject: string, field: string];
}
/** How documents stored before the tuple form hold a sealed value; still revealed. */
interface LegacySealedValue {
  readonly sealedWith: string;
  readonly subject: string;
  readonly field: string;
}
export type Personal<T> = T | SealedValue;
/** A document with its sealed values revealed (null where the subject was erased). */
export type Revealed<T> = { [K in keyof T]: Exclude<T[K], SealedValue> };

export function isSealedValue(value: unknown): value is SealedValue {
  if (typeof value !== 'object' || value === null) return false;
  const sealed = (value as { sealed?: unknown }).sealed;
  return (
    Array.isArray(sealed) &&
    sealed.length === 3 &&
    sealed.every((part: unknown) => typeof part === 'string')
  );
}

function isLegacySealedValue(value: unknown): value is LegacySealedValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LegacySealedValue).sealedWith === 'string'
  );
}

type Data = Record<string, unknown>;

/**
 * Translates between domain events and their stored form. Personal fields never reach the
 * store in clear: they are sealed together into one member with the subject's (stream's)
 * key. When the key has been destroyed, decoding yields null for them and marks the event
 * as erased, while the non-personal facts stay readable.
 */
export class EventCodec {
  private readonly cache = new Map<string, Buffer | null>();
  private readonly forgetListeners: ((subject: string) => void)[] = [];
  /**
   * Events decoded in this turn of the event loop, by id: read models that reveal personal
   * data and fold the same batch decrypt it once. Dropped at the end of the turn and when a
   * key is forgotten.
   */
  private decodedThisTurn: Map<string, DecodedEvent> | null = null;

  constructor(
    private readonly contracts: ContractRegistry,
    private readonly keys: SubjectKeyStore,
    private readonly cacheSize = 10_000,
  ) {}

  async encodeData(streamId: string, event: DomainEvent): Promise<unknown> {
    const contract = this.contracts.get(event.type);
    const { personalFields } = contract;
    if (personalFields.length === 0) return event.data;
    const subject = contract.subjectOf?.(event.data as Data) ?? streamId;
    const key = await this.keys.getOrCreate(subject);
    if (!key) throw new SubjectErasedError(subject);
    this.remember(subject, key);
    const data: Data = {};
    const personal: Data = {};
    for (const [field, value] of Object.entries(event.data as Data)) {
      if (personalFields.includes(field)) personal[field] = value;
      else data[field] = value;
    }
    data[SEALED_FIELD] = seal(key, subject, personal);
    return data;
  }

  async decode<E extends DomainEvent>(
    events: readonly RecordedEvent[],
  ): Promise<DecodedEvent<E>[]> {
    const decoded: DecodedEvent<E>[] = [];
    for (const event of events) {
      let done = this.decodedThisTurn?.get(event.id) as DecodedEvent<E> | undefined;
      if (!done) {
        done = await this.decodeOne<E>(event);
        this.rememberDecoded(done);
      }
      decoded.push(done);
    }
    return decoded;
  }

  private rememberDecoded(event: DecodedEvent): void {
    if (!this.decodedThisTurn) {
      const decoded = new Map<string, DecodedEvent>();
      this.decodedThisTurn = decoded;
      setImmediate(() => {
        if (this.decodedThisTurn === decoded) this.decodedThisTurn = null;
      });
    }
    this.decodedThisTurn.set(event.id, event);
  }

  /**
   * Decodes without decrypting: personal fields become SealedValue references, to be
   * revealed when read. Needs no key lookups, so replaying the log stays cheap.
   */
  decodeSealed<E extends DomainEvent>(events: readonly RecordedEvent[]): DecodedEvent<E>[] {
    const decoded: DecodedEvent<E>[] = [];
    for (const event of events) {
      const contract = this.contracts.get(event.type);
      const { personalFields } = contract;
      const stored = event.data as Data;
      const sealed = stored[SEALED_FIELD];
      let data = stored;
      if (personalFields.length > 0 && typeof sealed === 'string') {
        const subject = contract.subjectOf?.(stored) ?? event.streamId;
        data = {};
        for (const field in stored) if (field !== SEALED_FIELD) data[field] = stored[field];
        for (const field of personalFields) {
          const value: SealedValue = { sealed: [sealed, subject, field] };
          data[field] = value;
        }
      }
      decoded.push({
        id: event.id,
        streamId: event.streamId,
        revision: event.revision,
        position: event.position,
        type: event.type,
        data,
        metadata: event.metadata,
        erased: false,
      } as unknown as DecodedEvent<E>);
    }
    return decoded;
  }

  /** Replaces every SealedValue in the documents by its clear value, or null once erased. */
  async reveal<T>(docs: readonly T[]): Promise<Revealed<T>[]> {
    const opened = new Map<string, Data | null>();
    const openOnce = async ([blob, subject, field]: SealedValue['sealed']): Promise<unknown> => {
      const id = `${subject}\n${blob}`;
      let personal = opened.get(id);
      if (personal === undefined) {
        const key = await this.key(subject);
        personal = key ? (open(key, subject, blob) as Data) : null;
        opened.set(id, personal);
      }
      return personal ? (personal[field] ?? null) : null;
    };
    const walk = async (value: unknown): Promise<unknown> => {
      if (isSealedValue(value)) return openOnce(value.sealed);
      if (isLegacySealedValue(value))
        return openOnce([value.sealedWith, value.subject, value.field]);
      if (Array.isArray(value)) return Promise.all(value.map(walk));
      if (typeof value !== 'object' || value === null) return value;
      const out: Data = {};
      for (const [field, inner] of Object.entries(value)) out[field] = await walk(inner);
      return out;
    };
    return (await Promise.all(docs.map(walk))) as Revealed<T>[];
  }

  /** Forgets cached keys of a subject (after its key was destroyed). */
  forget(subject: string): void {
    this.cache.delete(subject);
    this.decodedThisTurn = null;
    for (const listener of this.forgetListeners) listener(subject);
  }

  /** Told every subject forgotten: codecs of other threads that must forget it too. */
  onForget(listener: (subject: string) => void): void {
    this.forgetListeners.push(listener);
  }

  private async decodeOne<E extends DomainEvent>(event: RecordedEvent): Promise<DecodedEvent<E>> {
    const contract = this.contracts.get(event.type);
    const { personalFields } = contract;
    const stored = event.data as Data;
    if (personalFields.length === 0 || !(SEALED_FIELD in stored)) {
      return { ...event, erased: false } as unknown as DecodedEvent<E>;
    }
    const { [SEALED_FIELD]: sealed, ...data } = stored;
    const subject = contract.subjectOf?.(stored) ?? event.streamId;
    const key = await this.key(subject);
    if (key && typeof sealed === 'string') {
      Object.assign(data, open(key, subject, sealed));
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
