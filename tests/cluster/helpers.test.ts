/** The test-support helpers themselves: cluster info, namespaces, applyObjects and the stand-in kubelet. */
import { describe, expect, it } from '@jest/globals';
import { KubeConfig, CustomObjectsApi } from '@kubernetes/client-node';
import { adminRequest, applyObjects, clusterInfo, createNamespace } from '../support/cluster.js';
import { markReplicaSetReady, startKubelet } from '../support/kubelet.js';
import { replicaSet, rollout, service, virtualService } from './fixtures.js';

const rsPath = (ns: string, name: string): string => `/apis/apps/v1/namespaces/${ns}/replicasets/${name}`;
const until = async (what: string, check: () => Promise<boolean>, ms = 10_000): Promise<number> => {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`${what} not true after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
};

describe('clusterInfo', () => {
  it('describes an https server reachable with the admin kubeconfig through client-node', async () => {
    const info = clusterInfo();
    expect(info.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(Buffer.from(info.caData, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    const kc = new KubeConfig();
    kc.loadFromString(info.kubeconfigYaml);
    const ns = await createNamespace('info');
    await applyObjects(ns, [rollout('via-client-node')]);
    const got = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'rollouts',
      name: 'via-client-node',
    })) as { metadata: { namespace: string } };
    expect(got.metadata.namespace).toBe(ns);
  });
});

describe('createNamespace and applyObjects', () => {
  it('creates distinct namespaces from the same prefix', async () => {
    const [a, b] = [await createNamespace('Same_Prefix'), await createNamespace('Same_Prefix')];
    expect(a).toMatch(/^same-prefix-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect((await adminRequest('GET', `/api/v1/namespaces/${a}`)).status).toBe(200);
  });

  it('creates each object in the namespace and returns the stored objects', async () => {
    const ns = await createNamespace('apply');
    const made = await applyObjects(ns, [service('svc'), virtualService('vs'), replicaSet('rs')]);
    expect(made.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      `Service/${ns}/svc`,
      `VirtualService/${ns}/vs`,
      `ReplicaSet/${ns}/rs`,
    ]);
    expect(made.every((o) => Number(o.metadata.resourceVersion) > 0)).toBe(true);
  });

  it('names the object and the HTTP status when the server refuses one', async () => {
    const ns = await createNamespace('apply-bad');
    await expect(applyObjects(ns, [virtualService('bad', 'heavy')])).rejects.toThrow(
      `create VirtualService ${ns}/bad: HTTP 422`,
    );
  });
});

describe('stand-in kubelet', () => {
  it('markReplicaSetReady copies spec.replicas into the status counters and observedGeneration', async () => {
    const ns = await createNamespace('kubelet');
    await applyObjects(ns, [replicaSet('rs', 3)]);
    const rs = await markReplicaSetReady(ns, 'rs');
    expect(rs.status).toEqual({
      replicas: 3,
      fullyLabeledReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
  });

  it('markReplicaSetReady can leave some pods unready', async () => {
    const ns = await createNamespace('kubelet');
    await applyObjects(ns, [replicaSet('rs', 4)]);
    const rs = await markReplicaSetReady(ns, 'rs', { ready: 1 });
    expect(rs.status).toMatchObject({ replicas: 4, readyReplicas: 1, availableReplicas: 1 });
  });

  it('startKubelet follows scale changes after the configured delay, and stops', async () => {
    const ns = await createNamespace('kubelet');
    await applyObjects(ns, [replicaSet('a', 2), replicaSet('b', 0)]);
    const kubelet = startKubelet(ns, { delayMs: 300 });
    try {
      const status = async (n: string) => (await adminRequest('GET', rsPath(ns, n))).body.status ?? {};
      await until('a ready', async () => (await status('a')).readyReplicas === 2);
      await adminRequest('PATCH', rsPath(ns, 'b'), { spec: { replicas: 5 } });
      const waited = await until('b scaled', async () => (await status('b')).availableReplicas === 5);
      expect(waited).toBeGreaterThanOrEqual(250);
      expect((await status('b')).observedGeneration).toBe(2);
    } finally {
      await kubelet.stop();
    }
    await adminRequest('PATCH', rsPath(ns, 'a'), { spec: { replicas: 7 } });
    await new Promise((r) => setTimeout(r, 600));
    expect((await adminRequest('GET', rsPath(ns, 'a'))).body.status.replicas).toBe(2);
  });
});
