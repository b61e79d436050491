import type { ErrorRequestHandler, RequestHandler } from 'express';
import express from 'express';
import { toProblem, sendProblem } from './problem.filter';
import { MalformedJson, PayloadTooLarge, UnsupportedMediaType } from './problems';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** Writes with a body must send JSON; anything else is refused before it is parsed. */
export const requireJson: RequestHandler = (request, _response, next) => {
  const hasBody =
    Number(request.headers['content-length'] ?? 0) > 0 ||
    request.headers['transfer-encoding'] !== undefined;
  if (hasBody && !request.is(JSON_TYPES)) {
    next(
      new UnsupportedMediaType(
        `send the body as application/json, not ${request.headers['content-type'] ?? 'no content type'}`,
      ),
    );
    return;
  }
  next();
};

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
