import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Forbidden, Unauthorized } from '../http/problems';
import type { Principal, Role } from './principal';
import { InvalidToken, TokenVerifier } from './tokens';

const PUBLIC = 'crm:public';
const ROLES_KEY = 'crm:roles';

/** Marks a route (or controller) as reachable without a token: health and API docs. */
export const Public = () => SetMetadata(PUBLIC, true);
/** The roles allowed on a route; without it any authenticated employee may call it. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

type AuthenticatedRequest = Request & { principal?: Principal };

/** Injects the authenticated employee into a handler. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Unauthorized('no authenticated principal');
  return principal;
});

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new Unauthorized('a bearer token is required (Authorization: Bearer <token>)');
    }
    try {
      request.principal = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof InvalidToken) throw new Unauthorized(error.message);
      throw error;
    }

    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (allowed && !request.principal.roles.some((role) => allowed.includes(role))) {
      throw new Forbidden(`this action needs one of the roles: ${allowed.join(', ')}`);
    }
    return true;
  }
}
