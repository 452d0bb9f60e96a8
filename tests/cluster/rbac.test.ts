/** Least privilege: the sluice ClusterRoles allow every call they list, and every rule is needed. */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import { kubeStream, type Json } from '../../tools/test-cluster/kube-http.js';
import { adminRequest, applyObjects, createNamespace } from '../support/cluster.js';
import {
  kubeconfigConnection,
  manifestRules,
  requestAs,
  serviceAccountKubeconfig,
  type PolicyRule,
} from '../support/rbac.js';
import { replicaSet, rollout, service, virtualService } from './fixtures.js';

const RULES = manifestRules();
const NAMES: Record<string, string> = {
  rollouts: 'app',
  replicasets: 'app-rs',
  services: 'app-stable',
  virtualservices: 'app',
  destinationrules: 'app',
  events: 'seed-event',
  secrets: 'primary-kubeconfig',
  analysisruns: 'app-run',
  analysistemplates: 'app-template',
  pods: 'app-pod',
  deployments: 'app-deploy',
};
/** Cluster-scoped resources (no namespace in the path). */
const CLUSTER_SCOPED = new Set(['clusteranalysistemplates']);
const VERSIONS: Record<string, string> = {
  'argoproj.io': 'v1alpha1',
  apps: 'v1',
  'networking.istio.io': 'v1',
};
let ns: string;
let saNs: string;

function event(name: string): Record<string, unknown> {
  const involvedObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'app', namespace: ns };
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: ns },
    involvedObject,
    reason: 'Test',
    message: 'm',
    type: 'Normal',
  };
}

function analysisRun(name: string): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name, namespace: ns },
    spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://x' } } }] },
  };
}

/** An unscheduled pod: nothing runs it, and the API server deletes it at once when it is evicted. */
function pod(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
  };
}

/** Evicts a throwaway pod, created as admin (policy/v1 Eviction on its `eviction` subresource). */
async function evictThrowaway(kc: string, coll: string): Promise<{ status: number; body: Json }> {
  const created = await adminRequest('POST', coll, newObject('pods'));
  if (created.status !== 201) throw new Error(`create pod to evict: HTTP ${created.status}`);
  const name = String(created.body?.metadata?.name);
  const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } };
  return requestAs(kc, 'POST', `${coll}/${name}/eviction`, eviction);
}

function newObject(resource: string): Record<string, unknown> {
  const name = `new-${randomBytes(3).toString('hex')}`;
  if (resource === 'replicasets') return { ...replicaSet(name), metadata: { name, namespace: ns } };
  if (resource === 'events') return event(name);
  if (resource === 'analysisruns') return analysisRun(name);
  if (resource === 'pods') return pod(name);
  throw new Error(`no "create" fixture for ${resource}`);
}

/** Deletes a throwaway object, created as admin, so the shared fixtures stay for the other calls. */
async function deleteThrowaway(
  kc: string,
  coll: string,
  plural: string,
): Promise<{ status: number; body: Json }> {
  const created = await adminRequest('POST', coll, newObject(plural));
  if (created.status !== 201) throw new Error(`create ${plural} for delete: HTTP ${created.status}`);
  return requestAs(kc, 'DELETE', `${coll}/${String(created.body?.metadata?.name)}`);
}

/** Performs `verb` on `group/resource` (resource may be "x/status") in `ns` with the given kubeconfig. */
async function call(
  kc: string,
  group: string,
  resource: string,
  verb: string,
): Promise<{ status: number; body: Json }> {
  const [plural = '', sub] = resource.split('/');
  const base = group ? `/apis/${group}/${VERSIONS[group]}` : '/api/v1';
  const coll = CLUSTER_SCOPED.has(plural) ? `${base}/${plural}` : `${base}/namespaces/${ns}/${plural}`;
  const item = `${coll}/${NAMES[plural]}${sub ? `/${sub}` : ''}`;
  switch (verb) {
    case 'get':
      return requestAs(kc, 'GET', item);
    case 'list':
      return requestAs(kc, 'GET', coll);
    case 'watch': {
      const q = 'watch=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan';
      // Allowed: 200 and a BOOKMARK ends the initial events. Forbidden: 403 with a Status body.
      const res = await kubeStream(kubeconfigConnection(kc), `${coll}?${q}`, (ev) =>
        ev.some((e) => e.type === 'BOOKMARK'),
      );
      if (res.status !== 200) return { status: res.status, body: res.events[0] };
      return { status: res.events.some((e) => e.type === 'BOOKMARK') ? 200 : 0, body: undefined };
    }
    case 'create':
      if (sub === 'eviction') return evictThrowaway(kc, coll);
      return requestAs(kc, 'POST', coll, newObject(plural));
    case 'patch':
      return requestAs(kc, 'PATCH', item, {
        metadata: { annotations: { 'sluice.test/touched': randomBytes(3).toString('hex') } },
      });
    case 'update': {
      const current = await adminRequest('GET', item);
      return requestAs(kc, 'PUT', item, current.body);
    }
    case 'delete':
      return deleteThrowaway(kc, coll, plural);
    default:
      throw new Error(`no call for verb ${verb}`);
  }
}

const allowed = RULES.flatMap((r) =>
  r.resources.flatMap((res) => r.verbs.map((v) => [v, res, r.apiGroups[0] ?? ''] as const)),
);

beforeAll(async () => {
  ns = await createNamespace('rbac-target');
  saNs = await createNamespace('fn-system');
  await applyObjects(ns, [
    rollout('app'),
    replicaSet('app-rs'),
    service('app-stable'),
    virtualService('app'),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'app' },
      spec: { host: 'app', subsets: [{ name: 'stable', labels: { app: 'app' } }] },
    },
    analysisRun('app-run'),
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'app-template' },
      spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://x' } } }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'primary-kubeconfig' },
      stringData: { kubeconfig: 'x' },
    },
    pod('app-pod'),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app-deploy' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'app' } },
        template: {
          metadata: { labels: { app: 'app' } },
          spec: { containers: [{ name: 'a', image: 'a:1' }] },
        },
      },
    },
  ]);
  expect((await adminRequest('POST', `/api/v1/namespaces/${ns}/events`, event('seed-event'))).status).toBe(
    201,
  );
});

describe('with every rule of deploy/rbac/workload-cluster.yaml', () => {
  let kc: string;
  beforeAll(async () => {
    kc = await serviceAccountKubeconfig({ namespace: saNs, name: 'sluice' });
  });

  it.each(allowed)('the ServiceAccount may %s %s (group "%s")', async (verb, resource, group) => {
    const res = await call(kc, group, resource, verb);
    const outcome =
      res.status === 200 || res.status === 201 ? 'allowed' : `HTTP ${res.status}: ${res.body?.message}`;
    expect(outcome).toBe('allowed');
  });

  it('may not do what no rule grants (delete a Rollout): 403 naming verb, resource and namespace', async () => {
    const res = await requestAs(kc, 'DELETE', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/app`);
    expect(res.status).toBe(403);
    expect(res.body.message).toContain(
      `cannot delete resource "rollouts" in API group "argoproj.io" in the namespace "${ns}"`,
    );
  });

  it('works as a client-node KubeConfig (token auth, inline CA)', async () => {
    const config = new KubeConfig();
    config.loadFromString(kc);
    const svc = await config
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: 'app-stable', namespace: ns });
    expect(svc.spec?.clusterIP).toMatch(/^10\.0\.\d+\.\d+$/);
  });
});

describe('with one rule removed', () => {
  it.each(
    RULES.map(
      (r, i) => [i, `${r.apiGroups[0] || 'core'} ${r.resources.join(',')} ${r.verbs.join(',')}`] as const,
    ),
  )('rule %i (%s) is needed: its first call gets 403 naming verb, resource and namespace', async (i) => {
    const rule = RULES[i] as PolicyRule;
    const rules = RULES.filter((_, j) => j !== i);
    const kc = await serviceAccountKubeconfig({ namespace: saNs, name: `minus-rule-${i}`, rules });
    const [group, resource, verb] = [rule.apiGroups[0] ?? '', rule.resources[0] ?? '', rule.verbs[0] ?? ''];
    const res = await call(kc, group, resource, verb);
    expect(res.status).toBe(403);
    expect(res.body.reason).toBe('Forbidden');
    expect(res.body.message).toContain(`cannot ${verb} resource "${resource}"`);
    expect(res.body.message).toContain(`in the namespace "${ns}"`);
  });
});

describe('deploy/rbac/istio-primary.yaml', () => {
  it('may update VirtualService weights but not read Rollouts', async () => {
    const manifestPath = new URL('../../deploy/rbac/istio-primary.yaml', import.meta.url).pathname;
    const kc = await serviceAccountKubeconfig({ namespace: saNs, name: 'istio-primary', manifestPath });
    expect((await call(kc, 'networking.istio.io', 'virtualservices', 'patch')).status).toBe(200);
    expect((await call(kc, 'networking.istio.io', 'destinationrules', 'update')).status).toBe(200);
    const denied = await call(kc, 'argoproj.io', 'rollouts', 'get');
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain(
      `cannot get resource "rollouts" in API group "argoproj.io" in the namespace "${ns}"`,
    );
  });
});

describe('bound to one namespace only (RoleBinding)', () => {
  it('may read Rollouts there but gets 403 naming the other namespace elsewhere', async () => {
    const other = await createNamespace('rbac-other');
    const kc = await serviceAccountKubeconfig({ namespace: saNs, name: 'scoped', bindNamespaces: [ns] });
    expect((await requestAs(kc, 'GET', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`)).status).toBe(
      200,
    );
    const res = await requestAs(kc, 'GET', `/apis/argoproj.io/v1alpha1/namespaces/${other}/rollouts`);
    expect(res.status).toBe(403);
    expect(res.body.message).toContain(
      `cannot list resource "rollouts" in API group "argoproj.io" in the namespace "${other}"`,
    );
  });
});
