/**
 * The promote function in-process with API Gateway v2 requests carrying real HMAC signatures, against the real
 * cluster. Every rejected request is checked for its status code AND for zero Kubernetes writes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { signRequest } from '../../shared/app/http-api/webhook-auth.js';
import { createGateway } from '../../shared/adapters/kube/client-gateway.js';
import { parseKubeconfig, toKubeConfig } from '../../shared/adapters/kube/kubeconfig.js';
import { createPromoteHandler } from '../../functions/promote/handler.js';
import { MAX_BODY_BYTES } from '../../shared/app/http-api/request.js';
import type { HttpResponse } from '../../shared/app/http-api/response.js';
import { clusterInfo } from '../support/cluster.js';
import { adminGateway, setImage, startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import {
  CLUSTER,
  SECRETS,
  countingGateway,
  httpEvent,
  instanceLabelled,
  lambdaContext,
  mockEventBridge,
  testDeps,
  quiet,
} from './support.js';

const INSTANCE = 'fn-promote';
const [current, previous] = SECRETS as [(typeof SECRETS)[0], (typeof SECRETS)[0]];

describe('promote function (HTTP API v2, signed)', () => {
  let j: Journey;
  let counted: ReturnType<typeof countingGateway>;
  let bus: ReturnType<typeof mockEventBridge>;
  let call: (event: ReturnType<typeof httpEvent>) => Promise<HttpResponse>;
  let path: (action?: string, cluster?: string) => string;

  beforeAll(async () => {
    const seed = hostSeed().map((o) => (o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o));
    j = await startJourney('fn-promote', seed);
    await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
    await setImage(j.ns, 'reviews', IMAGE_V2);
    await j.drive('reviews', (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused');
    counted = countingGateway(adminGateway());
    bus = mockEventBridge();
    const handler = createPromoteHandler(async () => testDeps(counted.gw, INSTANCE), quiet);
    call = (event) => handler(event, lambdaContext()) as Promise<HttpResponse>;
    path = (action, cluster = CLUSTER) =>
      `/v1/clusters/${cluster}/namespaces/${j.ns}/rollouts/reviews${action ? `/${action}` : ''}`;
  });
  afterAll(async () => {
    bus.mock.restore();
    await j.stop();
  });

  const json = { 'content-type': 'application/json' };
  /** Headers signing `method path body`; by default POST to this rollout's promote action. */
  const signed = (
    body: string,
    secret = current,
    at = new Date(),
    target: { method?: string; path?: string; idempotencyKey?: string } = {},
  ) => ({
    ...json,
    ...signRequest({
      secret: secret.secret,
      keyId: secret.id,
      method: target.method ?? 'POST',
      path: target.path ?? path('promote'),
      body,
      ...(target.idempotencyKey === undefined ? {} : { idempotencyKey: target.idempotencyKey }),
      now: at,
    }),
  });

  // Each accepted signature is single-use (replay guard), so cases that pass the signature check sign distinct bodies.
  describe('rejects bad requests with the right status and writes nothing', () => {
    const nested = (depth: number) => `{"expectedStep":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const cases: { title: string; status: number; make: () => ReturnType<typeof httpEvent> }[] = [
      {
        title: 'no signature headers → 401',
        status: 401,
        make: () => httpEvent('POST', path('promote'), '{}', json),
      },
      {
        title: 'signed with an unknown secret → 401',
        status: 401,
        make: () =>
          httpEvent(
            'POST',
            path('promote'),
            '{}',
            signed('{}', { id: 'key-2', secret: 'not-the-secret-0123456789' }),
          ),
      },
      {
        title: 'malformed signature header → 401',
        status: 401,
        make: () =>
          httpEvent('POST', path('promote'), '{}', { ...signed('{}'), 'x-sluice-signature': 'v1=zz' }),
      },
      {
        title: 'signature over a different body → 401',
        status: 401,
        make: () => httpEvent('POST', path('promote'), '{"expectedStep":1}', signed('{}')),
      },
      {
        title: 'timestamp 301 s old → 401',
        status: 401,
        make: () =>
          httpEvent('POST', path('promote'), '{}', signed('{}', current, new Date(Date.now() - 301_000))),
      },
      {
        title: 'timestamp 301 s in the future → 401',
        status: 401,
        make: () =>
          // Whole seconds are compared: +301.999 s stays 301 s ahead even if the clock ticks before verification.
          httpEvent('POST', path('promote'), '{}', signed('{}', current, new Date(Date.now() + 301_999))),
      },
      {
        title: 'body one byte over 64 KiB, even correctly signed → 413',
        status: 413,
        make: () => {
          const body = JSON.stringify({ reason: 'x'.repeat(MAX_BODY_BYTES) }).slice(0, MAX_BODY_BYTES + 1);
          return httpEvent('POST', path('promote'), body, signed(body));
        },
      },
      {
        title: 'oversized base64 body → 413',
        status: 413,
        make: () =>
          httpEvent('POST', path('promote'), 'a'.repeat(MAX_BODY_BYTES * 2), json, { base64: true }),
      },
      {
        title: 'deeply nested JSON (30 000 levels) → 400',
        status: 400,
        make: () => httpEvent('POST', path('promote'), nested(30_000), signed(nested(30_000))),
      },
      {
        title: 'text/plain content type → 415',
        status: 415,
        make: () => {
          const body = '{"reason":"plain"}';
          return httpEvent('POST', path('promote'), body, { ...signed(body), 'content-type': 'text/plain' });
        },
      },
      {
        title: 'not JSON → 400',
        status: 400,
        make: () => httpEvent('POST', path('promote'), '{expectedStep:', signed('{expectedStep:')),
      },
      {
        title: 'negative expectedStep → 400',
        status: 400,
        make: () => httpEvent('POST', path('promote'), '{"expectedStep":-1}', signed('{"expectedStep":-1}')),
      },
      {
        title: 'reason over 256 characters → 400',
        status: 400,
        make: () => {
          const body = JSON.stringify({ reason: 'r'.repeat(257) });
          return httpEvent('POST', path('promote'), body, signed(body));
        },
      },
      {
        title: 'unknown field → 400',
        status: 400,
        make: () => httpEvent('POST', path('promote'), '{"step":2}', signed('{"step":2}')),
      },
      {
        title: 'unknown cluster → 404',
        status: 404,
        make: () =>
          httpEvent(
            'POST',
            path('promote', 'elsewhere'),
            '{"reason":"x"}',
            signed('{"reason":"x"}', current, new Date(), { path: path('promote', 'elsewhere') }),
          ),
      },
      {
        title: 'unknown action route → 404',
        status: 404,
        make: () =>
          httpEvent(
            'POST',
            path('delete'),
            '{"reason":"d"}',
            signed('{"reason":"d"}', current, new Date(), { path: path('delete') }),
          ),
      },
      {
        title: 'stale expectedStep (operator saw step 0, rollout is at 1) → 409',
        status: 409,
        make: () => httpEvent('POST', path('promote'), '{"expectedStep":0}', signed('{"expectedStep":0}')),
      },
    ];
    it.each(cases)('$title', async ({ status, make }) => {
      const before = counted.writes();
      const res = await call(make());
      expect(res.statusCode).toBe(status);
      expect(counted.writes()).toBe(before);
      if (status === 401) expect(JSON.parse(res.body)).toEqual({ message: 'unauthorized' });
      expect((await j.rollout('reviews')).status?.currentStepIndex).toBe(1);
    });
  });

  describe('a signature made for POST …/reviews/promote is refused anywhere else, writing nothing', () => {
    const body = '{"reason":"bound to one request"}';
    const cases: { title: string; method: string; target: () => string }[] = [
      { title: 'on the abort action of the same rollout', method: 'POST', target: () => path('abort') },
      {
        title: 'on another rollout',
        method: 'POST',
        target: () => path('promote').replace('/rollouts/reviews/', '/rollouts/ratings/'),
      },
      {
        title: 'on another cluster (same namespace and name)',
        method: 'POST',
        target: () => path('promote', 'other'),
      },
      { title: 'on a GET of the same rollout', method: 'GET', target: () => path() },
      { title: 'on a GET of the promote path itself', method: 'GET', target: () => path('promote') },
    ];
    it.each(cases)('$title → 401', async ({ method, target }) => {
      const headers = signed(body);
      const before = counted.writes();
      const sentBefore = bus.entries().length;
      const res = await call(httpEvent(method, target(), method === 'GET' ? undefined : body, headers));
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body)).toEqual({ message: 'unauthorized' });
      expect(counted.writes()).toBe(before);
      expect(bus.entries().length).toBe(sentBefore);
      expect((await j.rollout('reviews')).status).toMatchObject({ currentStepIndex: 1, phase: 'Paused' });
    });
  });

  it('answers a signed GET with the rollout state', async () => {
    const res = await call(
      httpEvent('GET', path(), undefined, signed('', current, new Date(), { method: 'GET', path: path() })),
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).state).toMatchObject({ step: 1, phase: 'Paused' });
  });

  it('answers 503 with Retry-After when the cluster is unreachable, writing nothing', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const yaml = clusterInfo().kubeconfigYaml.replace(/server: \S+/, `server: http://127.0.0.1:${port}`);
    const down = createGateway(toKubeConfig(parseKubeconfig(yaml, { allowLoopbackHttp: true })), {
      maxRetries: 0,
    });
    const handler = createPromoteHandler(async () => testDeps(down, INSTANCE), quiet);
    const res = (await handler(
      httpEvent('POST', path('promote'), '{}', signed('{}')),
      lambdaContext(),
    )) as HttpResponse;
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
  });

  it('promotes with the previous key during a rotation, emits sluice.step, and refuses the replay', async () => {
    const body = JSON.stringify({ expectedStep: 1, reason: 'looks good' });
    const headers = signed(body, previous);
    const sentBefore = bus.entries().length;
    const res = await call(httpEvent('POST', path('promote'), body, headers));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ before: { step: 1 } });
    expect(counted.writes()).toBeGreaterThan(0);
    expect(bus.entries().slice(sentBefore)).toEqual([
      {
        bus: 'sluice-test',
        source: 'sluice',
        detailType: 'sluice.step',
        detail: { cluster: CLUSTER, namespace: j.ns, rollout: 'reviews' },
      },
    ]);
    const writes = counted.writes();
    const replay = await call(httpEvent('POST', path('promote'), body, headers));
    expect(replay.statusCode).toBe(401);
    expect(counted.writes()).toBe(writes);
  });
  it('refuses a replay delivered to another container (the claim lives in the cluster): one transition', async () => {
    // Paused on a step, so an unguarded second promote would skip that step (Argo's promote writes index+1).
    await j.drive('reviews', (r) => r.status?.phase === 'Paused');
    const body = JSON.stringify({ reason: 'no expected step: only the claim stops a replay' });
    const headers = signed(body);
    const containerA = createPromoteHandler(async () => testDeps(counted.gw, INSTANCE), quiet);
    const containerB = createPromoteHandler(async () => testDeps(counted.gw, INSTANCE), quiet);
    const first = (await containerA(
      httpEvent('POST', path('promote'), body, headers),
      lambdaContext(),
    )) as HttpResponse;
    expect(first.statusCode).toBe(200);
    const afterFirst = await j.rollout('reviews');
    expect(afterFirst.status?.pauseConditions ?? []).toEqual([]);
    const writes = counted.writes();
    const events = (await j.gw.list('events', j.ns)).items.length;
    const replay = (await containerB(
      httpEvent('POST', path('promote'), body, headers),
      lambdaContext(),
    )) as HttpResponse;
    expect(replay.statusCode).toBe(409);
    expect(JSON.parse(replay.body).message).toMatch(
      /already accepted \(a replayed delivery\); nothing written/,
    );
    // One write was attempted: the claim, which the API server refused (AlreadyExists); nothing was persisted.
    expect(counted.writes()).toBe(writes + 1);
    expect((await j.gw.list('events', j.ns)).items.length).toBe(events);
    const afterReplay = await j.rollout('reviews');
    expect(afterReplay.metadata.resourceVersion).toBe(afterFirst.metadata.resourceVersion);
    expect(afterReplay.status?.currentStepIndex).toBe(afterFirst.status?.currentStepIndex);
  });

  it('refuses a replayed no-op (pause when already paused) delivered to another container with 409', async () => {
    const pause = (reason: string) => {
      const body = JSON.stringify({ reason });
      return { body, headers: signed(body, current, new Date(), { path: path('pause') }) };
    };
    const containerA = createPromoteHandler(async () => testDeps(counted.gw, INSTANCE), quiet);
    const containerB = createPromoteHandler(async () => testDeps(counted.gw, INSTANCE), quiet);
    const send = (to: typeof containerA, r: ReturnType<typeof pause>) =>
      to(httpEvent('POST', path('pause'), r.body, r.headers), lambdaContext()) as Promise<HttpResponse>;
    expect((await send(containerA, pause('pause it'))).statusCode).toBe(200);
    const noop = pause('pause it again: already paused, a no-op');
    const first = await send(containerA, noop);
    expect(first.statusCode).toBe(200);
    const paused = await j.rollout('reviews');
    const writes = counted.writes();
    const events = (await j.gw.list('events', j.ns)).items.length;
    const replay = await send(containerB, noop);
    expect(replay.statusCode).toBe(409);
    expect(JSON.parse(replay.body).message).toMatch(
      /already accepted \(a replayed delivery\); nothing written/,
    );
    // One write was attempted: the claim, which the API server refused (AlreadyExists); nothing was persisted.
    expect(counted.writes()).toBe(writes + 1);
    expect((await j.gw.list('events', j.ns)).items.length).toBe(events);
    expect((await j.rollout('reviews')).metadata.resourceVersion).toBe(paused.metadata.resourceVersion);
    // Leave the Rollout as the later tests expect it: not paused by an operator.
    const resume = JSON.stringify({ reason: 'resume after the no-op test' });
    const resumed = await call(
      httpEvent(
        'POST',
        path('resume'),
        resume,
        signed(resume, current, new Date(), { path: path('resume') }),
      ),
    );
    expect(resumed.statusCode).toBe(200);
  });
  it('deduplicates retries re-signed under the same Idempotency-Key, and refuses the key for another request', async () => {
    // A fresh revision paused at its indefinite pause: a second promote there would skip the next step.
    await setImage(j.ns, 'reviews', 'registry.example/reviews:idempotency');
    await j.drive('reviews', (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused');
    const idempotencyKey = `retry-${Date.now()}`;
    const body = JSON.stringify({ reason: 'first delivery' });
    const promote = (at: Date) =>
      call(httpEvent('POST', path('promote'), body, signed(body, current, at, { idempotencyKey })));
    expect((await promote(new Date())).statusCode).toBe(200);
    const afterFirst = await j.rollout('reviews');
    const events = (await j.gw.list('events', j.ns)).items.length;
    // A client retry after a lost answer: the same key and request, signed again one second later.
    const retry = await promote(new Date(Date.now() + 1000));
    expect(retry.statusCode).toBe(409);
    expect(JSON.parse(retry.body).message).toMatch(/already accepted/);
    // The same key for a different request.
    const other = await call(
      httpEvent(
        'POST',
        path('abort'),
        body,
        signed(body, current, new Date(), { path: path('abort'), idempotencyKey }),
      ),
    );
    expect(other.statusCode).toBe(422);
    expect(JSON.parse(other.body).message).toMatch(/already used for a different request; nothing written/);
    const afterAll = await j.rollout('reviews');
    expect(afterAll.metadata.resourceVersion).toBe(afterFirst.metadata.resourceVersion);
    expect((await j.gw.list('events', j.ns)).items.length).toBe(events);
  });

  it('refuses a malformed Idempotency-Key with 400 and writes nothing', async () => {
    const body = '{}';
    const writes = counted.writes();
    const res = await call(
      httpEvent(
        'POST',
        path('pause'),
        body,
        signed(body, current, new Date(), {
          path: path('pause'),
          idempotencyKey: 'has spaces and / slashes',
        }),
      ),
    );
    expect(res.statusCode).toBe(400);
    expect(counted.writes()).toBe(writes);
  });
});
