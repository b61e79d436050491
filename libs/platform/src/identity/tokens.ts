import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { isRole, type Principal } from './principal';

const ALGORITHM = 'HS256';

export class InvalidToken extends Error {}

export async function mintToken(
  secret: string,
  issuer: string,
  principal: Principal,
  expiresIn = '8h',
): Promise<string> {
  return new SignJWT({ team: principal.team, roles: [...principal.roles] })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(principal.employeeId)
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** Verifies signature, algorithm, issuer and expiry, then the shape of our claims. */
export class TokenVerifier {
  /** A key object once, rather than bytes jose turns into one on every verification. */
  private readonly key: KeyObject;

  constructor(
    secret: string,
    private readonly issuer: string,
  ) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.issuer,
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new InvalidToken('the token has expired');
      if (error instanceof errors.JOSEError)
        throw new InvalidToken(`the token is not valid (${error.code})`);
      throw error;
    }
    const { sub, team, roles } = payload;
    if (typeof sub !== 'string' || sub === '')
      throw new InvalidToken('the token has no subject (employee id)');
    if (typeof team !== 'string' || team === '')
      throw new InvalidToken('the token has no team claim');
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) {
      throw new InvalidToken('the token has no valid roles claim');
    }
    return { employeeId: sub, team, roles: roles };
  }
}
