import { generateDataKey, open, seal } from './personal-data-cipher';

const personal = { name: 'Zoë Ωmega', email: 'zoe@example.com', phones: ['+49 30 1234'] };

/** Flips one bit of the decoded byte at `index` (negative: from the end) of a sealed value. */
function tamper(sealed: string, index: number): string {
  const [version, body] = sealed.split('.') as [string, string];
  const raw = Buffer.from(body, 'base64');
  const at = index < 0 ? raw.length + index : index;
  raw[at] = (raw[at] ?? 0) ^ 0x01;
  return `${version}.${raw.toString('base64')}`;
}

describe('personal data cipher', () => {
  const key = generateDataKey();

  it('given a value sealed for a stream, when opened with the same key and stream, then the value comes back', () => {
    const sealed = seal(key, 'contact-1', personal);

    expect(open(key, 'contact-1', sealed)).toEqual(personal);
  });

  it('given a sealed value, then it is versioned and holds nothing in clear', () => {
    const sealed = seal(key, 'contact-1', personal);

    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('zoe@example.com');
    expect(Buffer.from(sealed.slice(3), 'base64').toString('latin1')).not.toContain('zoe@example');
  });

  it('given many keys drawn (the random pool refilled several times over), then each is 32 bytes and none repeats or is blank', () => {
    const keys = Array.from({ length: 1000 }, () => generateDataKey());

    expect(keys.every((k) => k.length === 32)).toBe(true);
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(keys.length);
    expect(keys.some((k) => k.equals(Buffer.alloc(32)))).toBe(false);
  });

  it('given many values sealed, then no two share a nonce', () => {
    const nonces = Array.from({ length: 1000 }, () =>
      Buffer.from(seal(key, 'contact-1', personal).slice(3), 'base64')
        .subarray(0, 12)
        .toString('hex'),
    );

    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it('given the same value sealed twice, then the sealed forms differ (fresh nonce each time)', () => {
    expect(seal(key, 'contact-1', personal)).not.toEqual(seal(key, 'contact-1', personal));
  });

  it('given a ciphertext with one bit flipped, when opened, then it fails', () => {
    const sealed = seal(key, 'contact-1', personal);

    expect(() => open(key, 'contact-1', tamper(sealed, -1))).toThrow();
  });

  it('given an authentication tag with one bit flipped, when opened, then it fails', () => {
    const sealed = seal(key, 'contact-1', personal);

    expect(() => open(key, 'contact-1', tamper(sealed, 12))).toThrow();
  });

  it('given a value sealed for one stream, when opened as another stream, then it fails', () => {
    const sealed = seal(key, 'contact-1', personal);

    expect(() => open(key, 'contact-2', sealed)).toThrow();
  });

  it('given a value sealed with one key, when opened with another key, then it fails', () => {
    const sealed = seal(key, 'contact-1', personal);

    expect(() => open(generateDataKey(), 'contact-1', sealed)).toThrow();
  });

  it('given a sealed value of an unknown version, when opened, then it fails naming the version problem', () => {
    const sealed = seal(key, 'contact-1', personal).replace(/^v1\./, 'v2.');

    expect(() => open(key, 'contact-1', sealed)).toThrow(/unknown sealed-value version/);
  });
});
