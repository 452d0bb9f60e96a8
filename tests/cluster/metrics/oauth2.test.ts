/**
 * OAuth2 client credentials for the web and prometheus providers, against a real token endpoint on loopback
 * (tests/support/token-server.ts), a loopback web endpoint, and a real Prometheus behind a proxy that lets only the
 * issued bearer tokens through. Argo's cases usingOAuth2 and RejectedByOAuthServer, the auth style fallback, the
 * token cache (hits, and misses per cluster, secret and expiry), and the limits every address sluice requests on a
 * tenant's behalf is under: the allow-list (also on a redirect), the answer cap and the time bound.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, request, type Server } from 'node:http';
import { parseAllowList } from '../../../shared/adapters/metrics/allow-list.js';
import { createMetricProviders } from '../../../shared/adapters/metrics/providers.js';
import type { Metric } from '../../../shared/core/analysis/types.js';
import { startProviderServer, type ProviderServer } from '../../support/provider-server.js';
import {
  startIstioMetrics,
  startPrometheus,
  type IstioMetricsEndpoint,
  type PrometheusServer,
} from '../../support/prometheus.js';
import { startTokenServer, type TokenServer } from '../../support/token-server.js';

const CLIENT = { id: 'sluice metrics', secret: 's3cr+t/=' };
const SCOPES = ['metrics:read', 'canary'];

let tokens: TokenServer;
let web: ProviderServer;
/** Tokens the web endpoint refuses although issued (a revoked token). */
const revoked = new Set<string>();

let endpoint: IstioMetricsEndpoint;
let prom: PrometheusServer;
let proxy: Server;
let proxyUrl: string;
const proxied: string[] = [];

/** Lets a request through to Prometheus only with a bearer token the token server issued. */
function startBearerProxy(): Promise<void> {
  proxy = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    proxied.push(auth);
    if (!tokens.issued.some((t) => auth === `Bearer ${t}`)) {
      res.writeHead(401).end('unauthorized');
      return;
    }
    const target = new URL(req.url ?? '/', prom.url);
    const { authorization: _drop, ...headers } = req.headers;
    const upstream = request(target, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    proxy.listen(0, '127.0.0.1', () => {
      const a = proxy.address();
      proxyUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
      resolve();
    }),
  );
}

beforeAll(async () => {
  tokens = await startTokenServer(CLIENT);
  web = await startProviderServer();
  web.route('api', (seen, res) => {
    const auth = String(seen.headers.authorization ?? '');
    const ok = tokens.issued.some((t) => auth === `Bearer ${t}` && !revoked.has(t));
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '{"ok":1}' : '');
  });
  endpoint = await startIstioMetrics();
  endpoint.set([{ app: 'reviews', code: 200, count: 10 }]);
  prom = await startPrometheus([endpoint.target]);
  await startBearerProxy();
}, 90_000);

afterAll(async () => {
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await prom?.stop();
  await endpoint?.close();
  await web?.close();
  await tokens?.close();
});

beforeEach(() => {
  tokens.mode = { accepts: 'header' };
  tokens.requests.length = 0;
  revoked.clear();
});

const oauth2 = (over: Record<string, unknown> = {}) => ({
  tokenUrl: tokens.url,
  clientId: CLIENT.id,
  clientSecret: CLIENT.secret,
  scopes: SCOPES,
  ...over,
});

const webMetric = (over: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Metric => ({
  name: 'api',
  successCondition: 'result.ok == 1',
  provider: {
    web: { url: `${web.url}/api`, jsonPath: '{$}', authentication: { oauth2: oauth2(over) }, ...extra },
  },
});

/** Providers with loopback allowed; `idp.internal` resolves to a private address that is not. */
const providers = (now: () => number = Date.now) =>
  createMetricProviders({
    allowList: () => parseAllowList(['127.0.0.1/32']),
    resolve: async (host) => (host === 'idp.internal' ? ['10.0.0.7'] : ['127.0.0.1']),
    now,
  });
let plane = providers();
const measure = (m: Metric, cluster = 'c1', p = plane, now = Date.now()) =>
  p.measure({ cluster, namespace: 'ns', metric: m, deadline: now + 20_000 });

describe('web provider with OAuth2 client credentials', () => {
  beforeEach(() => {
    plane = providers();
  });

  it('usingOAuth2: fetches a token as Go does and sends it as a bearer token', async () => {
    const calls = web.seen('api').length;
    const out = await measure(webMetric());
    expect(out.measurement).toMatchObject({ phase: 'Successful', value: '{"ok":1}' });
    expect(tokens.requests).toEqual([
      {
        method: 'POST',
        path: '/token',
        authorization: `Basic ${Buffer.from('sluice+metrics:s3cr%2Bt%2F%3D').toString('base64')}`,
        contentType: 'application/x-www-form-urlencoded',
        form: { grant_type: 'client_credentials', scope: 'metrics:read canary' },
      },
    ]);
    expect(
      web
        .seen('api')
        .slice(calls)
        .map((s) => s.headers.authorization),
    ).toEqual([`Bearer ${tokens.issued.at(-1)}`]);
  });

  it('RejectedByOAuthServer: an Error with Go’s message, header then form tried, no query sent', async () => {
    tokens.mode = { accepts: 'none' };
    const calls = web.seen('api').length;
    const out = await measure(webMetric());
    expect(out.measurement).toMatchObject({
      phase: 'Error',
      message: `Get "${web.url}/api": oauth2: cannot fetch token: 401 Unauthorized: "invalid_client"`,
    });
    expect(
      tokens.requests.map((r) => [r.authorization !== undefined, r.form.client_id, r.form.client_secret]),
    ).toEqual([
      [true, undefined, undefined],
      [false, CLIENT.id, CLIENT.secret],
    ]);
    expect(web.seen('api')).toHaveLength(calls);
  });

  it('falls back to the credentials in the form and remembers that style', async () => {
    tokens.mode = { accepts: 'params' };
    expect((await measure(webMetric())).measurement.phase).toBe('Successful');
    expect(tokens.requests.map((r) => r.form.client_id ?? 'header')).toEqual(['header', CLIENT.id]);
    tokens.requests.length = 0;
    // no expires_in: the token is not reused, but the style is
    expect((await measure(webMetric())).measurement.phase).toBe('Successful');
    expect(tokens.requests.map((r) => r.form.client_id ?? 'header')).toEqual([CLIENT.id]);
  });

  it('reuses a token within expires_in; never across clusters or secrets; fetches anew near expiry', async () => {
    tokens.mode = { accepts: 'header', expiresIn: 3600 };
    let offset = 0;
    plane = providers(() => Date.now() + offset);
    const at = () => Date.now() + offset;
    await measure(webMetric(), 'c1', plane, at());
    await measure(webMetric(), 'c1', plane, at());
    expect(tokens.requests).toHaveLength(1);
    await measure(webMetric(), 'c2', plane, at());
    expect(tokens.requests).toHaveLength(2);
    // another secret: a new token request (refused here: the server knows one secret), not the cached token; the
    // auth style learned for this token URL and client is kept, so no second try in the form
    const other = await measure(webMetric({ clientSecret: 'another' }), 'c1', plane, at());
    expect(other.measurement.phase).toBe('Error');
    expect(tokens.requests).toHaveLength(3);
    offset = 3600_000 - 20_000; // inside the 30 s margin before expiry
    expect((await measure(webMetric(), 'c1', plane, at())).measurement.phase).toBe('Successful');
    expect(tokens.requests).toHaveLength(4);
  });

  it('forgets a cached token the endpoint answers 401 to; the next measurement fetches a new one', async () => {
    tokens.mode = { accepts: 'header', expiresIn: 3600 };
    await measure(webMetric());
    revoked.add(tokens.issued.at(-1) ?? '');
    const refused = await measure(webMetric());
    expect(refused.measurement).toMatchObject({
      phase: 'Error',
      message: 'received non 2xx response code: 401',
    });
    expect(tokens.requests).toHaveLength(1);
    expect((await measure(webMetric())).measurement.phase).toBe('Successful');
    expect(tokens.requests).toHaveLength(2);
  });

  it('refuses a token URL outside the allow-list: no token request, no query', async () => {
    const calls = web.seen('api').length;
    const url = `http://idp.internal:${tokens.port}/token`;
    const out = await measure(webMetric({ tokenUrl: url }));
    expect(out.measurement.phase).toBe('Error');
    expect(out.measurement.message).toBe(
      `Get "${web.url}/api": oauth2 token request: metric provider address idp.internal:${tokens.port} resolves to ` +
        '10.0.0.7 (private), which is not in the allowed metric provider addresses of cluster "c1"',
    );
    expect(tokens.requests).toHaveLength(0);
    expect(web.seen('api')).toHaveLength(calls);
  });

  it('does not follow a token endpoint redirect off the allowed addresses', async () => {
    tokens.mode = {
      accepts: 'header',
      override: (res) => res.writeHead(307, { location: `http://idp.internal:${tokens.port}/token` }).end(),
    };
    const calls = web.seen('api').length;
    const out = await measure(webMetric());
    expect(out.measurement.message).toContain('oauth2 token request: metric provider address idp.internal');
    expect(tokens.requests).toHaveLength(1);
    expect(web.seen('api')).toHaveLength(calls);
  });

  it('caps the token answer at 64 KiB', async () => {
    tokens.mode = { accepts: 'header', override: (res) => res.writeHead(200).end('x'.repeat(100_000)) };
    const out = await measure(webMetric());
    expect(out.measurement.message).toBe(
      `Get "${web.url}/api": oauth2 token request: response body of ${tokens.url} exceeds 65536 bytes`,
    );
  });

  it('bounds the token request by the metric timeout', async () => {
    tokens.mode = { accepts: 'header', override: () => undefined }; // never answers
    const started = Date.now();
    const out = await measure(webMetric({}, { timeoutSeconds: 1 }));
    expect(out.measurement.message).toBe(
      `Get "${web.url}/api": oauth2 token request: Post "${tokens.url}": context deadline exceeded`,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses incomplete settings and an Authorization header next to oauth2 without any request', async () => {
    const calls = web.seen('api').length;
    const missing = await measure(webMetric({ clientSecret: '' }));
    expect(missing.measurement.message).toBe('missing mandatory parameter in metric for OAuth2 setup');
    const header = await measure(
      webMetric({}, { headers: [{ key: 'Authorization', value: 'Bearer mine' }] }),
    );
    expect(header.measurement.message).toBe(
      'web authentication.oauth2 and an Authorization header cannot be combined: the header would replace the token',
    );
    expect(tokens.requests).toHaveLength(0);
    expect(web.seen('api')).toHaveLength(calls);
  });
});

describe('prometheus provider with OAuth2 client credentials (a real Prometheus behind a bearer proxy)', () => {
  const query = 'sum(istio_requests_total{destination_service_name="reviews"})';
  const promMetric = (): Metric => ({
    name: 'requests',
    successCondition: 'result[0] >= 10',
    provider: { prometheus: { address: proxyUrl, query, authentication: { oauth2: oauth2() } } },
  });

  it('usingOAuth2: the query carries the token; the proxy lets it through to Prometheus', async () => {
    await prom.waitFor(query, (d) => (d.result as unknown[]).length > 0);
    plane = providers();
    proxied.length = 0;
    const out = await measure(promMetric());
    expect(out.measurement).toMatchObject({ phase: 'Successful', value: '[10]' });
    expect(proxied).toEqual([`Bearer ${tokens.issued.at(-1)}`]);
    expect(tokens.requests).toHaveLength(1);
  });

  it('RejectedByOAuthServer: an Error with Go’s message, no query reaches the proxy', async () => {
    tokens.mode = { accepts: 'none', override: (res) => res.writeHead(401).end() };
    plane = providers();
    proxied.length = 0;
    const out = await measure(promMetric());
    expect(out.measurement).toMatchObject({
      phase: 'Error',
      message: `Post "${proxyUrl}/api/v1/query": oauth2: cannot fetch token: 401 Unauthorized`,
    });
    expect(proxied).toEqual([]);
  });
});
