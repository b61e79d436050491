import type { SubjectKeyStore } from '../crypto/subject-key-store.port';

/**
 * What every subject key store must do for crypto-shredding to hold. `open` opens the
 * same store again (another process, or after a restart) each time it is called.
 */
export function subjectKeyStoreContract(open: () => Promise<SubjectKeyStore>): void {
  let store: SubjectKeyStore;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(() => store.close());

  it('given a new subject, then a 256-bit key is created once and found again after a reopen', async () => {
    const key = await store.getOrCreate('contact-1');
    expect(key).toHaveLength(32);
    expect(await store.getOrCreate('contact-1')).toEqual(key);
    await store.close();
    store = await open();
    expect(await store.find('contact-1')).toEqual(key);
    expect(await store.find('contact-2')).toBeNull();
  });

  it('given a new subject asked for twice at once, then both get the one key kept', async () => {
    const [first, second] = await Promise.all([
      store.getOrCreate('contact-3'),
      store.getOrCreate('contact-3'),
    ]);
    expect(first).toHaveLength(32);
    expect(second).toEqual(first);
    expect(await store.find('contact-3')).toEqual(first);
  });

  it('given a destroyed key, then it is gone for good, also after a reopen, and never re-created', async () => {
    await store.getOrCreate('contact-1');
    await store.getOrCreate('contact-2');
    await store.destroy('contact-1');
    expect(await store.find('contact-1')).toBeNull();
    expect(await store.getOrCreate('contact-1')).toBeNull();
    await store.close();
    store = await open();
    expect(await store.find('contact-1')).toBeNull();
    expect(await store.getOrCreate('contact-1')).toBeNull();
    expect(await store.find('contact-2')).toHaveLength(32);
  });

  it('given a key destroyed twice, then the second destruction changes nothing', async () => {
    await store.getOrCreate('contact-1');
    await store.destroy('contact-1');
    await store.destroy('contact-1');
    expect(await store.find('contact-1')).toBeNull();
  });

  it('given a subject erased before it ever had a key, then no key is created for it', async () => {
    await store.destroy('contact-9');
    expect(await store.getOrCreate('contact-9')).toBeNull();
  });
}
