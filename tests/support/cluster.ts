/**
 * Test access to the real kube-apiserver started by the jest global setup (one per test run).
 * Isolate tests by namespace (`createNamespace`); never delete namespaces (no controller-manager runs).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  adminConnection,
  readClusterFile,
  startCluster,
  stopCluster,
  type ClusterFile,
} from '../../tools/test-cluster/cluster.js';
import { kubeRequest, type Connection, type Json } from '../../tools/test-cluster/kube-http.js';

/** Where the running test cluster is: API server URL, admin kubeconfig, CA (base64 PEM, as in kubeconfig). */
export interface ClusterInfo {
  dir: string;
  server: string;
  kubeconfigPath: string;
  kubeconfigYaml: string;
  caData: string;
}

let cached: { file: ClusterFile; info: ClusterInfo; conn: Connection } | undefined;

function clusterDir(): string {
  const fromEnv = process.env.SLUICE_CLUSTER_DIR;
  if (fromEnv) return fromEnv;
  const current = path.resolve(process.cwd(), '.cluster', 'current.json');
  if (existsSync(current)) return (JSON.parse(readFileSync(current, 'utf8')) as { dir: string }).dir;
  throw new Error(
    'no test cluster: run the cluster tests through `npm test` (the jest global setup starts one; ' +
      'SLUICE_NO_CLUSTER must not be 1) or set SLUICE_CLUSTER_DIR to a dir made by `npm run cluster:start`',
  );
}

function load(): NonNullable<typeof cached> {
  if (cached) return cached;
  const file = readClusterFile(clusterDir());
  const conn = adminConnection(file);
  const info: ClusterInfo = {
    dir: file.dir,
    server: file.server,
    kubeconfigPath: file.kubeconfigPath,
    kubeconfigYaml: readFileSync(file.kubeconfigPath, 'utf8'),
    caData: Buffer.from(conn.ca).toString('base64'),
  };
  cached = { file, info, conn };
  return cached;
}

/** The running test cluster (reads `.cluster/current.json` or SLUICE_CLUSTER_DIR). */
export function clusterInfo(): ClusterInfo {
  return load().info;
}

/** Admin (system:masters) client connection to the test cluster, for helpers that need raw access. */
export function adminConnectionInfo(): Connection {
  return load().conn;
}

/**
 * One HTTPS request as admin (bypasses RBAC). JSON in and out; resolves for every HTTP status.
 * PATCH defaults to `application/merge-patch+json`.
 */
export function adminRequest(
  method: string,
  urlPath: string,
  body?: unknown,
  contentType?: string,
): Promise<{ status: number; body: Json }> {
  return kubeRequest(load().conn, method, urlPath, body, contentType);
}

/** The namespaces this test file created (one module instance per test file). */
export const createdNamespaces: string[] = [];

/**
 * Deletes the Services of the namespaces this test file created: a ClusterIP Service holds one address of the
 * test cluster's small service range until it is deleted, and the cluster has no namespace controller to do it,
 * so a reused cluster would otherwise run out of addresses ("range is full") after a few hundred Services.
 */
export async function releaseServices(): Promise<void> {
  const namespaces = createdNamespaces.splice(0);
  await Promise.all(
    namespaces.map((ns) =>
      adminRequest('DELETE', `/api/v1/namespaces/${ns}/services`).catch(() => undefined),
    ),
  );
}

/** Creates a namespace named `prefix-<random>` as admin and returns its name. */
export async function createNamespace(prefix: string): Promise<string> {
  const base =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 50)
      .replace(/-+$/, '') || 'ns';
  const name = `${base}-${randomBytes(4).toString('hex')}`;
  const res = await adminRequest('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
  if (res.status !== 201)
    throw new Error(`create namespace ${name}: HTTP ${res.status} ${res.body?.message ?? ''}`);
  createdNamespaces.push(name);
  return name;
}

const PLURALS: Record<string, string> = {
  Rollout: 'rollouts',
  Service: 'services',
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
  ReplicaSet: 'replicasets',
  Secret: 'secrets',
  ConfigMap: 'configmaps',
  ServiceAccount: 'serviceaccounts',
  Deployment: 'deployments',
  Pod: 'pods',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  AnalysisRun: 'analysisruns',
  AnalysisTemplate: 'analysistemplates',
};

/** Collection path of a namespaced object, e.g. `/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts`. */
export function collectionPath(apiVersion: string, kind: string, namespace: string): string {
  const plural = PLURALS[kind];
  if (!plural)
    throw new Error(`no REST path known for kind ${kind} (known: ${Object.keys(PLURALS).join(', ')})`);
  const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${prefix}/namespaces/${namespace}/${plural}`;
}

/** Creates each object in `namespace` (its metadata.namespace is set) as admin; returns the created objects. */
export async function applyObjects(namespace: string, objects: unknown[]): Promise<Json[]> {
  const created: Json[] = [];
  for (const o of objects) {
    const obj = structuredClone(o) as {
      apiVersion?: string;
      kind?: string;
      metadata?: Record<string, unknown>;
    };
    if (!obj.apiVersion || !obj.kind)
      throw new Error(`applyObjects: object without apiVersion/kind: ${JSON.stringify(o)}`);
    obj.metadata = { ...(obj.metadata ?? {}), namespace };
    const res = await adminRequest('POST', collectionPath(obj.apiVersion, obj.kind, namespace), obj);
    if (res.status !== 201) {
      const name = String(obj.metadata.name ?? obj.metadata.generateName ?? '?');
      throw new Error(
        `create ${obj.kind} ${namespace}/${name}: HTTP ${res.status} ${res.body?.message ?? JSON.stringify(res.body)}`,
      );
    }
    created.push(res.body);
  }
  return created;
}

/** A second, independent cluster (e.g. the Istio primary of a multi-cluster test). Call `stop()` in afterAll. */
export interface ExtraCluster {
  /** Its state directory (holds cluster.json with the etcd port, logs). */
  dir: string;
  kubeconfigYaml: string;
  server: string;
  caData: string;
  stop(): Promise<void>;
}

/** Starts another etcd + kube-apiserver with the same CRDs (about 5-15 s); stop it when done. */
export async function startExtraCluster(): Promise<ExtraCluster> {
  const main = load().file;
  const dir = path.join(path.dirname(main.dir), `extra-${process.pid}-${randomBytes(3).toString('hex')}`);
  const c = await startCluster({ dir, binDir: main.paths.binDir });
  const ca = readFileSync(c.paths.certs.caCert, 'utf8');
  return {
    dir,
    kubeconfigYaml: readFileSync(c.kubeconfigPath, 'utf8'),
    server: c.server,
    caData: Buffer.from(ca).toString('base64'),
    stop: () => stopCluster(dir),
  };
}
