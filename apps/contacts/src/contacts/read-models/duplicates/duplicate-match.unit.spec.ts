import { matchParties, nameSimilarity, type PartyTraits, SIMILAR_NAME } from './duplicate-match';
import { DuplicateKeys, fingerprint, normalizeName } from './duplicate-keys';

const acme = 'org-acme';
const person = (traits: Partial<PartyTraits> = {}): PartyTraits => ({
  kind: 'person',
  name: 'ada lovelace',
  emails: [],
  phones: [],
  organizationIds: [],
  parentId: null,
  ...traits,
});

describe('duplicate detection: names', () => {
  it.each([
    ['person', '  José   García-López ', 'jose garcia lopez'],
    ['person', 'Ada LOVELACE', 'ada lovelace'],
    ['organization', 'ACME Ltd.', 'acme'],
    ['organization', 'Müller GmbH & Co. KG', 'muller'],
    ['internal-unit', 'Limited', 'limited'],
    ['person', 'Ltd Smith', 'ltd smith'],
  ] as const)('normalizes a %s name %j to %j', (kind, name, normalized) => {
    expect(normalizeName(kind, name)).toBe(normalized);
  });

  it('fingerprints names by their distinct tokens, whatever the order', () => {
    expect(fingerprint('engines acme engines')).toBe(fingerprint('acme engines'));
  });

  it.each([
    ['jon smith', 'john smith'],
    ['lovelace ada', 'ada lovelace'],
    ['ada king', 'augusta ada king'],
    ['analytical engines', 'analitical engines'],
  ])('%j and %j are similar', (a, b) => {
    expect(nameSimilarity(a, b)).toBeGreaterThanOrEqual(SIMILAR_NAME);
  });

  it.each([
    ['john smith', 'jane smith'],
    ['ada lovelace', 'ada king'],
    ['ada lovelace', null],
  ])('%j and %j are not similar', (a, b) => {
    expect(nameSimilarity(a, b)).toBeLessThan(SIMILAR_NAME);
  });
});

describe('duplicate detection: keyed hashes', () => {
  const keys = new DuplicateKeys(Buffer.alloc(32, 7));

  it('gives equal values equal keys, and says nothing of the value', () => {
    expect(keys.email('ada@example.com')).toBe(keys.email('ada@example.com'));
    expect(keys.email('ada@example.com')).not.toContain('ada');
    expect(keys.email('ada@example.com')).toHaveLength(22);
  });

  it('keeps purposes and secrets apart', () => {
    expect(keys.email('+442079460958')).not.toBe(keys.phone('+442079460958'));
    expect(new DuplicateKeys(Buffer.alloc(32, 8)).email('ada@example.com')).not.toBe(
      keys.email('ada@example.com'),
    );
  });

  it('keys organization names by kind, parent and fingerprint', () => {
    const name = keys.name('organization', null, 'acme engines');
    expect(keys.name('organization', null, 'engines acme')).toBe(name);
    expect(keys.name('internal-unit', null, 'acme engines')).not.toBe(name);
    expect(keys.name('organization', 'parent', 'acme engines')).not.toBe(name);
  });
});

describe('duplicate detection: matching', () => {
  it('given a shared email, the same email (0.9)', () => {
    expect(
      matchParties(person({ emails: ['e1'] }), person({ name: 'x y', emails: ['e0', 'e1'] })),
    ).toEqual({ score: 0.9, reasons: ['same-email'] });
  });

  it('given a shared phone, the same phone (0.7)', () => {
    expect(matchParties(person({ phones: ['p1'] }), person({ name: 'x', phones: ['p1'] }))).toEqual(
      { score: 0.7, reasons: ['same-phone'] },
    );
  });

  it('given a similar name in the same organization, a similar name weighted by how similar', () => {
    expect(
      matchParties(
        person({ name: 'jon smith', organizationIds: [acme] }),
        person({ name: 'john smith', organizationIds: ['other', acme] }),
      ),
    ).toEqual({ score: 0.57, reasons: ['similar-name'] });
  });

  it('given a similar name in different organizations only, no match', () => {
    expect(
      matchParties(person({ organizationIds: [acme] }), person({ organizationIds: ['other'] })),
    ).toBeNull();
    expect(matchParties(person(), person())).toBeNull();
  });

  it('given a shared email and a similar name, both count, more than either alone', () => {
    expect(matchParties(person({ emails: ['e1'] }), person({ emails: ['e1'] }))).toEqual({
      score: 0.96,
      reasons: ['same-email', 'similar-name'],
    });
  });

  it('given everything shared, close to one', () => {
    const all = person({ emails: ['e'], phones: ['p'], organizationIds: [acme] });
    expect(matchParties(all, all)).toEqual({
      score: 0.988,
      reasons: ['same-email', 'same-phone', 'similar-name'],
    });
  });

  it('organizations share an organization when they share their parent, or have none', () => {
    const org = (parentId: string | null): PartyTraits => ({
      ...person({ name: 'acme' }),
      kind: 'organization',
      parentId,
    });
    expect(matchParties(org(null), org(null))?.reasons).toEqual(['similar-name']);
    expect(matchParties(org('holding'), org('holding'))?.reasons).toEqual(['similar-name']);
    expect(matchParties(org('holding'), org(null))).toBeNull();
  });

  it('parties of different kinds never match', () => {
    expect(
      matchParties(person({ emails: ['e'] }), {
        ...person({ emails: ['e'] }),
        kind: 'organization',
      }),
    ).toBeNull();
  });
});
