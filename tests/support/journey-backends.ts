/**
 * The API servers a journey can run against, behind one interface: the real test cluster (kube-apiserver + etcd
 * started by the jest global setup) or the sandbox's in-memory fake API server (`shared/runtimes/sandbox/`) started
 * in-process on loopback. Each gives an admin request function, a KubeGateway through the same kubeconfig path
 * the CLI uses, namespace creation, object creation and a stand-in kubelet that works on either.
 */
import { randomBytes } from 'node:crypto';
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';
import { createGateway } from '../../shared/adapters/kube/client-gateway.js';
import { parseKubeconfig, toKubeConfig } from '../../shared/adapters/kube/kubeconfig.js';
import { startFakeApiServer } from '../../shared/runtimes/sandbox/fake-apiserver.js';
import { adminRequest, clusterInfo, collectionPath, createNamespace } from './cluster.js';
import { startPodKubelet } from './pod-kubelet.js';

/** One admin HTTP request: JSON in and out, resolves for every HTTP status. PATCH defaults to merge patch. */
export type AdminRequest = (
  method: string,
  urlPath: string,
  body?: unknown,
  contentType?: string,
) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Journeys read a lot between passes: no client-side rate limit worth the name (the default is 20 qps). */
const TEST_GATEWAY = { qps: 500, burst: 500 };

/** Where a journey runs. */
export interface JourneyBackend {
  readonly name: 'cluster' | 'sandbox';
  request: AdminRequest;
  /** A gateway as admin, built from a kubeconfig like the CLI builds it. */
  gateway(): KubeGateway;
  /** A fresh namespace `prefix-<random>` (the sandbox serves no Namespace objects: only the name is made). */
  createNamespace(prefix: string): Promise<string>;
  close(): Promise<void>;
}

/** The real test cluster of this jest run. `close` does nothing (the global teardown stops it). */
export function clusterBackend(): JourneyBackend {
  return {
    name: 'cluster',
    request: adminRequest,
    gateway: () =>
      createGateway(
        toKubeConfig(parseKubeconfig(clusterInfo().kubeconfigYaml, { allowLoopbackHttp: true })),
        TEST_GATEWAY,
      ),
    createNamespace,
    close: async () => undefined,
  };
}

/** The sandbox's fake API server, started now on 127.0.0.1 (random port). Call `close()` when done. */
export async function sandboxBackend(): Promise<JourneyBackend> {
  const api = await startFakeApiServer();
  const request: AdminRequest = async (method, urlPath, body, contentType) => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined)
      headers['Content-Type'] =
        contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
    const res = await fetch(`${api.url}${urlPath}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  return {
    name: 'sandbox',
    request,
    gateway: () =>
      createGateway(
        toKubeConfig(parseKubeconfig(api.kubeconfig(), { allowLoopbackHttp: true })),
        TEST_GATEWAY,
      ),
    createNamespace: async (prefix) =>
      `${prefix.toLowerCase().slice(0, 50)}-${randomBytes(4).toString('hex')}`,
    close: () => api.close(),
  };
}

/** Creates each object in `namespace` as admin, in order. */
export async function createObjects(
  backend: JourneyBackend,
  namespace: string,
  objects: unknown[],
): Promise<void> {
  for (const o of objects) {
    const obj = structuredClone(o) as {
      apiVersion: string;
      kind: string;
      metadata?: Record<string, unknown>;
    };
    obj.metadata = { ...(obj.metadata ?? {}), namespace: (obj.metadata?.namespace as string) ?? namespace };
    const ns = obj.metadata.namespace as string;
    const res = await backend.request('POST', collectionPath(obj.apiVersion, obj.kind, ns), obj);
    if (res.status !== 201) {
      throw new Error(
        `create ${obj.kind} ${ns}/${String(obj.metadata.name)} on the ${backend.name}: HTTP ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
  }
}

interface Rs {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number };
  status?: Record<string, number | undefined>;
}

const rsPath = (ns: string, name?: string): string =>
  `/apis/apps/v1/namespaces/${ns}/replicasets${name ? `/${name}` : ''}`;

function wantedStatus(rs: Rs): Record<string, number> {
  const replicas = rs.spec.replicas ?? 1;
  return {
    replicas,
    fullyLabeledReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    observedGeneration: rs.metadata.generation ?? 1,
  };
}

const inStep = (rs: Rs): boolean =>
  Object.entries(wantedStatus(rs)).every(([k, v]) => (rs.status?.[k] ?? 0) === v);

/** A stand-in ReplicaSet controller + kubelet on any backend. */
export interface JourneyKubelet {
  /** Makes every out-of-step ReplicaSet of the namespace ready now; returns how many it wrote. */
  sync(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Keeps ReplicaSet status in step with spec.replicas (all pods ready), through the `/status` subresource.
 * With `delayMs` it polls every 50 ms and writes `delayMs` after it sees a change; with `manual` it writes only
 * when `sync()` is called (deterministic journeys). With `pods` the ReplicaSets get real pods instead
 * (`./pod-kubelet.ts`, for the tests that need them).
 */
export function startJourneyKubelet(
  backend: JourneyBackend,
  ns: string,
  opts: { delayMs?: number; manual?: boolean; pods?: boolean } = {},
): JourneyKubelet {
  if (opts.pods) return startPodKubelet(backend.request, ns, opts.manual === true);
  let stopped = false;
  const mark = async (rs: Rs): Promise<boolean> => {
    const res = await backend.request('PATCH', `${rsPath(ns, rs.metadata.name)}/status`, {
      status: wantedStatus(rs),
    });
    return res.status === 200;
  };
  const sync = async (): Promise<number> => {
    const list = await backend.request('GET', rsPath(ns));
    if (list.status !== 200) throw new Error(`kubelet: list ReplicaSets in ${ns}: HTTP ${list.status}`);
    let written = 0;
    for (const rs of (list.body as { items: Rs[] }).items) if (!inStep(rs) && (await mark(rs))) written++;
    return written;
  };
  if (opts.manual) return { sync, stop: async () => undefined };

  const delayMs = opts.delayMs ?? 0;
  const pending = new Map<string, NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  const tick = async (): Promise<void> => {
    const list = await backend.request('GET', rsPath(ns));
    if (list.status !== 200 || stopped) return;
    for (const rs of (list.body as { items: Rs[] }).items) {
      const key = `${rs.metadata.name}@${rs.metadata.generation}/${rs.spec.replicas}`;
      if (inStep(rs) || pending.has(key)) continue;
      const t = setTimeout(() => {
        if (stopped) return;
        // Re-read: the latest spec decides (the stale copy may carry an older replica count).
        const p = backend
          .request('GET', rsPath(ns, rs.metadata.name))
          .then((got) => (got.status === 200 ? mark(got.body as Rs) : false))
          .catch(() => false)
          .finally(() => {
            inFlight.delete(p);
            pending.delete(key);
          });
        inFlight.add(p);
      }, delayMs);
      pending.set(key, t);
    }
  };
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(tick).catch(() => undefined);
  }, 50);
  return {
    sync,
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const t of pending.values()) clearTimeout(t);
      await running;
      await Promise.all([...inFlight]);
    },
  };
}
