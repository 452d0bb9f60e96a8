/**
 * The `httpErrors` middleware of HTTP functions (`onError` only, like `@middy/http-error-handler`): an
 * {@link HttpError} becomes its status and message (logged at warn as `request rejected`); any other error becomes a
 * generic 500 (logged at error as `request failed`, details never in the body). Event functions do not use it: their
 * errors stay unanswered, so middy rethrows, the invocation fails and EventBridge retries it.
 * Use it after `invocationLogger`: it logs through `context.log` (without it, JSON lines at info to stdout/stderr).
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { HttpError, jsonResponse, type HttpResponse } from '../../app/http-api/response.js';
import { createLogger, type Logger } from '../../app/logger.js';

/** The response for a failed request, logged on `log`. */
export function httpErrorResponse(err: unknown, log: Logger): HttpResponse {
  if (err instanceof HttpError) {
    log.warn('request rejected', { status: err.statusCode, reason: err.message, ...err.details });
    return jsonResponse(err.statusCode, { message: err.message }, err.headers);
  }
  log.error('request failed', { error: err });
  return jsonResponse(500, { message: 'internal error' });
}

/**
 * The HTTP error mapping middleware.
 *
 * @example
 * middy(body).use(invocationLogger({ name: 'promote' })).use(httpErrors());
 */
export function httpErrors(): MiddlewareObj<unknown, unknown, Error> {
  return {
    name: 'httpErrors',
    onError: (request: Request<unknown, unknown, Error, Context>) => {
      if (request.response !== undefined) return;
      const log = (request.context as Context & { log?: Logger }).log ?? createLogger('info');
      request.response = httpErrorResponse(request.error, log);
    },
  };
}
