import type { ErrorRequestHandler, RequestHandler } from 'express';
import express from 'express';
import { toProblem, sendProblem } from './problem.filter';
import { MalformedJson, PayloadTooLarge, UnsupportedMediaType } from './problems';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * A route that reads its body itself, as a stream of one of `types` (a CSV import), under a
 * limit of its own: the JSON rule and the JSON body limit do not apply to it.
 */
export interface StreamedBody {
  /** Upper case, as in the request line. */
  readonly method: string;
  readonly path: string;
  readonly types: readonly string[];
}

/**
 * Writes with a body must send JSON, except to the streamed routes in the types they take;
 * anything else is refused before it is parsed.
 */
export function requireJson(streamed: readonly StreamedBody[] = []): RequestHandler {
  return (request, _response, next) => {
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 ||
      request.headers['transfer-encoding'] !== undefined;
    const route = streamed.find((r) => r.method === request.method && r.path === request.path);
    if (hasBody && !request.is(JSON_TYPES) && !(route && request.is([...route.types]))) {
      const expected = route ? route.types : ['application/json'];
      next(
        new UnsupportedMediaType(
          `send the body as ${expected.join(' or ')}, not ${request.headers['content-type'] ?? 'no content type'}`,
        ),
      );
      return;
    }
    next();
  };
}

export function jsonBody(limitBytes: number): RequestHandler {
  return express.json({ limit: limitBytes, type: JSON_TYPES, strict: true });
}

/** body-parser reports with `type`; translate its errors into our problems. */
export const bodyErrors: ErrorRequestHandler = (error: unknown, request, response, next) => {
  const kind = (error as { type?: string }).type;
  const mapped =
    kind === 'entity.too.large'
      ? new PayloadTooLarge(`the body exceeds ${String((error as { limit?: number }).limit)} bytes`)
      : kind === 'entity.parse.failed'
        ? new MalformedJson('the body could not be parsed as JSON')
        : kind === 'encoding.unsupported' || kind === 'charset.unsupported'
          ? new UnsupportedMediaType((error as Error).message)
          : error instanceof UnsupportedMediaType
            ? error
            : null;
  if (!mapped) {
    next(error);
    return;
  }
  sendProblem(response, toProblem(mapped, request.path));
};
