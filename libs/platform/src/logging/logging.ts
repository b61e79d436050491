import type { Params } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import type { ServiceConfig } from '../config/service-config';

/**
 * Structured JSON logs (pino). Personal data stays out: bodies are never logged, the URL
 * loses its query string (searches may carry names or emails) and credentials are redacted.
 */
export function loggingParams(config: ServiceConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      base: { service: config.service },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      serializers: {
        req: (req: IncomingMessage & { id?: unknown }) => ({
          id: req.id,
          method: req.method,
          url: (req.url ?? '').split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customProps: (req) => {
        const principal = (req as { principal?: { employeeId: string; team: string } }).principal;
        return principal ? { actorId: principal.employeeId, team: principal.team } : {};
      },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && given.length <= 128 ? given : crypto.randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
    },
  };
}
