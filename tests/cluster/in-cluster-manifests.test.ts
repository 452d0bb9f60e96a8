/**
 * deploy/in-cluster against the real API server: every object of the kustomization (with the shipped ClusterRoles
 * from deploy/rbac) is accepted by a server-side apply with dryRun=All and strict field validation, and the
 * Deployment, Service and NetworkPolicy agree with each other. That the args and probe paths agree with what
 * `sluice run` serves is shown by running them (tests/cli/in-cluster.test.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { adminRequest, createNamespace } from '../support/cluster.js';
import { flagValue, kustomizationDocs, only } from '../support/in-cluster-manifests.js';
import type { Json } from '../../tools/test-cluster/kube-http.js';
import { SERVICEACCOUNT_DIR } from '../../shared/adapters/kube/in-cluster.js';

const CLUSTER_SCOPED: Record<string, string> = {
  Namespace: '/api/v1/namespaces',
  ClusterRole: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  ClusterRoleBinding: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
};
const NAMESPACED: Record<string, string> = {
  ServiceAccount: '/api/v1/namespaces/NS/serviceaccounts',
  Service: '/api/v1/namespaces/NS/services',
  Deployment: '/apis/apps/v1/namespaces/NS/deployments',
  NetworkPolicy: '/apis/networking.k8s.io/v1/namespaces/NS/networkpolicies',
};

/** Server-side apply of `obj` with dryRun=All and strict field validation: nothing is stored. */
function dryRunApply(obj: Json, ns: string): Promise<{ status: number; body: Json }> {
  const base = CLUSTER_SCOPED[obj.kind] ?? NAMESPACED[obj.kind]?.replace('NS', ns);
  if (!base) throw new Error(`no REST path for kind ${obj.kind}`);
  const query = 'dryRun=All&fieldManager=sluice-manifest-test&fieldValidation=Strict&force=true';
  return adminRequest(
    'PATCH',
    `${base}/${obj.metadata.name}?${query}`,
    JSON.stringify(obj),
    'application/apply-patch+yaml',
  );
}

/** `doc` moved from sluice-system to `ns` (as `kustomize edit set namespace` would): the namespace need not exist. */
function inNamespace(doc: Json, ns: string): Json {
  const copy = structuredClone(doc);
  if (NAMESPACED[copy.kind]) copy.metadata.namespace = ns;
  for (const s of copy.subjects ?? []) s.namespace = ns;
  return copy;
}

const docs = kustomizationDocs();

describe('deploy/in-cluster', () => {
  it('lists the namespace, the shipped ClusterRoles, a ServiceAccount bound to `sluice`, the Deployment, Service and NetworkPolicy', () => {
    expect(docs.map((d) => `${d.file}: ${d.doc.kind} ${d.doc.metadata.name}`)).toEqual([
      'deploy/in-cluster/namespace.yaml: Namespace sluice-system',
      'deploy/rbac/workload-cluster.yaml: ClusterRole sluice',
      'deploy/rbac/workload-cluster.yaml: ClusterRole sluice-secrets',
      'deploy/in-cluster/serviceaccount.yaml: ServiceAccount sluice',
      'deploy/in-cluster/clusterrolebinding.yaml: ClusterRoleBinding sluice',
      'deploy/in-cluster/deployment.yaml: Deployment sluice',
      'deploy/in-cluster/service.yaml: Service sluice',
      'deploy/in-cluster/networkpolicy.yaml: NetworkPolicy sluice',
    ]);
    const crb = only(docs, 'ClusterRoleBinding');
    expect(crb.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'sluice',
    });
    const sa = only(docs, 'ServiceAccount');
    expect(crb.subjects).toEqual([
      { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
    ]);
    expect(only(docs, 'Deployment').spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
  });

  it('every object is accepted by the API server (server-side apply, dryRun=All, strict fields); nothing is stored', async () => {
    const ns = await createNamespace('in-cluster-manifests');
    const refusals: string[] = [];
    for (const { file, doc } of docs) {
      const res = await dryRunApply(inNamespace(doc, ns), ns);
      if (res.status !== 200 && res.status !== 201)
        refusals.push(`${file} ${doc.kind}: HTTP ${res.status} ${res.body?.message}`);
    }
    expect(refusals).toEqual([]);
    const stored = await adminRequest('GET', `/apis/apps/v1/namespaces/${ns}/deployments`);
    expect(stored.body.items).toEqual([]);
    // The same check refuses a misspelt field: strict validation is on.
    const bad = inNamespace(only(docs, 'Deployment'), ns);
    bad.spec.template.spec.containers[0].readinessProbes =
      bad.spec.template.spec.containers[0].readinessProbe;
    const refused = await dryRunApply(bad, ns);
    // (server-side apply answers a schema error with 500: "failed to create typed patch object")
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body.message).toContain('readinessProbes: field not declared in schema');
  });

  it('the Deployment is hardened: 1 replica, Recreate, non-root, read-only root, no capabilities, RuntimeDefault seccomp, bounded resources', () => {
    const d = only(docs, 'Deployment');
    const pod = d.spec.template.spec;
    const [c] = pod.containers;
    expect(pod.containers).toHaveLength(1);
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect(c.args.slice(0, 2)).toEqual(['run', '--in-cluster']);
  });

  it('the token volume is mounted where --in-cluster reads it, with token, ca.crt and namespace', () => {
    const pod = only(docs, 'Deployment').spec.template.spec;
    const mount = pod.containers[0].volumeMounts.find((m: Json) => m.mountPath === SERVICEACCOUNT_DIR);
    expect(mount).toMatchObject({ readOnly: true });
    const volume = pod.volumes.find((v: Json) => v.name === mount.name);
    const paths = (volume.projected.sources as Json[]).flatMap((s) =>
      s.serviceAccountToken
        ? [s.serviceAccountToken.path]
        : ((s.configMap ?? s.downwardAPI).items as Json[]).map((i) => i.path),
    );
    expect(paths.sort()).toEqual(['ca.crt', 'namespace', 'token']);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('the webhook secret file, the HTTP port, the probes, the Service and the NetworkPolicy agree', () => {
    const d = only(docs, 'Deployment');
    const [c] = d.spec.template.spec.containers;
    const http = c.ports.find((p: Json) => p.name === 'http');
    expect(String(http.containerPort)).toBe(flagValue(c.args, '--port'));
    expect(c.livenessProbe.httpGet.port).toBe('http');
    expect(c.readinessProbe.httpGet.port).toBe('http');
    const svc = only(docs, 'Service');
    expect(svc.spec.selector).toEqual(d.spec.selector.matchLabels);
    expect(svc.spec.ports.map((p: Json) => p.targetPort)).toEqual(['http']);
    const np = only(docs, 'NetworkPolicy');
    expect(np.spec.podSelector.matchLabels).toEqual(d.spec.selector.matchLabels);
    expect(np.spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 'http' }] }]);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const file = flagValue(c.args, '--webhook-secret-file');
    const mount = c.volumeMounts.find((m: Json) => file.startsWith(`${m.mountPath}/`));
    const volume = d.spec.template.spec.volumes.find((v: Json) => v.name === mount.name);
    expect(volume.secret.items.map((i: Json) => `${mount.mountPath}/${i.path}`)).toEqual([file]);
  });
});
