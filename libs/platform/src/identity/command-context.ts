import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { CommandContext } from '@crm/events';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { Unauthorized } from '../http/problems';
import type { Principal } from './principal';

const HEADER_VALUE = /^[\w.:-]{1,128}$/;

/**
 * The context every command carries into its events: the acting employee, and the
 * correlation/causation ids a client may pass (`X-Correlation-Id`, `X-Causation-Id`).
 */
export const CommandCtx = createParamDecorator(
  (_: unknown, context: ExecutionContext): CommandContext => {
    const request = context
      .switchToHttp()
      .getRequest<Request & { principal?: Principal; id?: unknown }>();
    if (!request.principal) throw new Unauthorized('no authenticated principal');
    const header = (name: string): string | null => {
      const value = request.headers[name];
      return typeof value === 'string' && HEADER_VALUE.test(value) ? value : null;
    };
    const requestId = typeof request.id === 'string' ? request.id : randomUUID();
    return {
      actor: { id: request.principal.employeeId, team: request.principal.team },
      correlationId: header('x-correlation-id') ?? requestId,
      causationId: header('x-causation-id'),
    };
  },
);
