import { ProblemError } from '@crm/events';

export interface InvalidField {
  readonly field: string;
  readonly message: string;
}

export class ValidationFailed extends ProblemError {
  readonly status = 400;
  readonly problemType = 'validation-failed';
  readonly title = 'The request is not valid';
  constructor(readonly errors: readonly InvalidField[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
}

export class MalformedJson extends ProblemError {
  readonly status = 400;
  readonly problemType = 'malformed-json';
  readonly title = 'The request body is not valid JSON';
}

export class Unauthorized extends ProblemError {
  readonly status = 401;
  readonly problemType = 'unauthorized';
  readonly title = 'Authentication required';
}

export class Forbidden extends ProblemError {
  readonly status = 403;
  readonly problemType = 'forbidden';
  readonly title = 'Not allowed';
}

export class RouteNotFound extends ProblemError {
  readonly status = 404;
  readonly problemType = 'not-found';
  readonly title = 'Not found';
}

export class PayloadTooLarge extends ProblemError {
  readonly status = 413;
  readonly problemType = 'payload-too-large';
  readonly title = 'The request body is too large';
}

export class UnsupportedMediaType extends ProblemError {
  readonly status = 415;
  readonly problemType = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}

export class ServiceUnavailable extends ProblemError {
  readonly status = 503;
  readonly problemType = 'service-unavailable';
  readonly title = 'Service unavailable';
}
