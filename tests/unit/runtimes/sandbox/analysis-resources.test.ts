/**
 * The sandbox API serves Argo's analysis CRDs as kube-apiserver serves them (no status subresource, generation
 * bumped by any non-metadata change, ClusterAnalysisTemplates cluster-scoped), and the Prometheus stand-in answers
 * from the recorded traffic.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createGateway } from '../../../../shared/adapters/kube/client-gateway.js';
import { parseKubeconfig, toKubeConfig } from '../../../../shared/adapters/kube/kubeconfig.js';
import type { KubeGateway } from '../../../../shared/app/kube-port/gateway.js';
import {
  startFakeApiServer,
  type FakeApiServer,
} from '../../../../shared/runtimes/sandbox/fake-apiserver.js';
import { answerQuery, MeshMetrics, queriedHost } from '../../../../shared/runtimes/sandbox/mesh-metrics.js';
import { parseScenario, pointPrometheusAt } from '../../../../shared/runtimes/sandbox/scenario.js';
import type { TrafficSample } from '../../../../shared/runtimes/sandbox/traffic.js';

const template = (kind: string, name: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind,
  metadata: { name },
  spec: { metrics: [{ name: 'm', provider: { prometheus: { address: 'http://prom:9090', query: 'q' } } }] },
});

describe('analysis CRDs on the sandbox API', () => {
  let api: FakeApiServer;
  let gw: KubeGateway;
  beforeAll(async () => {
    api = await startFakeApiServer();
    gw = createGateway(toKubeConfig(parseKubeconfig(api.kubeconfig(), { allowLoopbackHttp: true })), {
      maxRetries: 0,
    });
  });
  afterAll(async () => api.close());

  it('an AnalysisRun keeps the status it is created with; a status change bumps generation', async () => {
    const run = await gw.create('analysisruns', 'shop', {
      ...template('AnalysisRun', 'r1'),
      status: { phase: 'Running' },
    });
    expect([run.status, run.metadata.generation]).toEqual([{ phase: 'Running' }, 1]);
    const next = await gw.patch({ resource: 'analysisruns', namespace: 'shop', name: 'r1' }, [
      { op: 'test', path: '/metadata/resourceVersion', value: run.metadata.resourceVersion },
      { op: 'replace', path: '/status/phase', value: 'Successful' },
    ]);
    expect([next.status, next.metadata.generation]).toEqual([{ phase: 'Successful' }, 2]);
    await expect(
      gw.patch({ resource: 'analysisruns', namespace: 'shop', name: 'r1' }, [
        { op: 'test', path: '/metadata/resourceVersion', value: run.metadata.resourceVersion },
        { op: 'replace', path: '/status/phase', value: 'Failed' },
      ]),
    ).rejects.toMatchObject({ code: 422 });
    expect((await gw.get('analysisruns', 'shop', 'r1'))?.status).toEqual({ phase: 'Successful' });
  });

  it('AnalysisTemplates are namespaced; ClusterAnalysisTemplates are cluster-scoped (no namespace)', async () => {
    const created = await fetch(`${api.url}/apis/argoproj.io/v1alpha1/clusteranalysistemplates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(template('ClusterAnalysisTemplate', 'shared')),
    });
    expect(created.status).toBe(201);
    await gw.create('analysistemplates', 'shop', template('AnalysisTemplate', 'local'));
    const cluster = await gw.list('clusteranalysistemplates', undefined);
    expect(cluster.items.map((t) => [t.metadata.name, t.metadata.namespace])).toEqual([
      ['shared', undefined],
    ]);
    expect((await gw.list('analysistemplates', 'shop')).items.map((t) => t.metadata.name)).toEqual(['local']);
    const namespacedPath = await fetch(
      `${api.url}/apis/argoproj.io/v1alpha1/namespaces/shop/clusteranalysistemplates/shared`,
    );
    expect(namespacedPath.status).toBe(404);
    const byName = await fetch(`${api.url}/apis/argoproj.io/v1alpha1/clusteranalysistemplates/shared`);
    expect([byName.status, ((await byName.json()) as { metadata: { name: string } }).metadata.name]).toEqual([
      200,
      'shared',
    ]);
    const discovery = (await (await fetch(`${api.url}/apis/argoproj.io/v1alpha1`)).json()) as {
      resources: { name: string; namespaced: boolean }[];
    };
    expect(
      discovery.resources.filter((r) => r.name.includes('analysis')).map((r) => [r.name, r.namespaced]),
    ).toEqual([
      ['analysistemplates', true],
      ['analysisruns', true],
      ['clusteranalysistemplates', false],
    ]);
  });
});

const sample = (byHost: Record<string, number>, errorsByHost: Record<string, number>): TrafficSample => ({
  total: 0,
  canary: 0,
  stable: 0,
  other: 0,
  canaryShare: 0,
  byHost,
  errorsByHost,
});

describe('the Prometheus stand-in', () => {
  const Q =
    'sum(irate(istio_requests_total{reporter="source",destination_service=~"reviews-canary.default.svc.cluster.local"}[1m]))';

  it.each<[string, string, string | undefined]>([
    ['a regex matcher with an FQDN', Q, 'reviews-canary'],
    ['an equality matcher', 'x{destination_service="reviews-stable"}', 'reviews-stable'],
    ['no matcher', 'up', undefined],
  ])('queriedHost: %s', (_, query, host) => {
    expect(queriedHost(query)).toBe(host);
  });

  it('answers the success rate over the window, an empty vector without requests, bad_data without a host', () => {
    const m = new MeshMetrics(10_000);
    m.record(sample({ 'reviews-canary': 40 }, { 'reviews-canary': 12 }), 1_000);
    m.record(sample({ 'reviews-canary': 60 }, { 'reviews-canary': 18 }), 2_000);
    const vector = (n: number) => ({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [n / 1000, '0.7'] }] },
    });
    expect(answerQuery(m, Q, 2_000)).toEqual({ code: 200, body: vector(2_000) });
    m.record(sample({ 'reviews-stable': 10 }, {}), 20_000);
    expect(answerQuery(m, Q, 20_000)).toEqual({
      code: 200,
      body: { status: 'success', data: { resultType: 'vector', result: [] } },
    });
    expect(answerQuery(m, 'up', 20_000)).toMatchObject({ code: 400, body: { errorType: 'bad_data' } });
  });
});

describe('scenarios', () => {
  it('parses the known names and names them for an unknown one', () => {
    expect([parseScenario(undefined), parseScenario('bad-canary')]).toEqual(['default', 'bad-canary']);
    expect(() => parseScenario('chaos')).toThrow('unknown scenario "chaos" (one of: default, bad-canary)');
  });

  it("points only the templates' prometheus providers at the stand-in", () => {
    const rollout = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r' } };
    const objects = [rollout, template('AnalysisTemplate', 't'), template('ClusterAnalysisTemplate', 'c')];
    const { objects: out, pointed } = pointPrometheusAt(objects as never, 'http://127.0.0.1:1');
    expect(pointed).toBe(2);
    expect(out[0]).toBe(objects[0]);
    expect(JSON.stringify(out.slice(1))).toContain('"address":"http://127.0.0.1:1"');
    expect(JSON.stringify(objects)).not.toContain('127.0.0.1');
  });
});
