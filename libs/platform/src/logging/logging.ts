import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Logger, type Params, PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { ServiceConfig } from '../config/service-config';

/**
 * The service's structured JSON logger (pino). Personal data stays out: bodies are never
 * logged, URLs lose their query string (searches may carry names or emails), and no
 * header is.
 */
export function rootLogger(config: ServiceConfig): pino.Logger {
  return pino({ level: config.logLevel, base: { service: config.service } });
}

/**
 * Nest's logger over the root logger (nestjs-pino's formatting of Nest's log calls). It is
 * not bound to requests: no request runs in an AsyncLocalStorage scope (ADR 16), so a log
 * line about a request says which one itself.
 */
export function serviceLogger(root: pino.Logger): Logger {
  const params: Params = { pinoHttp: { logger: root } };
  return new Logger(new PinoLogger(params), params);
}

/** The root logger's injection token. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** A request with its id (see AccessLogMiddleware). */
type IdentifiedRequest = Request & { id?: unknown };

/** What a log line says of a request: never its query string, headers or body. */
export function requestFields(request: IdentifiedRequest): {
  id: unknown;
  method: string;
  url: string;
} {
  return { id: request.id, method: request.method, url: request.originalUrl.split('?')[0] ?? '' };
}

const MAX_GIVEN_ID = 128;

/**
 * Gives every request an id (echoed as `X-Request-Id`) and, at level info, logs one line
 * when its response is done: request, status, time taken and the authenticated actor.
 * Health checks are not logged. Nothing is built per request unless the line is written:
 * per-request child loggers and a context per request cost a fifth of the throughput of a
 * registration (ADR 16).
 */
@Injectable()
export class AccessLogMiddleware implements NestMiddleware {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: pino.Logger) {}

  use(request: IdentifiedRequest, response: Response, next: NextFunction): void {
    const given = request.headers['x-request-id'];
    const id = typeof given === 'string' && given.length <= MAX_GIVEN_ID ? given : randomUUID();
    request.id = id;
    response.setHeader('x-request-id', id);
    if (this.logger.isLevelEnabled('info') && !request.originalUrl.startsWith('/health')) {
      const start = performance.now();
      response.once('close', () => this.completed(request, response, start));
    }
    next();
  }

  private completed(request: IdentifiedRequest, response: Response, start: number): void {
    const principal = (request as { principal?: { employeeId: string; team: string } }).principal;
    const line = {
      req: requestFields(request),
      res: { statusCode: response.statusCode },
      responseTime: Math.round(performance.now() - start),
      ...(principal && { actorId: principal.employeeId, team: principal.team }),
    };
    if (!response.writableFinished) this.logger.warn(line, 'request aborted');
    else if (response.statusCode >= 500) this.logger.error(line, 'request failed');
    else this.logger.info(line, 'request completed');
  }
}
