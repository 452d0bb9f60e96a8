/**
 * The web provider against a loopback HTTP server: JSON through jsonPath, non-JSON bodies judged as strings (the
 * Argo #4535 fix), the request as the metric describes it, redirects, timeouts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllowList } from '../../../shared/adapters/metrics/allow-list.js';
import { createMetricProviders } from '../../../shared/adapters/metrics/providers.js';
import type { Metric, WebMetric } from '../../../shared/core/analysis/types.js';
import { startProviderServer, type ProviderServer } from '../../support/provider-server.js';

let server: ProviderServer;

beforeAll(async () => {
  server = await startProviderServer();
  const json = (body: unknown) => (_q: unknown, res: import('node:http').ServerResponse) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  server.route(
    'json',
    json({ data: { ok: true, rate: 0.99, tags: ['<a>', 'b'] }, items: [{ v: 1 }, { v: 2 }] }),
  );
  server.route('text', (_q, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('OK'));
  server.route('empty', (_q, res) => res.writeHead(200).end());
  server.route('null', (_q, res) => res.writeHead(200).end('null'));
  server.route('fail', (_q, res) => res.writeHead(500).end('{"error":"boom"}'));
  server.route('echo', json({ ok: true }));
  server.route('hang', () => undefined);
  server.route('moved', (_q, res) => res.writeHead(302, { location: '/json' }).end());
});

afterAll(async () => {
  await server?.close();
});

const providers = createMetricProviders({ allowList: () => parseAllowList(['127.0.0.1']) });
const web = (route: string, w: WebMetric = {}, conditions: Partial<Metric> = {}): Metric => ({
  name: 'web',
  ...conditions,
  provider: { web: { url: `${server.url}/${route}`, ...w } },
});
const measure = (metric: Metric) =>
  providers.measure({ cluster: 'c1', namespace: 'ns', metric, deadline: Date.now() + 20_000 });

describe('web provider on a local server', () => {
  it.each([
    ['{$.data.rate}', 'result >= 0.95', 'Successful', '0.99'],
    ['{$.data.rate}', 'result >= 0.995', 'Failed', '0.99'],
    ['{$.data.ok}', 'result == true', 'Successful', 'true'],
    ['{$.items[*].v}', 'result == 1', 'Successful', '1'],
    ['{$.data.tags}', 'len(result) == 2', 'Successful', '["\\u003ca\\u003e","b"]'],
  ])('jsonPath %s with %s: %s, value %s', async (jsonPath, successCondition, phase, value) => {
    const out = await measure(web('json', { jsonPath }, { successCondition }));
    expect(out.measurement).toMatchObject({ phase, value });
  });

  it('a missing key is an Error with Argo’s message', async () => {
    const out = await measure(
      web('json', { jsonPath: '{$.data.missing}' }, { successCondition: 'result > 1' }),
    );
    expect(out.measurement).toMatchObject({
      phase: 'Error',
      message: 'Could not find JSONPath in body: missing is not found',
    });
  });

  it('a non-JSON body is judged as a string (Argo 1.10 passed it whatever the condition, #4535)', async () => {
    const failed = await measure(web('text', {}, { successCondition: 'result == "healthy"' }));
    expect(failed.measurement).toMatchObject({ phase: 'Failed', value: 'OK' });
    const passed = await measure(web('text', {}, { successCondition: 'result == "OK"' }));
    expect(passed.measurement).toMatchObject({ phase: 'Successful', value: 'OK' });
  });

  it('an empty body is the empty string', async () => {
    const out = await measure(web('empty', {}, { successCondition: 'result == ""' }));
    expect(out.measurement).toMatchObject({ phase: 'Successful', value: '' });
    const strict = await measure(web('empty', {}, { failureCondition: 'result == ""' }));
    expect(strict.measurement).toMatchObject({ phase: 'Failed' });
  });

  it('a JSON null body is an Error (it crashes Argo’s controller)', async () => {
    const out = await measure(web('null', {}, { successCondition: 'result == nil' }));
    expect(out.measurement.phase).toBe('Error');
  });

  it('a non-2xx answer is an Error', async () => {
    const out = await measure(web('fail'));
    expect(out.measurement).toMatchObject({ phase: 'Error', message: 'received non 2xx response code: 500' });
  });

  it('POST with jsonBody: compact body, JSON content type, the metric headers', async () => {
    const out = await measure(
      web('echo', {
        method: 'POST',
        jsonBody: { query: 'rate', window: 5 },
        headers: [
          { key: 'Content-Type', value: 'text/plain' },
          { key: 'X-Api-Key', value: 'k1' },
        ],
        jsonPath: '{$.ok}',
      }),
    );
    expect(out.measurement.phase).toBe('Successful');
    const seen = server.seen('echo').at(-1);
    expect(seen).toMatchObject({ method: 'POST', body: '{"query":"rate","window":5}' });
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers['x-api-key']).toBe('k1');
  });

  it.each([
    [{ method: 'GET', body: 'x' }, 'Body/JSONBody can only be used with POST or PUT WebMetric Method types'],
    [
      { method: 'POST', body: 'x', jsonBody: { a: 1 } },
      'use either Body or JSONBody; both cannot exists for WebMetric payload',
    ],
  ])('%j is refused: %s', async (w, message) => {
    const before = server.seen('echo').length;
    const out = await measure(web('echo', w));
    expect(out.measurement).toMatchObject({ phase: 'Error', message });
    expect(server.seen('echo')).toHaveLength(before);
  });

  it('follows a redirect within the allowed addresses (302: GET)', async () => {
    const out = await measure(web('moved', {}, { successCondition: 'result.data.ok' }));
    expect(out.measurement.phase).toBe('Successful');
  });

  it('timeoutSeconds bounds the whole request', async () => {
    const t0 = Date.now();
    const out = await measure(web('hang', { timeoutSeconds: 1 }));
    expect(out.measurement).toMatchObject({
      phase: 'Error',
      message: `Get "${server.url}/hang": context deadline exceeded`,
    });
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});
