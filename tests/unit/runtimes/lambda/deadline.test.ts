import { describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import middy from '@middy/core';
import {
  deadline,
  invocationDeadline,
  withinDeadline,
  type DeadlineContext,
} from '../../../../shared/runtimes/lambda/deadline.js';
import { lambdaHandler } from '../../../../shared/runtimes/lambda/middleware.js';

const context = (remainingMs: number): Context =>
  ({ awsRequestId: 'r', getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

describe('invocation deadline', () => {
  it('is +Infinity outside an invocation', () => {
    expect(invocationDeadline()).toBe(Number.POSITIVE_INFINITY);
  });

  it('is the remaining time minus the margin inside one, and each concurrent invocation sees its own', async () => {
    const clock = () => new Date(1_000_000);
    const handler = lambdaHandler<{ wait: number }, { seen: number; invocation: number }>(
      { name: 't', sink: () => undefined, clock, marginMs: 1000 },
      async (event, inv) => {
        await new Promise((r) => setTimeout(r, event.wait));
        return { seen: invocationDeadline(), invocation: inv.deadline };
      },
    );
    const [a, b] = await Promise.all([
      handler({ wait: 30 }, context(5000)),
      handler({ wait: 0 }, context(60_000)),
    ]);
    expect(a).toEqual({ seen: 1_004_000, invocation: 1_004_000 });
    expect(b).toEqual({ seen: 1_059_000, invocation: 1_059_000 });
    expect(invocationDeadline()).toBe(Number.POSITIVE_INFINITY);
  });

  it('the signal aborts at the deadline, naming it', async () => {
    const handler = lambdaHandler<object, string>(
      { name: 't', sink: () => undefined, marginMs: 1000 },
      async (_event, { signal }) => {
        await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
        return (signal.reason as Error).message;
      },
    );
    await expect(handler({}, context(1020))).resolves.toBe(
      'invocation deadline reached (1000 ms before the Lambda timeout)',
    );
  });

  it.each([
    ['after', async () => 'done'],
    [
      'onError',
      async () => {
        throw new Error('failed');
      },
    ],
  ])('the timer is cleared in %s: the signal never fires once the invocation ended', async (_phase, body) => {
    let signal: AbortSignal | undefined;
    const handler = lambdaHandler<object, string>(
      { name: 't', sink: () => undefined, marginMs: 1000 },
      async (event, inv) => {
        signal = inv.signal;
        return body();
      },
    );
    await handler({}, context(1030)).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 80));
    expect(signal?.aborted).toBe(false);
  });

  it('composed by hand: withinDeadline around the base handler is what makes invocationDeadline() see it', async () => {
    const clock = () => new Date(5_000);
    const base = async (_e: unknown, c: Context) => [(c as DeadlineContext).deadline, invocationDeadline()];
    const wrapped = middy(withinDeadline(base)).use(deadline({ marginMs: 500, clock }));
    const bare = middy(base).use(deadline({ marginMs: 500, clock }));
    expect(await wrapped({}, context(2000))).toEqual([6_500, 6_500]);
    expect(await bare({}, context(2000))).toEqual([6_500, Number.POSITIVE_INFINITY]);
  });
});
