import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const POOL_BYTES = 4096;

/**
 * Bytes of the system's CSPRNG, drawn a few kilobytes at a time and each handed out once:
 * every new party takes a key and an IV, and one `randomBytes` call costs a few µs, the
 * same for 12 bytes as for 4 KiB (Node pools `randomUUID` the same way).
 */
const pool = { bytes: Buffer.alloc(0), next: 0 };

function pooledRandomBytes(size: number): Buffer {
  if (pool.next + size > pool.bytes.length) {
    pool.bytes = randomFillSync(Buffer.allocUnsafeSlow(Math.max(POOL_BYTES, size)));
    pool.next = 0;
  }
  const bytes = Buffer.from(pool.bytes.subarray(pool.next, pool.next + size));
  // What was handed out does not stay behind in the pool.
  pool.bytes.fill(0, pool.next, pool.next + size);
  pool.next += size;
  return bytes;
}

export function generateDataKey(): Buffer {
  return pooledRandomBytes(32);
}

/**
 * Seals a JSON value with AES-256-GCM. The associated data binds the ciphertext to its
 * stream, so a sealed value copied into another stream does not decrypt.
 */
export function seal(key: Buffer, associatedData: string, value: unknown): string {
  const iv = pooledRandomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(associatedData));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export function open(key: Buffer, associatedData: string, sealed: string): unknown {
  if (!sealed.startsWith(`${VERSION}.`)) throw new Error('unknown sealed-value version');
  const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64');
  const decipher = createDecipheriv(ALGORITHM, key, raw.subarray(0, IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(associatedData));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  const plain = Buffer.concat([
    decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
    decipher.final(),
  ]);
  return JSON.parse(plain.toString('utf8')) as unknown;
}
