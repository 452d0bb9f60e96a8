/**
 * The Prometheus provider against a real Prometheus server (Debian's prometheus, started by the test) scraping a
 * node:http endpoint with Istio-style `istio_requests_total` counters whose error rate the test sets. Each case waits
 * until Prometheus has scraped what the test set before measuring.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllowList } from '../../../shared/adapters/metrics/allow-list.js';
import { createMetricProviders } from '../../../shared/adapters/metrics/providers.js';
import type { Metric } from '../../../shared/core/analysis/types.js';
import {
  startIstioMetrics,
  startPrometheus,
  type IstioMetricsEndpoint,
  type PrometheusServer,
} from '../../support/prometheus.js';

let endpoint: IstioMetricsEndpoint;
let prom: PrometheusServer;

beforeAll(async () => {
  endpoint = await startIstioMetrics();
  endpoint.set([
    { app: 'reviews', code: 200, count: 1000 },
    { app: 'reviews', code: 500, count: 0 },
    { app: 'idle', code: 200, count: 0 },
    { app: 'idle', code: 500, count: 0 },
  ]);
  prom = await startPrometheus([endpoint.target]);
}, 90_000);

afterAll(async () => {
  await prom?.stop();
  await endpoint?.close();
});

const successRate = (app: string): string =>
  `sum(istio_requests_total{destination_service_name="${app}",response_code!~"5.*"}) / ` +
  `sum(istio_requests_total{destination_service_name="${app}"})`;

const metric = (query: string, conditions: Partial<Metric> = {}): Metric => ({
  name: 'success-rate',
  successCondition: 'result[0] >= 0.95',
  ...conditions,
  provider: { prometheus: { address: prom.url, query } },
});

const loopbackAllowed = createMetricProviders({ allowList: () => parseAllowList(['127.0.0.1/32']) });
const measure = (m: Metric, providers = loopbackAllowed) =>
  providers.measure({ cluster: 'c1', namespace: 'ns', metric: m, deadline: Date.now() + 20_000 });

const firstSample = (d: { result: unknown }): number | undefined => {
  const r = d.result as { value: [number, string] }[];
  return r.length > 0 ? Number(r[0]?.value[1]) : undefined;
};

describe('Prometheus provider on a real server', () => {
  it('a healthy canary: Successful with the value as Argo writes it and the resolved query', async () => {
    await prom.waitFor(successRate('reviews'), (d) => firstSample(d) === 1);
    const out = await measure(metric(successRate('reviews')));
    expect(out.measurement).toMatchObject({ phase: 'Successful', value: '[1]' });
    expect(out.measurement.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(out.metadata).toEqual({ ResolvedPrometheusQuery: successRate('reviews') });
  });

  it('a rising error rate: Failed', async () => {
    endpoint.set([
      { app: 'reviews', code: 200, count: 1000 },
      { app: 'reviews', code: 500, count: 250 },
      { app: 'idle', code: 200, count: 0 },
      { app: 'idle', code: 500, count: 0 },
    ]);
    await prom.waitFor(successRate('reviews'), (d) => firstSample(d) === 0.8);
    const out = await measure(metric(successRate('reviews')));
    expect(out.measurement).toMatchObject({ phase: 'Failed', value: '[0.8]' });
  });

  it('an empty vector: Error with the no-data message; guarded by len(result), Successful', async () => {
    const q = successRate('absent');
    const bare = await measure(metric(q));
    expect(bare.measurement).toMatchObject({
      phase: 'Error',
      message:
        'could not evaluate successCondition "result[0] >= 0.95": metric result is nil or empty: no data returned from the metric provider',
    });
    expect(bare.measurement.value).toBeUndefined();
    const guarded = await measure(metric(q, { successCondition: 'len(result) == 0 || result[0] >= 0.95' }));
    expect(guarded.measurement).toMatchObject({ phase: 'Successful', value: '[]' });
  });

  it('NaN (0/0): fails a success condition, passes a failure condition, isNaN sees it', async () => {
    const q = successRate('idle');
    await prom.waitFor(q, (d) => Number.isNaN(firstSample(d)));
    const success = await measure(metric(q));
    expect(success.measurement).toMatchObject({ phase: 'Failed', value: '[NaN]' });
    const failure = await measure(
      metric(q, { successCondition: undefined, failureCondition: 'result[0] < 0.95' }),
    );
    expect(failure.measurement).toMatchObject({ phase: 'Successful', value: '[NaN]' });
    const guarded = await measure(metric(q, { successCondition: 'isNaN(result[0]) || result[0] >= 0.95' }));
    expect(guarded.measurement).toMatchObject({ phase: 'Successful' });
  });

  it('a scalar answer is a float result', async () => {
    const out = await measure(metric('scalar(vector(0.97))', { successCondition: 'result >= 0.95' }));
    expect(out.measurement).toMatchObject({ phase: 'Successful', value: '0.97' });
  });

  it('a range query: every sample of every series, flattened', async () => {
    const m: Metric = {
      name: 'range',
      successCondition: 'len(result) == 6 && all(result, {# == 7 || # == 8})',
      provider: {
        prometheus: {
          address: prom.url,
          query: 'vector(7) or label_replace(vector(8), "s", "b", "", "")',
          rangeQuery: { start: 'now() - duration("2s")', end: 'now()', step: '1s' },
        },
      },
    };
    const out = await measure(m);
    expect(out.measurement).toMatchObject({ phase: 'Successful' });
    expect([...(out.measurement.value ?? '').matchAll(/\d+/g)].map(Number).sort()).toEqual([
      7, 7, 7, 8, 8, 8,
    ]);
  });

  it('a range query with a bad step: Error with Argo’s message', async () => {
    const out = await measure({
      name: 'range',
      provider: {
        prometheus: {
          address: prom.url,
          query: 'up',
          rangeQuery: { start: 'now()', end: 'now()', step: '1x' },
        },
      },
    });
    expect(out.measurement).toMatchObject({
      phase: 'Error',
      message: 'failed to parse rangeQuery.step as duration: time: unknown unit "x" in duration "1x"',
    });
  });

  it('a PromQL error is an Error with Prometheus’ own error type and text', async () => {
    const out = await measure(metric('sum(', {}));
    expect(out.measurement.phase).toBe('Error');
    expect(out.measurement.message).toMatch(/^bad_data: /);
  });

  it('refuses the loopback server unless the cluster allows it', async () => {
    const publicOnly = createMetricProviders({ allowList: () => undefined });
    const out = await measure(metric(successRate('reviews')), publicOnly);
    expect(out.measurement.phase).toBe('Error');
    expect(out.measurement.message).toBe(
      `metric provider address ${new URL(prom.url).host} resolves to 127.0.0.1 (loopback), which is not in the ` +
        'allowed metric provider addresses of cluster "c1"',
    );
  });
});
