/**
 * Least-privilege identities for tests: a ServiceAccount bound to the sluice ClusterRole(s) from
 * deploy/rbac (or to given rules), with a token from the TokenRequest API, handed out as a kubeconfig.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot } from '../../tools/test-cluster/cluster.js';
import { kubeRequest, type Connection, type Json } from '../../tools/test-cluster/kube-http.js';
import { kubeconfigYaml } from '../../tools/test-cluster/kubeconfig.js';
import { adminRequest, clusterInfo } from './cluster.js';

/** One RBAC PolicyRule. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The default manifest: what sluice needs in a workload cluster. */
export const WORKLOAD_MANIFEST = path.join(repoRoot, 'deploy', 'rbac', 'workload-cluster.yaml');

/** The rules of every ClusterRole in a manifest file, in order. */
export function manifestRules(manifestPath: string = WORKLOAD_MANIFEST): PolicyRule[] {
  const docs = parseAllDocuments(readFileSync(manifestPath, 'utf8')).map((d) => d.toJS() as Json);
  const rules = docs.filter((d) => d?.kind === 'ClusterRole').flatMap((d) => (d.rules ?? []) as PolicyRule[]);
  if (rules.length === 0) throw new Error(`no ClusterRole rules in ${manifestPath}`);
  return rules;
}

async function must(what: string, res: Promise<{ status: number; body: Json }>, ok: number[]): Promise<Json> {
  const r = await res;
  if (!ok.includes(r.status))
    throw new Error(`${what}: HTTP ${r.status} ${r.body?.message ?? JSON.stringify(r.body)}`);
  return r.body;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the authorizer has seen the new binding (RBAC is informer-driven, so it lags a little). */
async function waitForBinding(user: string, ns: string, rule: PolicyRule | undefined): Promise<void> {
  if (!rule || !rule.verbs[0] || !rule.resources[0]) return;
  const [resource, subresource] = rule.resources[0].split('/');
  const review = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
      resourceAttributes: {
        namespace: ns,
        verb: rule.verbs[0],
        group: rule.apiGroups[0] ?? '',
        resource,
        subresource,
      },
    },
  };
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const r = await adminRequest('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', review);
    if (r.body?.status?.allowed === true) return;
    await sleep(50);
  }
  throw new Error(`RBAC binding for ${user} not effective after 10 s`);
}

/**
 * Creates ServiceAccount `namespace/name` (and the namespace if missing), a uniquely named ClusterRole with the
 * rules of `manifestPath` (default deploy/rbac/workload-cluster.yaml, all its ClusterRoles) or `rules`, binds it
 * (ClusterRoleBinding, or RoleBindings in `bindNamespaces` only), requests a 1 h token through the TokenRequest
 * API and returns a kubeconfig (server, inline CA, token).
 */
export async function serviceAccountKubeconfig(opts: {
  namespace: string;
  name: string;
  rules?: object[];
  manifestPath?: string;
  bindNamespaces?: string[];
}): Promise<string> {
  const { namespace: ns, name } = opts;
  const rules = (opts.rules as PolicyRule[] | undefined) ?? manifestRules(opts.manifestPath);
  const role = `sluice-test-${name}-${randomBytes(4).toString('hex')}`.slice(0, 63);
  const subjects = [{ kind: 'ServiceAccount', name, namespace: ns }];
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role };
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  await must(
    `create namespace ${ns}`,
    adminRequest('POST', '/api/v1/namespaces', { metadata: { name: ns } }),
    [201, 409],
  );
  await must(
    `create ServiceAccount ${ns}/${name}`,
    adminRequest('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name } }),
    [201, 409],
  );
  await must(
    `create ClusterRole ${role}`,
    adminRequest('POST', `${rbac}/clusterroles`, { metadata: { name: role }, rules }),
    [201],
  );
  if (opts.bindNamespaces) {
    for (const bns of opts.bindNamespaces) {
      const rb = { metadata: { name: role, namespace: bns }, roleRef, subjects };
      await must(
        `create RoleBinding ${bns}/${role}`,
        adminRequest('POST', `${rbac}/namespaces/${bns}/rolebindings`, rb),
        [201],
      );
    }
  } else {
    const crb = { metadata: { name: role }, roleRef, subjects };
    await must(
      `create ClusterRoleBinding ${role}`,
      adminRequest('POST', `${rbac}/clusterrolebindings`, crb),
      [201],
    );
  }
  await waitForBinding(`system:serviceaccount:${ns}:${name}`, opts.bindNamespaces?.[0] ?? ns, rules[0]);
  const tr = await must(
    `TokenRequest for ${ns}/${name}`,
    adminRequest('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    }),
    [200, 201],
  );
  const info = clusterInfo();
  const ca = Buffer.from(info.caData, 'base64').toString('utf8');
  return kubeconfigYaml({
    name: 'sluice-test',
    server: info.server,
    ca,
    user: `${ns}-${name}`,
    token: tr.status.token,
  });
}

/** The connection (server, CA, token or client cert) a kubeconfig describes; uses its first cluster and user. */
export function kubeconfigConnection(kubeconfig: string): Connection {
  const kc = parse(kubeconfig) as Json;
  const cluster = kc.clusters[0].cluster;
  const user = kc.users[0].user;
  const un64 = (s?: string): string | undefined =>
    s ? Buffer.from(s, 'base64').toString('utf8') : undefined;
  return {
    server: cluster.server,
    ca: un64(cluster['certificate-authority-data']) ?? '',
    token: user.token,
    cert: un64(user['client-certificate-data']),
    key: un64(user['client-key-data']),
  };
}

/** One raw HTTPS request with the credentials of a kubeconfig (token or client cert); never throws on status. */
export function requestAs(
  kubeconfig: string,
  method: string,
  urlPath: string,
  body?: unknown,
  contentType?: string,
): Promise<{ status: number; body: Json }> {
  return kubeRequest(kubeconfigConnection(kubeconfig), method, urlPath, body, contentType);
}
