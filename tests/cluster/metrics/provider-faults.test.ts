/**
 * Provider calls that go wrong, against a loopback server that misbehaves on purpose: every failure is one Error
 * measurement with a message that says what happened, never a throw, never a second request, never a skipped gate.
 * And the allow-list: loopback, metadata and redirects to refused addresses are refused before any connection.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllowList } from '../../../shared/adapters/metrics/allow-list.js';
import { createMetricProviders } from '../../../shared/adapters/metrics/providers.js';
import type { Metric } from '../../../shared/core/analysis/types.js';
import { startProviderServer, vectorAnswer, type ProviderServer } from '../../support/provider-server.js';

let server: ProviderServer;

beforeAll(async () => {
  server = await startProviderServer();
  server.route('ok', (_q, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(vectorAnswer([0.99])),
  );
  server.route('hang', () => undefined);
  server.route('reset', (_q, res) => res.socket?.destroy());
  server.route('garbage', (_q, res) => res.writeHead(200).end('<html>this is not json'));
  server.route('huge', (_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      `{"status":"success","data":{"resultType":"vector","result":[]},"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`,
    );
  });
  server.route('to-metadata', (_q, res) =>
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/' }).end(),
  );
  server.route('to-ok', (_q, res) => res.writeHead(307, { location: '/ok/api/v1/query' }).end());
  server.route('post-refused', (q, res) =>
    q.method === 'POST' ? res.writeHead(405).end() : res.writeHead(200).end(vectorAnswer([0.97])),
  );
  server.route('unavailable', (_q, res) => res.writeHead(503).end('try later'));
  server.route('missing', (_q, res) => res.writeHead(404).end('not here'));
  server.route('bad-query', (_q, res) =>
    res
      .writeHead(400)
      .end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' })),
  );
});

afterAll(async () => {
  await server?.close();
});

const prometheus = (route: string, extra: Record<string, unknown> = {}): Metric => ({
  name: 'success-rate',
  successCondition: 'result[0] >= 0.95',
  provider: { prometheus: { address: `${server.url}/${route}`, query: 'up', ...extra } },
});

const providers = createMetricProviders({ allowList: () => parseAllowList(['127.0.0.1']) });
const measure = (metric: Metric, deadlineMs = 20_000, p = providers) =>
  p.measure({ cluster: 'c1', namespace: 'ns', metric, deadline: Date.now() + deadlineMs });

describe('failures become one Error measurement', () => {
  it('a provider that hangs: Error when the metric timeout ends, one request', async () => {
    const t0 = Date.now();
    const out = await measure(prometheus('hang', { timeout: 1 }));
    expect(out.measurement).toMatchObject({
      phase: 'Error',
      message: `Post "${server.url}/hang/api/v1/query": context deadline exceeded`,
    });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(server.seen('hang')).toHaveLength(1);
  });

  it("a provider that hangs past the invocation's remaining time: Error at the deadline", async () => {
    const t0 = Date.now();
    const out = await measure(prometheus('hang'), 500);
    expect(out.measurement.message).toBe(
      `Post "${server.url}/hang/api/v1/query": context deadline exceeded (the invocation's remaining time ran out)`,
    );
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('no time left: Error without a request', async () => {
    const before = server.seen('ok').length;
    const out = await measure(prometheus('ok'), -1);
    expect(out.measurement).toMatchObject({
      phase: 'Error',
      message: 'no time left in this invocation to call the metric provider',
    });
    expect(server.seen('ok')).toHaveLength(before);
  });

  it('a connection reset: Error naming the request', async () => {
    const out = await measure(prometheus('reset'));
    expect(out.measurement.phase).toBe('Error');
    expect(out.measurement.message).toMatch(
      new RegExp(`^Post "${server.url}/reset/api/v1/query": (socket hang up|ECONNRESET)`),
    );
    expect(server.seen('reset')).toHaveLength(1);
  });

  it('garbage: bad_response', async () => {
    const out = await measure(prometheus('garbage'));
    expect(out.measurement.phase).toBe('Error');
    expect(out.measurement.message).toMatch(/^bad_response: /);
  });

  it('a body over 1 MiB: Error, not read further', async () => {
    const out = await measure(prometheus('huge'));
    expect(out.measurement).toMatchObject({
      phase: 'Error',
      message: `response body of ${server.url}/huge/api/v1/query exceeds 1048576 bytes`,
    });
  });

  it.each([
    ['unavailable', 'server_error: server error: 503'],
    ['missing', 'client_error: client error: 404'],
    ['bad-query', 'bad_data: parse error at char 5'],
  ])('HTTP answer of %s: %s, one request', async (route, message) => {
    const out = await measure(prometheus(route));
    expect(out.measurement).toMatchObject({ phase: 'Error', message });
    expect(out.measurement.value).toBeUndefined();
    expect(server.seen(route)).toHaveLength(1);
  });

  it('405 on POST is asked again as GET with the query in the URL (the Prometheus client does so)', async () => {
    const out = await measure(prometheus('post-refused'));
    expect(out.measurement).toMatchObject({ phase: 'Successful', value: '[0.97]' });
    const seen = server.seen('post-refused');
    expect(seen.map((s) => s.method)).toEqual(['POST', 'GET']);
    expect(seen[0]?.body).toMatch(/^query=up&time=\d+(\.\d+)?$/);
    expect(seen[1]?.path).toMatch(/^\/post-refused\/api\/v1\/query\?query=up&time=/);
  });

  it.each([
    [{ address: undefined }, 'prometheus address is not configured'],
    [{ address: 'not a url' }, 'prometheus address is not is url format'],
    [{ timeout: -1 }, 'prometheus timeout should not be negative'],
    [
      { authentication: { basicAuth: { username: 'u' } } },
      'missing mandatory parameter in metric for basic auth setup: password',
    ],
    [
      { authentication: { basicAuth: { password: 'p' } } },
      'missing mandatory parameter in metric for basic auth setup: username',
    ],
  ])('a metric Argo refuses: %j → %s', async (extra, message) => {
    const out = await measure(prometheus('ok', extra));
    expect(out.measurement).toMatchObject({ phase: 'Error', message });
  });

  it('a provider sluice does not run: Error naming it', async () => {
    const out = await measure({ name: 'j', provider: { job: { spec: {} } } });
    expect(out.measurement).toMatchObject({
      phase: 'Error',
      message: `metric provider "job" is not supported by sluice (metric 'j')`,
    });
  });
});

describe('headers and basic auth', () => {
  it('sends basic auth and the metric headers', async () => {
    server.route('auth', (_q, res) => res.writeHead(200).end(vectorAnswer([1])));
    const out = await measure(
      prometheus('auth', {
        authentication: { basicAuth: { username: 'reader', password: 's3cret' } },
        headers: [{ key: 'X-Scope-OrgID', value: 'tenant-a' }],
      }),
    );
    expect(out.measurement.phase).toBe('Successful');
    const [seen] = server.seen('auth');
    expect(seen?.headers.authorization).toBe(`Basic ${Buffer.from('reader:s3cret').toString('base64')}`);
    expect(seen?.headers['x-scope-orgid']).toBe('tenant-a');
    expect(seen?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });
});

describe('allow-list', () => {
  it('refuses the metadata endpoint even when link-local is allowed, without connecting', async () => {
    const linkLocal = createMetricProviders({ allowList: () => parseAllowList(['169.254.0.0/16']) });
    const t0 = Date.now();
    const out = await measure(
      { name: 'm', provider: { web: { url: 'http://169.254.169.254/latest/meta-data/' } } },
      20_000,
      linkLocal,
    );
    expect(out.measurement).toMatchObject({
      phase: 'Error',
      message:
        'metric provider address 169.254.169.254 resolves to 169.254.169.254 (cloud metadata endpoint), which is not ' +
        'in the allowed metric provider addresses of cluster "c1"',
    });
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('does not follow a redirect to a refused address', async () => {
    const out = await measure(prometheus('to-metadata'));
    expect(out.measurement.phase).toBe('Error');
    expect(out.measurement.message).toBe(
      'metric provider address 169.254.169.254 resolves to 169.254.169.254 (cloud metadata endpoint), which is not ' +
        'in the allowed metric provider addresses of cluster "c1"',
    );
    expect(server.seen('to-metadata')).toHaveLength(1);
  });

  it('follows a redirect to an allowed address (307 keeps the POST and its body)', async () => {
    const before = server.seen('ok').length;
    const out = await measure(prometheus('to-ok'));
    expect(out.measurement).toMatchObject({ phase: 'Successful', value: '[0.99]' });
    const after = server.seen('ok').slice(before);
    expect(after.map((s) => [s.method, s.body.startsWith('query=up&time=')])).toEqual([['POST', true]]);
  });

  it('resolves a name once, checks the address and connects to it (the Host header keeps the name)', async () => {
    const asked: string[] = [];
    const named = createMetricProviders({
      allowList: () => parseAllowList(['127.0.0.1']),
      resolve: async (host) => {
        asked.push(host);
        return ['127.0.0.1'];
      },
    });
    server.route('named', (_q, res) => res.writeHead(200).end(vectorAnswer([1])));
    const metric: Metric = {
      name: 'm',
      provider: {
        prometheus: { address: `http://prometheus.tenant.test:${server.port}/named`, query: 'up' },
      },
    };
    const out = await measure(metric, 20_000, named);
    expect(out.measurement.phase).toBe('Successful');
    expect(asked).toEqual(['prometheus.tenant.test']);
    expect(server.seen('named')[0]?.headers.host).toBe(`prometheus.tenant.test:${server.port}`);
  });

  it('refuses a name when any of its addresses is refused', async () => {
    const mixed = createMetricProviders({
      allowList: () => undefined,
      resolve: async () => ['52.94.1.1', '10.0.0.7'],
    });
    const out = await measure(
      { name: 'm', provider: { web: { url: 'http://metrics.tenant.test/health' } } },
      20_000,
      mixed,
    );
    expect(out.measurement.message).toBe(
      'metric provider address metrics.tenant.test resolves to 10.0.0.7 (private), which is not in the allowed ' +
        'metric provider addresses of cluster "c1"',
    );
  });
});
