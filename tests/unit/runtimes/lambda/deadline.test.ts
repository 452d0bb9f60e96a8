import { describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { invocationDeadline } from '../../../../shared/runtimes/lambda/deadline.js';
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
});
