import { describe, expect, it } from '@jest/globals';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { HttpError, type HttpResponse } from '../../../../shared/app/http-api/response.js';
import { httpErrors } from '../../../../shared/runtimes/lambda/http-errors.js';
import {
  invocationLogger,
  type LoggedContext,
} from '../../../../shared/runtimes/lambda/invocation-logger.js';
import { lambdaHandler, type InvocationContext } from '../../../../shared/runtimes/lambda/middleware.js';

const context = (remainingMs = 60_000): Context =>
  ({ awsRequestId: 'req-1', getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

/** A clock that moves 5 ms on each read. */
function steppingClock(): () => Date {
  let t = 1_000_000;
  return () => new Date((t += 5));
}

function recorder() {
  const lines: Record<string, unknown>[] = [];
  return { lines, sink: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
}

/** A middleware recording its phases into `calls`. */
function probe(name: string, calls: string[]): MiddlewareObj {
  return {
    before: () => void calls.push(`${name}.before`),
    after: () => void calls.push(`${name}.after`),
    onError: () => void calls.push(`${name}.onError`),
  };
}

describe('lambdaHandler: the shared middlewares', () => {
  it('runs the shared middlewares before extra ones; the body gets the logger and deadline on its context', async () => {
    const calls: string[] = [];
    const seen: unknown[] = [];
    const extra: MiddlewareObj = {
      before: (request) => {
        const c = request.context as Partial<InvocationContext>;
        seen.push(typeof c.log?.info, typeof c.deadline, c.signal instanceof AbortSignal);
        calls.push('extra.before');
      },
      after: () => void calls.push('extra.after'),
    };
    const { sink } = recorder();
    const handler = lambdaHandler<object, string>(
      { name: 'step', sink, middlewares: [extra] },
      async (_event, inv) => {
        calls.push('body');
        expect(inv.context.log).toBe(inv.log);
        return 'ok';
      },
    );
    await expect(handler({}, context())).resolves.toBe('ok');
    expect(calls).toEqual(['extra.before', 'body', 'extra.after']);
    expect(seen).toEqual(['function', 'number', true]);
  });

  it('after: one "invocation done" line with function, request id and duration, after the body lines', async () => {
    const { lines, sink } = recorder();
    const handler = lambdaHandler<object, number>(
      { name: 'schedule', sink, clock: steppingClock() },
      async (_event, { log }) => {
        log.info('schedule done', { due: 2 });
        return 2;
      },
    );
    await handler({}, context());
    expect(lines.map((l) => [l.level, l.msg, l.function, l.requestId])).toEqual([
      ['info', 'schedule done', 'schedule', 'req-1'],
      ['info', 'invocation done', 'schedule', 'req-1'],
    ]);
    expect(lines[1]?.durationMs).toBeGreaterThan(0);
  });

  it('event function: onError logs "invocation failed" and the error is rethrown (EventBridge retries)', async () => {
    const { lines, sink } = recorder();
    const boom = new Error('cluster prod unreachable');
    const handler = lambdaHandler<object, string>({ name: 'step', sink }, async () => {
      throw boom;
    });
    await expect(handler({}, context())).rejects.toBe(boom);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'invocation failed',
        function: 'step',
        error: { name: 'Error', message: 'cluster prod unreachable' },
        durationMs: expect.any(Number),
      }),
    ]);
  });

  it('HTTP function: an HttpError becomes its status, headers and message, logged at warn', async () => {
    const { lines, sink } = recorder();
    const handler = lambdaHandler<object, HttpResponse>({ name: 'promote', sink, http: true }, async () => {
      throw new HttpError(503, 'cluster prod unreachable', { 'retry-after': '5' }, { cluster: 'prod' });
    });
    const res = await handler({}, context());
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(JSON.parse(res.body)).toEqual({ message: 'cluster prod unreachable' });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'request rejected'],
      ['info', 'invocation done'],
    ]);
    expect(lines[0]).toEqual(expect.objectContaining({ status: 503, cluster: 'prod' }));
    expect(lines[1]).toEqual(expect.objectContaining({ statusCode: 503 }));
  });

  it('HTTP function: any other error becomes a generic 500 (no detail in the body), logged at error', async () => {
    const { lines, sink } = recorder();
    const handler = lambdaHandler<object, HttpResponse>({ name: 'promote', sink, http: true }, async () => {
      throw new Error('secret value sk-123 leaked');
    });
    const res = await handler({}, context());
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe(JSON.stringify({ message: 'internal error' }));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'request failed'],
      ['info', 'invocation done'],
    ]);
  });

  it("does not write into the caller's context object: concurrent invocations sharing it keep their own values", async () => {
    let now = 1_000_000;
    const shared = context(5000);
    const started: (() => void)[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handler = lambdaHandler<{ id: string }, { id: string; deadline: number }>(
      { name: 't', sink: () => undefined, clock: () => new Date(now), marginMs: 1000 },
      async (event, inv) => {
        started.shift()?.();
        await gate;
        return { id: event.id, deadline: inv.context.deadline };
      },
    );
    const run = async (id: string) => {
      const entered = new Promise<void>((r) => started.push(r));
      const result = handler({ id }, shared);
      await entered;
      return { result };
    };
    const a = await run('a');
    now = 2_000_000;
    const b = await run('b');
    release();
    expect(await Promise.all([a.result, b.result])).toEqual([
      { id: 'a', deadline: 1_004_000 },
      { id: 'b', deadline: 2_004_000 },
    ]);
    expect(Object.keys(shared)).toEqual(['awsRequestId', 'getRemainingTimeInMillis']);
  });
});

describe('the middlewares composed by hand', () => {
  it('middy runs before in use order, after and onError in reverse: the logger sees what httpErrors answered', async () => {
    const calls: string[] = [];
    const { lines, sink } = recorder();
    const handler = middy(async (_event: unknown, context: Context) => {
      const ctx = context as LoggedContext;
      ctx.log.debug('body');
      throw new HttpError(404, 'rollout shop/reviews not found');
    })
      .use(probe('first', calls))
      .use(invocationLogger({ name: 'promote', sink }))
      .use(httpErrors())
      .use(probe('last', calls));
    const res = (await handler({}, context())) as HttpResponse;
    expect(res.statusCode).toBe(404);
    expect(calls).toEqual(['first.before', 'last.before', 'last.onError', 'first.onError']);
    expect(lines.map((l) => l.msg)).toEqual(['request rejected', 'invocation done']);
  });

  it('httpErrors leaves a response set by a middleware that ran before it in onError', async () => {
    const { lines, sink } = recorder();
    const fallback: MiddlewareObj = {
      onError: (request) => {
        request.response = { statusCode: 418, headers: {}, body: '' };
      },
    };
    const handler = middy(async () => {
      throw new Error('teapot');
    })
      .use(invocationLogger({ name: 'promote', sink }))
      .use(httpErrors())
      .use(fallback);
    expect(((await handler({}, context())) as HttpResponse).statusCode).toBe(418);
    expect(lines.map((l) => l.msg)).toEqual(['invocation done']);
  });
});
