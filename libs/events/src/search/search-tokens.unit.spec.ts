import { searchTokens, searchWords } from './search-tokens';

describe('search tokens', () => {
  it('lower-cases, folds accents and splits on punctuation', () => {
    expect(searchTokens('Zoë O’Brien-Müller')).toEqual(['zoe', 'o', 'brien', 'muller']);
    expect(searchTokens('Ada.Lovelace@Example.COM')).toEqual(['ada', 'lovelace', 'example', 'com']);
    expect(searchTokens('  ')).toEqual([]);
  });

  it('keeps letters of other scripts and digits', () => {
    expect(searchTokens('株式会社 Δέλτα +44 20')).toEqual(['株式会社', 'δελτα', '44', '20']);
  });

  it('merges the words of several texts without repeats, skipping missing ones', () => {
    expect(searchWords(['Ada Lovelace', null, 'ada@lovelace.org', undefined])).toEqual([
      'ada',
      'lovelace',
      'org',
    ]);
  });
});
