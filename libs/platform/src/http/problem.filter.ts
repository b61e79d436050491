import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { ProblemError } from '@crm/events';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { requestFields } from '../logging/logging';

export const PROBLEM_BASE = 'https://quick-sales-crm.dev/problems/';
const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly [extension: string]: unknown;
}

/** Turns any error into an RFC 9457 problem response; unknown errors become a bare 500. */
export function toProblem(error: unknown, instance: string): ProblemBody {
  if (error instanceof ProblemError) {
    return {
      ...error.extensions,
      type: PROBLEM_BASE + error.problemType,
      title: error.title,
      status: error.status,
      detail: error.message,
      instance,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const title = STATUS_CODES[status] ?? 'Error';
    return { type: 'about:blank', title, status, detail: error.message, instance };
  }
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'an unexpected error occurred; it has been logged',
    instance,
  };
}

export function sendProblem(response: Response, problem: ProblemBody): void {
  response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const problem = toProblem(error, request.path);
    // Expected 5xx problems (a dependency down, shutting down) are warnings; anything else is a bug.
    // Said with the request: log lines are not bound to one (ADR 16).
    const req = requestFields(request);
    if (error instanceof ProblemError && problem.status >= 500) {
      this.logger.warn({ req, msg: error.message });
    } else if (problem.status >= 500) this.logger.error({ req, err: error });
    sendProblem(http.getResponse<Response>(), problem);
  }
}
