/**
 * Section 8: the cost of one measurement pass. A real Prometheus (Debian's, as in the tests) scrapes a stand-in
 * endpoint with Istio request counters; three figures over `runs` repetitions:
 *
 * - the provider's own round trip: one instant query POSTed with `fetch`, nothing of sluice (the limit);
 * - the provider call through sluice: `MetricProviders.measure` (allow-list check on the resolved address, pinned
 *   connection, capped body, parsing, the condition and Go-formatted value);
 * - the whole pass as `sluice analysis run` makes it: read the templates and the Secret the args name from the API
 *   server, resolve and validate the metrics, measure, with the API requests it sent;
 * - the engine's measurement pass as a step invocation makes it (`measureRuns`): a fresh AnalysisRun of the
 *   Rollout, its measurement taken and recorded in the run's status with a resourceVersion precondition, plus the
 *   Events of its phase change, with the API requests it sent.
 */
import { createMetricProviders } from '../shared/adapters/metrics/providers.js';
import { parseAllowList } from '../shared/adapters/metrics/allow-list.js';
import { checkAnalysisTemplate } from '../shared/app/analysis-check.js';
import { measureRuns } from '../shared/app/analysis-pass.js';
import type { AnalysisRun } from '../shared/core/analysis/types.js';
import type { Rollout } from '../shared/core/model/types.js';
import { startIstioMetrics, startPrometheus } from '../tests/support/prometheus.js';
import { admin, benchGateway, ensureNamespace, RequestCounter, type BenchCluster } from './lib/cluster.js';
import { percentile } from './lib/stats.js';

/** p50 and p95 of a series, in milliseconds. */
export interface Spread {
  p50: number;
  p95: number;
}

/** The figures of section 8. */
export interface MeasurementResult {
  runs: number;
  roundTripMs: Spread;
  providerMs: Spread;
  passMs: Spread;
  /** API requests of one whole pass, by verb and resource. */
  passRequests: Record<string, number>;
  /** The engine's measurement pass over one fresh AnalysisRun (measure, status write, Events). */
  enginePassMs: Spread;
  /** API requests of one engine pass, by verb and resource. */
  enginePassRequests: Record<string, number>;
  /** Median provider call minus median round trip: what sluice adds to the provider's own time. */
  providerOverheadMs: number;
}

const spread = (xs: number[]): Spread => ({ p50: percentile(xs, 50), p95: percentile(xs, 95) });
const QUERY =
  'sum(istio_requests_total{destination_service_name="{{args.service}}",response_code!~"5.*"}) / ' +
  'sum(istio_requests_total{destination_service_name="{{args.service}}"})';

async function seedTemplate(c: BenchCluster, ns: string, address: string): Promise<void> {
  await ensureNamespace(c, ns);
  const path = `/apis/argoproj.io/v1alpha1/namespaces/${ns}/analysistemplates`;
  await admin(c, 'DELETE', `${path}/success-rate`).catch(() => undefined);
  await admin(c, 'POST', `/api/v1/namespaces/${ns}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'prom-auth' },
    data: { password: Buffer.from('bench').toString('base64') },
  }).catch(() => undefined);
  await admin(c, 'POST', path, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'success-rate' },
    spec: {
      args: [
        { name: 'service' },
        { name: 'password', valueFrom: { secretKeyRef: { name: 'prom-auth', key: 'password' } } },
      ],
      metrics: [
        {
          name: 'success-rate',
          successCondition: 'result[0] >= 0.95',
          provider: {
            prometheus: {
              address,
              query: QUERY,
              authentication: { basicAuth: { username: 'bench', password: '{{args.password}}' } },
            },
          },
        },
      ],
    },
  });
}

/** A fresh, unmeasured AnalysisRun of one metric (count 1), as the step pass creates it. */
async function createRun(c: BenchCluster, ns: string, name: string, metric: object): Promise<AnalysisRun> {
  return (await admin(c, 'POST', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/analysisruns`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name },
    spec: { metrics: [{ ...metric, count: 1 }] },
  })) as AnalysisRun;
}

/** Runs section 8 on `c`. */
export async function benchMeasurement(c: BenchCluster, runs = 50): Promise<MeasurementResult> {
  const endpoint = await startIstioMetrics();
  endpoint.set([
    { app: 'reviews', code: 200, count: 990 },
    { app: 'reviews', code: 500, count: 10 },
  ]);
  const prom = await startPrometheus([endpoint.target]);
  try {
    const query = QUERY.replaceAll('{{args.service}}', 'reviews');
    await prom.waitFor(query, (d) => Array.isArray(d.result) && d.result.length > 0);
    const ns = 'bench-analysis';
    await seedTemplate(c, ns, prom.url);
    const providers = createMetricProviders({ allowList: () => parseAllowList(['127.0.0.1']) });
    const counter = new RequestCounter();
    const gw = benchGateway(c, counter);
    const roundTrip: number[] = [];
    const provider: number[] = [];
    const pass: number[] = [];
    const engine: number[] = [];
    let passRequests: Record<string, number> = {};
    let enginePassRequests: Record<string, number> = {};
    const metric = {
      name: 'success-rate',
      successCondition: 'result[0] >= 0.95',
      provider: { prometheus: { address: prom.url, query } },
    };
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      const res = await fetch(`${prom.url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query, time: String(Date.now() / 1000) }).toString(),
      });
      await res.json();
      const t1 = performance.now();
      const m = await providers.measure({
        cluster: 'bench',
        namespace: ns,
        metric,
        deadline: Date.now() + 30_000,
      });
      const t2 = performance.now();
      counter.reset();
      const whole = await checkAnalysisTemplate(gw, providers, {
        cluster: 'bench',
        namespace: ns,
        template: 'success-rate',
        clusterScope: false,
        args: { service: 'reviews' },
        deadline: Date.now() + 30_000,
      });
      const t3 = performance.now();
      const wholeRequests = counter.snapshot();
      const phase = 'error' in whole ? whole.error : whole.metrics[0]?.measurement.phase;
      if (m.measurement.phase !== 'Successful' || phase !== 'Successful')
        throw new Error(`measurement bench: expected Successful, got ${m.measurement.phase} / ${phase}`);
      const run = await createRun(c, ns, `bench-run-${Date.now()}-${i}`, metric);
      const name = run.metadata.name ?? '';
      const rollout = {
        metadata: { name: 'reviews', namespace: ns },
        status: { canary: { currentStepAnalysisRunStatus: { name, status: 'Running' } } },
      } as unknown as Rollout;
      counter.reset();
      const t4 = performance.now();
      const done = await measureRuns(
        { gateway: gw, cluster: 'bench', metrics: providers, now: () => new Date() },
        rollout,
        { runs: [run], templates: [], clusterTemplates: [] },
      );
      const t5 = performance.now();
      const engineRequests = counter.snapshot();
      if (done.written[0] !== name || done.measured !== 1)
        throw new Error(`measurement bench: the engine pass did not record ${name}: ${JSON.stringify(done)}`);
      if (i < 3) continue; // warm-up: first connections, first compilation
      roundTrip.push(t1 - t0);
      provider.push(t2 - t1);
      pass.push(t3 - t2);
      engine.push(t5 - t4);
      passRequests = wholeRequests;
      enginePassRequests = engineRequests;
    }
    return {
      runs,
      roundTripMs: spread(roundTrip),
      providerMs: spread(provider),
      passMs: spread(pass),
      passRequests,
      enginePassMs: spread(engine),
      enginePassRequests,
      providerOverheadMs: percentile(provider, 50) - percentile(roundTrip, 50),
    };
  } finally {
    await prom.stop();
    await endpoint.close();
  }
}
