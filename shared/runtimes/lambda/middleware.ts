/**
 * The one middy wrapper every function uses: a structured logger bound to the request id, a deadline taken from
 * `context.getRemainingTimeInMillis()` (with an AbortSignal that fires `marginMs` before Lambda would kill the
 * invocation; visible to cached gateways through `invocationDeadline()`), and uniform error handling — HTTP
 * functions answer `HttpError`s with their status and anything
 * else with a generic 500; event functions log and rethrow so EventBridge retries.
 */
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { LOG_LEVELS, type LogLevel } from '../../app/logger.js';
import { withDeadline } from './deadline.js';
import { HttpError, jsonResponse, type HttpResponse } from '../../app/http-api/response.js';
import { createLogger, type LogSink, type Logger } from '../../app/logger.js';

/** What a function body gets besides its event. */
export interface Invocation {
  log: Logger;
  context: Context;
  /** Epoch milliseconds after which no new work should start. */
  deadline: number;
  /** Aborted at {@link Invocation.deadline}. */
  signal: AbortSignal;
  /** Milliseconds left until {@link Invocation.deadline} (never negative). */
  remainingMs(): number;
}

/** Options of {@link lambdaHandler}. */
export interface HandlerOptions {
  /** Function name, on every log line. */
  name: string;
  /** HTTP function: errors become responses instead of failed invocations. */
  http?: boolean;
  /** Stop this many ms before Lambda's timeout (default 1000). */
  marginMs?: number;
  /** Extra middy middlewares, run before the body (e.g. secrets). */
  middlewares?: MiddlewareObj[];
  /** Log destination (tests). */
  sink?: LogSink;
  /** Clock for timestamps and the deadline (tests). */
  clock?: () => Date;
}

function levelFromEnv(): LogLevel {
  const raw = (process.env.LOG_LEVEL ?? '').toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(raw) ? (raw as LogLevel) : 'info';
}

function remainingOf(context: Context): number {
  return typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 60_000;
}

function httpErrorResponse(err: unknown, log: Logger): HttpResponse {
  if (err instanceof HttpError) {
    log.warn('request rejected', { status: err.statusCode, reason: err.message, ...err.details });
    return jsonResponse(err.statusCode, { message: err.message }, err.headers);
  }
  log.error('request failed', { error: err });
  return jsonResponse(500, { message: 'internal error' });
}

/**
 * Wraps a function body in the shared middy stack.
 *
 * @example
 * export const handler = lambdaHandler({ name: 'step' }, async (event: StepEvent, { log }) => { ... });
 */
export function lambdaHandler<TEvent, TResult>(
  options: HandlerOptions,
  body: (event: TEvent, invocation: Invocation) => Promise<TResult>,
): MiddyfiedHandler<TEvent, TResult> {
  const clock = options.clock ?? (() => new Date());
  const margin = options.marginMs ?? 1000;
  const run = async (event: TEvent, context: Context): Promise<TResult> => {
    const start = clock().getTime();
    const deadline = start + Math.max(0, remainingOf(context) - margin);
    const log = createLogger(levelFromEnv(), { function: options.name }, options.sink, clock).child({
      requestId: context.awsRequestId,
    });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('deadline reached')), deadline - start);
    timer.unref?.();
    const invocation: Invocation = {
      log,
      context,
      deadline,
      signal: controller.signal,
      remainingMs: () => Math.max(0, deadline - clock().getTime()),
    };
    try {
      const result = await withDeadline(deadline, () => body(event, invocation));
      log.info('invocation done', { durationMs: clock().getTime() - start });
      return result;
    } catch (err) {
      // HTTP functions declare TResult = HttpResponse.
      if (options.http) return httpErrorResponse(err, log) as TResult;
      log.error('invocation failed', { error: err, durationMs: clock().getTime() - start });
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
  const handler = middy<TEvent, TResult>(run as never);
  for (const m of options.middlewares ?? []) handler.use(m as MiddlewareObj<TEvent, TResult>);
  return handler;
}
