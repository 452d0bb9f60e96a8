/**
 * The `invocationLogger` middleware: in `before`, a {@link Logger} bound to the function name and request id is put
 * on the context (`context.log`) for the body; `after` logs `invocation done` with the duration; `onError` logs
 * `invocation failed` with the error and duration, or `invocation done` when a later middleware (`httpErrors`)
 * answered the error. Use it first, so its `after`/`onError` run last and see the final outcome.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { createLogger, LOG_LEVELS, type LogLevel, type LogSink, type Logger } from '../../app/logger.js';
import { extendContext } from './context.js';

/** A context carrying the invocation's logger. */
export type LoggedContext = Context & { log: Logger };

/** Options of {@link invocationLogger}. */
export interface InvocationLoggerOptions {
  /** Function name, on every line. */
  name: string;
  /** Base logger; default: JSON lines at `LOG_LEVEL` (info when unset or unknown) to `sink`. */
  logger?: Logger;
  /** Destination of the default logger's lines (tests). */
  sink?: LogSink;
  /** Clock for timestamps and durations (tests). */
  clock?: () => Date;
}

function levelFromEnv(): LogLevel {
  const raw = (process.env.LOG_LEVEL ?? '').toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(raw) ? (raw as LogLevel) : 'info';
}

type AnyRequest = Request<unknown, unknown, Error, Context>;

/**
 * The invocation logger middleware.
 *
 * @example
 * middy(body).use(invocationLogger({ name: 'step' })); // body reads context.log
 */
export function invocationLogger(options: InvocationLoggerOptions): MiddlewareObj<unknown, unknown, Error> {
  const clock = options.clock ?? (() => new Date());
  const started = new WeakMap<AnyRequest, { log: Logger; at: number }>();
  const done = (request: AnyRequest): { log: Logger; durationMs: number } | undefined => {
    const s = started.get(request);
    started.delete(request);
    return s && { log: s.log, durationMs: clock().getTime() - s.at };
  };
  return {
    name: 'invocationLogger',
    before: (request: AnyRequest) => {
      const base = options.logger ?? createLogger(levelFromEnv(), {}, options.sink, clock);
      const log = base.child({ function: options.name, requestId: request.context.awsRequestId });
      started.set(request, { log, at: clock().getTime() });
      extendContext(request, { log });
    },
    after: (request: AnyRequest) => {
      const d = done(request);
      d?.log.info('invocation done', { durationMs: d.durationMs });
    },
    onError: (request: AnyRequest) => {
      const d = done(request);
      if (!d) return;
      if (request.response === undefined) {
        d.log.error('invocation failed', { error: request.error, durationMs: d.durationMs });
      } else {
        const statusCode = (request.response as { statusCode?: unknown } | null)?.statusCode;
        d.log.info('invocation done', { durationMs: d.durationMs, ...(statusCode ? { statusCode } : {}) });
      }
    },
  };
}
