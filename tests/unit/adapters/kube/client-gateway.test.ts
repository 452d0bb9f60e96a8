import { describe, it, expect, afterEach } from '@jest/globals';
import {
  createGateway,
  type GatewayOptions,
  type RequestInfo,
} from '../../../../shared/adapters/kube/client-gateway.js';
import { KubeApiError } from '../../../../shared/app/kube-port/errors.js';
import { isPreconditionFailed } from '../../../../shared/adapters/kube/errors-ext.js';
import { parseKubeconfig, toKubeConfig } from '../../../../shared/adapters/kube/kubeconfig.js';
import {
  startFaultServer,
  type FaultReply,
  type FaultServer,
  type RecordedRequest,
} from '../../../support/fault-proxy.js';
import { stringify } from 'yaml';

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  code,
  reason,
  message,
});
const vs = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'shop', resourceVersion: '7' },
};

async function setup(reply: (req: RecordedRequest, n: number) => FaultReply, opts: GatewayOptions = {}) {
  server = await startFaultServer(reply);
  const kubeconfig = stringify({
    clusters: [{ name: 'fake', cluster: { server: server.url } }],
    users: [{ name: 'fake', user: { token: 'secret-token' } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
  });
  const seen: RequestInfo[] = [];
  const gw = createGateway(toKubeConfig(parseKubeconfig(kubeconfig, { allowLoopbackHttp: true })), {
    backoff: { baseMs: 10, capMs: 50, retryAfterJitterMs: 0 },
    onRequest: (i) => seen.push(i),
    ...opts,
  });
  return { gw, seen, requests: server.requests };
}

async function failure(p: Promise<unknown>): Promise<KubeApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KubeApiError) return err;
    throw err;
  }
  throw new Error('expected a KubeApiError');
}

describe('createGateway on the wire', () => {
  it('sends JSON Patch, merge patch, status subresource, dryRun and core-group paths as the API expects', async () => {
    const { gw, requests } = await setup(() => ({ status: 200, body: vs }));
    const target = { resource: 'virtualservices' as const, namespace: 'shop', name: 'reviews' };
    await gw.patch(target, [{ op: 'test', path: '/metadata/resourceVersion', value: '7' }]);
    await gw.mergePatch(
      { ...target, resource: 'rollouts', subresource: 'status' },
      { status: { phase: 'Paused' } },
      { dryRun: true },
    );
    await gw.get('services', 'shop', 'reviews-canary');
    await gw.list('replicasets', 'shop', { labelSelector: 'app=reviews' });
    await gw.list('rollouts', undefined);
    await gw.create('events', 'shop', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' } });
    expect(requests.map((r) => [r.method, r.url, r.contentType])).toEqual([
      [
        'PATCH',
        '/apis/networking.istio.io/v1/namespaces/shop/virtualservices/reviews?fieldManager=sluice',
        'application/json-patch+json',
      ],
      [
        'PATCH',
        '/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/reviews/status?dryRun=All&fieldManager=sluice',
        'application/merge-patch+json',
      ],
      ['GET', '/api/v1/namespaces/shop/services/reviews-canary', undefined],
      ['GET', '/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dreviews', undefined],
      ['GET', '/apis/argoproj.io/v1alpha1/rollouts', undefined],
      ['POST', '/api/v1/namespaces/shop/events?fieldManager=sluice', 'application/json'],
    ]);
    expect(JSON.parse(requests[0]!.body)).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
    ]);
    expect(JSON.parse(requests[1]!.body)).toEqual({ status: { phase: 'Paused' } });
  });

  it('returns undefined for a 404 get, without retrying', async () => {
    const { gw, requests } = await setup(() => ({ status: 404, body: status(404, 'NotFound', 'not found') }));
    expect(await gw.get('rollouts', 'shop', 'nope')).toBeUndefined();
    expect(requests).toHaveLength(1);
  });

  it('retries 5xx with backoff and reports every attempt to onRequest', async () => {
    const { gw, seen } = await setup((_r, n) =>
      n < 2 ? { status: 503, body: status(503, 'ServiceUnavailable', 'busy') } : { status: 200, body: vs },
    );
    expect(await gw.get('virtualservices', 'shop', 'reviews')).toEqual(vs);
    expect(seen.map((s) => [s.verb, s.resource, s.namespace, s.status])).toEqual([
      ['get', 'virtualservices.networking.istio.io', 'shop', 503],
      ['get', 'virtualservices.networking.istio.io', 'shop', 503],
      ['get', 'virtualservices.networking.istio.io', 'shop', 200],
    ]);
  });

  it('honours Retry-After on 429 before retrying', async () => {
    const { gw, requests } = await setup((_r, n) =>
      n === 0
        ? { status: 429, body: status(429, 'TooManyRequests', 'slow down'), headers: { 'retry-after': '1' } }
        : { status: 200, body: vs },
    );
    const t0 = Date.now();
    await gw.get('virtualservices', 'shop', 'reviews');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
    expect(requests).toHaveLength(2);
  });

  it.each([
    [409, 'Conflict', 'the object has been modified; please apply your changes to the latest version', true],
    [
      422,
      'Invalid',
      'the server rejected our request due to an error in our request: testing value /metadata/resourceVersion failed: test operation does not apply',
      true,
    ],
    [500, 'InternalError', 'testing value /metadata/resourceVersion failed', true], // old servers
    [400, 'BadRequest', 'bad patch', false],
    [403, 'Forbidden', 'virtualservices is forbidden', false],
    [422, 'Invalid', 'spec.http: Required value', false],
  ])(
    'does not retry a %i %s and maps it to KubeApiError naming the call (precondition failed: %p)',
    async (code, reason, message, conflict) => {
      const body = status(code, reason, message);
      const { gw, requests } = await setup(() => ({ status: code, body }));
      const err = await failure(
        gw.patch({ resource: 'virtualservices', namespace: 'shop', name: 'reviews' }, []),
      );
      expect(requests).toHaveLength(1);
      expect(err.code).toBe(code);
      expect(err.reason).toBe(reason);
      expect(isPreconditionFailed(err)).toBe(conflict);
      expect(err.message).toBe(
        `patch virtualservices.networking.istio.io shop/reviews failed: ${code} ${reason}: ${message}`,
      );
    },
  );

  it('times out a hanging request, retries, then fails with code 0 Timeout', async () => {
    const { gw, requests } = await setup(() => ({ hang: true }), { timeoutMs: 150, maxRetries: 2 });
    const err = await failure(gw.get('rollouts', 'shop', 'r'));
    expect(err.code).toBe(0);
    expect(err.reason).toBe('Timeout');
    expect(err.isRetryable).toBe(true);
    expect(requests).toHaveLength(3);
  });

  it('maps a reset connection to a network error (code 0) and recovers on retry', async () => {
    const { gw, seen } = await setup((_r, n) => (n === 0 ? { reset: true } : { status: 200, body: vs }));
    expect(await gw.get('virtualservices', 'shop', 'reviews')).toEqual(vs);
    expect(seen.map((s) => s.status)).toEqual([0, 200]);
  });

  it('maps connection refused to code 0 with the cause code', async () => {
    const { gw } = await setup(() => ({ status: 200, body: vs }), { maxRetries: 1 });
    await server!.close();
    server = undefined;
    const err = await failure(gw.get('rollouts', 'shop', 'r'));
    expect(err.code).toBe(0);
    expect(err.reason).toBe('ECONNREFUSED');
    expect(err.message).toMatch(/^get rollouts\.argoproj\.io shop\/r failed: network ECONNREFUSED/);
  });

  it('stops retrying at the deadline', async () => {
    const deadline = Date.now() + 400;
    const { gw, requests } = await setup(
      () => ({ status: 503, body: status(503, 'ServiceUnavailable', 'busy') }),
      {
        deadline: () => deadline,
        maxRetries: 100,
        backoff: { baseMs: 100, capMs: 100, random: () => 1 },
      },
    );
    const err = await failure(gw.get('rollouts', 'shop', 'r'));
    expect(Date.now()).toBeLessThan(deadline + 100);
    expect(err.code).toBe(503);
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(requests.length).toBeLessThanOrEqual(5);
  });

  it('refuses to start once the deadline has passed, sending nothing', async () => {
    const { gw, requests } = await setup(() => ({ status: 200, body: vs }), {
      deadline: () => Date.now() - 1,
    });
    const err = await failure(gw.get('rollouts', 'shop', 'r'));
    expect(err.reason).toBe('DeadlineExceeded');
    expect(requests).toHaveLength(0);
  });

  it('rate-limits with a token bucket (burst, then qps)', async () => {
    const { gw } = await setup(() => ({ status: 200, body: vs }), { qps: 10, burst: 2 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => gw.get('rollouts', 'shop', 'r')));
    // 2 immediately, then 4 more at 10/s.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
  });
});

describe('watch', () => {
  it('delivers events and bookmarks, and rejects done with 410 on an Expired ERROR event', async () => {
    const events = [
      { type: 'ADDED', object: vs },
      { type: 'BOOKMARK', object: { ...vs, metadata: { resourceVersion: '9' } } },
      { type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 1 (9)') },
    ];
    const { gw, requests } = await setup(() => ({ watch: events, keepOpenMs: 2000 }));
    const got: string[] = [];
    const h = gw.watch('virtualservices', 'shop', '1', (e) => got.push(e.type));
    const err = await failure(h.done);
    expect(err.code).toBe(410);
    expect(err.reason).toBe('Expired');
    expect(got).toEqual(['ADDED', 'BOOKMARK']);
    const url = new URL(requests[0]!.url, 'http://x');
    expect(url.pathname).toBe('/apis/networking.istio.io/v1/namespaces/shop/virtualservices');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      watch: 'true',
      resourceVersion: '1',
      allowWatchBookmarks: 'true',
    });
  });

  it('resolves done when stopped', async () => {
    const { gw } = await setup(() => ({ watch: [{ type: 'ADDED', object: vs }], keepOpenMs: 20_000 }));
    const got: string[] = [];
    const h = gw.watch('virtualservices', 'shop', '1', (e) => got.push(e.type));
    await new Promise((r) => setTimeout(r, 200));
    h.stop();
    await expect(h.done).resolves.toBeUndefined();
    expect(got).toEqual(['ADDED']);
  });

  it('rejects done with the HTTP error when the watch cannot start', async () => {
    const { gw } = await setup(() => ({ status: 403, body: status(403, 'Forbidden', 'no') }));
    const err = await failure(gw.watch('rollouts', 'shop', '1', () => {}).done);
    expect(err.code).toBe(403);
    expect(err.message).toMatch(/^watch rollouts\.argoproj\.io shop\/\* failed: 403/);
  });
});
