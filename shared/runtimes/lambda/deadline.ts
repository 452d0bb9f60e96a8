/**
 * The invocation deadline. The `deadline` middleware's `before` takes it from `getRemainingTimeInMillis()` minus a
 * margin and puts it on the context with an AbortSignal that fires then; `after`/`onError` clear the timer.
 *
 * Code built once per container (the cached gateways) reads it with {@link invocationDeadline}, from an
 * AsyncLocalStorage. A middy `before` cannot wrap the handler in `AsyncLocalStorage.run`, and `enterWith` would
 * leak the value into the caller's async context (shared by concurrent invocations started from one place), so the
 * base handler is wrapped instead: {@link withinDeadline} runs it inside `run` with the deadline the middleware
 * put on the context. Concurrent invocations in one process (tests) each see their own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { extendContext } from './context.js';

const store = new AsyncLocalStorage<number>();

/** A context carrying the invocation's deadline. */
export type DeadlineContext = Context & {
  /** Epoch milliseconds after which no new work should start. */
  deadline: number;
  /** Aborted at the deadline. */
  signal: AbortSignal;
  /** Milliseconds left until the deadline (never negative). */
  remainingMs(): number;
};

/** Runs `fn` with `deadline` (epoch ms) as the invocation deadline. */
export function withDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  return store.run(deadline, fn);
}

/** The deadline (epoch ms) of the invocation this code runs in; +Infinity outside any invocation. */
export function invocationDeadline(): number {
  return store.getStore() ?? Number.POSITIVE_INFINITY;
}

/** Options of {@link deadline}. */
export interface DeadlineOptions {
  /** Stop this many ms before Lambda's timeout (default 1000). */
  marginMs?: number;
  /** Clock (tests). */
  clock?: () => Date;
}

function remainingOf(context: Context): number {
  return typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 60_000;
}

type AnyRequest = Request<unknown, unknown, Error, Context>;

/**
 * The deadline middleware (pair it with {@link withinDeadline} around the base handler).
 *
 * @example
 * middy(withinDeadline(body)).use(deadline({ marginMs: 1000 })); // body reads context.deadline, context.signal
 */
export function deadline(options: DeadlineOptions = {}): MiddlewareObj<unknown, unknown, Error> {
  const clock = options.clock ?? (() => new Date());
  const margin = options.marginMs ?? 1000;
  const timers = new WeakMap<AnyRequest, ReturnType<typeof setTimeout>>();
  const clear = (request: AnyRequest): void => {
    clearTimeout(timers.get(request));
    timers.delete(request);
  };
  return {
    name: 'deadline',
    before: (request: AnyRequest) => {
      const start = clock().getTime();
      const at = start + Math.max(0, remainingOf(request.context) - margin);
      const controller = new AbortController();
      const reason = new Error(`invocation deadline reached (${margin} ms before the Lambda timeout)`);
      const timer = setTimeout(() => controller.abort(reason), at - start);
      timer.unref?.();
      timers.set(request, timer);
      const values: Omit<DeadlineContext, keyof Context> = {
        deadline: at,
        signal: controller.signal,
        remainingMs: () => Math.max(0, at - clock().getTime()),
      };
      extendContext(request, values);
    },
    after: clear,
    onError: clear,
  };
}

/**
 * Wraps a base handler so it runs with the deadline the {@link deadline} middleware put on its context as the
 * invocation deadline ({@link invocationDeadline}); without that middleware, +Infinity.
 */
export function withinDeadline<TEvent, TResult, TContext extends Context>(
  handler: (event: TEvent, context: TContext) => Promise<TResult>,
): (event: TEvent, context: TContext) => Promise<TResult> {
  return (event, context) => {
    const at = (context as Partial<DeadlineContext>).deadline ?? Number.POSITIVE_INFINITY;
    return withDeadline(at, () => handler(event, context));
  };
}
