import { literalLimit } from './literal-limit';

describe('literalLimit', () => {
  it('writes a count as it is', () => {
    expect(literalLimit(20)).toBe('20');
    expect(literalLimit(0)).toBe('0');
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p', (limit) => {
    expect(() => literalLimit(limit)).toThrow('invalid limit');
  });
});
