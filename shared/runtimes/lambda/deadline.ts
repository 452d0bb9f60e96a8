/**
 * The current invocation's deadline, visible to code that was built once per container (the cached gateways):
 * the middleware runs each function body inside {@link withDeadline}, and `invocationDeadline()` reads it from the
 * async context, so concurrent invocations in one process (tests) each see their own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const store = new AsyncLocalStorage<number>();

/** Runs `fn` with `deadline` (epoch ms) as the invocation deadline. */
export function withDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  return store.run(deadline, fn);
}

/** The deadline (epoch ms) of the invocation this code runs in; +Infinity outside any invocation. */
export function invocationDeadline(): number {
  return store.getStore() ?? Number.POSITIVE_INFINITY;
}
