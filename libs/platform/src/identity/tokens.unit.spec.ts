import { InvalidToken, mintToken, TokenVerifier } from './tokens';

const SECRET = 'a-secret-that-is-long-enough-for-hs256-0123456789';
const ISSUER = 'quick-sales-crm';
const alice = { employeeId: 'alice', team: 'sales', roles: ['rep'] as const };

describe('token verifier', () => {
  const verifier = () => new TokenVerifier(SECRET, ISSUER);

  afterEach(() => {
    jest.useRealTimers();
  });

  it('given a token verified before, when it is used again, then it gives the same principal', async () => {
    const tokens = verifier();
    const token = await mintToken(SECRET, ISSUER, alice);

    const first = await tokens.verify(token);
    const again = await tokens.verify(token);

    expect(first).toEqual({ employeeId: 'alice', team: 'sales', roles: ['rep'] });
    expect(again).toEqual(first);
  });

  it('given a token verified before, when it has expired since, then it is refused as expired', async () => {
    jest.useFakeTimers({
      now: Date.parse('2026-12-05T09:00:00Z'),
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
    });
    const tokens = verifier();
    const token = await mintToken(SECRET, ISSUER, alice, '1h');
    await tokens.verify(token);

    jest.setSystemTime(Date.parse('2026-12-05T10:00:01Z'));

    await expect(tokens.verify(token)).rejects.toEqual(new InvalidToken('the token has expired'));
  });

  it('given a genuine token verified before, when one with the same claims and another signature comes, then it is refused', async () => {
    const tokens = verifier();
    const genuine = await mintToken(SECRET, ISSUER, alice);
    await tokens.verify(genuine);
    const [header, claims] = genuine.split('.');
    const forged = `${header}.${claims}.${(await mintToken(`${SECRET}-other`, ISSUER, alice)).split('.')[2]}`;

    await expect(tokens.verify(forged)).rejects.toBeInstanceOf(InvalidToken);
  });

  it('given a token of another issuer, then it is refused however often it comes', async () => {
    const tokens = verifier();
    const foreign = await mintToken(SECRET, 'someone-else', alice);

    await expect(tokens.verify(foreign)).rejects.toBeInstanceOf(InvalidToken);
    await expect(tokens.verify(foreign)).rejects.toBeInstanceOf(InvalidToken);
  });
});
