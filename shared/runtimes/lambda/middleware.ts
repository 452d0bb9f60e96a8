/**
 * The one helper every function uses: `middy(body).use(...)` with the shared middlewares, in this order:
 *
 * 1. `invocationLogger`: `context.log` bound to function name and request id; `invocation done`/`failed` lines.
 * 2. `deadline`: `context.deadline` and `context.signal` from `getRemainingTimeInMillis()` minus `marginMs`, also
 *    visible to cached gateways through `invocationDeadline()` (the base handler runs inside `withinDeadline`).
 * 3. `httpErrors` (HTTP functions only): `HttpError` → its status, anything else → a generic 500. Event functions
 *    have no error mapping: the error is logged and rethrown so EventBridge retries.
 * 4. `options.middlewares`, if any.
 *
 * middy runs `before` in this order and `after`/`onError` in reverse, so the logger's line comes last and sees
 * whether `httpErrors` answered the error.
 */
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { LogSink, Logger } from '../../app/logger.js';
import { deadline, withinDeadline, type DeadlineContext } from './deadline.js';
import { httpErrors } from './http-errors.js';
import { invocationLogger, type LoggedContext } from './invocation-logger.js';

/** What a function body gets besides its event. */
export interface Invocation {
  log: Logger;
  /** Lambda's context, with the middlewares' values. */
  context: InvocationContext;
  /** Epoch milliseconds after which no new work should start. */
  deadline: number;
  /** Aborted at {@link Invocation.deadline}. */
  signal: AbortSignal;
  /** Milliseconds left until {@link Invocation.deadline} (never negative). */
  remainingMs(): number;
}

/** Lambda's context with what the shared middlewares add. */
export type InvocationContext = LoggedContext & DeadlineContext;

/** Options of {@link lambdaHandler}. */
export interface HandlerOptions {
  /** Function name, on every log line. */
  name: string;
  /** HTTP function: errors become responses instead of failed invocations. */
  http?: boolean;
  /** Stop this many ms before Lambda's timeout (default 1000). */
  marginMs?: number;
  /** Extra middy middlewares, run after the shared ones (e.g. secrets). */
  middlewares?: MiddlewareObj[];
  /** Base logger (default: JSON lines at `LOG_LEVEL` to `sink`). */
  logger?: Logger;
  /** Destination of the default logger's JSON lines (tests). */
  sink?: LogSink;
  /** Clock for timestamps and the deadline (tests). */
  clock?: () => Date;
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
  const { name, logger, sink, clock, marginMs } = options;
  const base = withinDeadline(async (event: TEvent, context: Context) => {
    const c = context as InvocationContext;
    return body(event, {
      log: c.log,
      context: c,
      deadline: c.deadline,
      signal: c.signal,
      remainingMs: c.remainingMs,
    });
  });
  const handler = middy<TEvent, TResult>(base)
    .use(invocationLogger({ name, ...defined({ logger, sink, clock }) }))
    .use(deadline(defined({ marginMs, clock })));
  if (options.http) handler.use(httpErrors());
  for (const m of options.middlewares ?? []) handler.use(m);
  return handler;
}

/** Drops undefined values (exactOptionalPropertyTypes). */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
