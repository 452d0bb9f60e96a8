/**
 * Bench clusters: the same etcd + kube-apiserver the jest global setup starts (tools/test-cluster), one directory
 * per cluster under `.cluster/bench-<pid>-<n>`, always stopped at the end (also on Ctrl-C).
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import {
  adminConnection,
  findBinaries,
  repoRoot,
  startCluster,
  stopCluster,
} from '../../tools/test-cluster/cluster.js';
import { kubeRequest, type Connection, type Json } from '../../tools/test-cluster/kube-http.js';
import { createGateway, type RequestInfo } from '../../shared/adapters/kube/client-gateway.js';
import { parseKubeconfig, toKubeConfig } from '../../shared/adapters/kube/kubeconfig.js';
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';

/** A running bench cluster. */
export interface BenchCluster {
  name: string;
  dir: string;
  conn: Connection;
  kubeconfigYaml: string;
  startSeconds: number;
}

const started: string[] = [];
let binDir: string | undefined;

/** Starts one cluster (build.sh finds or builds the binaries once). */
export async function startBenchCluster(name: string): Promise<BenchCluster> {
  binDir ??= findBinaries();
  const dir = path.join(repoRoot, '.cluster', `bench-${process.pid}-${name}`);
  started.push(dir);
  const c = await startCluster({ dir, binDir });
  return {
    name,
    dir,
    conn: adminConnection(c),
    kubeconfigYaml: readFileSync(c.kubeconfigPath, 'utf8'),
    startSeconds: c.startSeconds,
  };
}

/** Stops every cluster this process started. */
export async function stopBenchClusters(): Promise<void> {
  while (started.length > 0) {
    const dir = started.pop();
    if (dir) await stopCluster(dir).catch(() => undefined);
  }
}

/** Counts requests by `verb resource[/status]` through the gateway's onRequest hook. */
export class RequestCounter {
  readonly counts = new Map<string, number>();
  total = 0;
  onRequest = (info: RequestInfo): void => {
    this.total++;
    const key = `${info.verb} ${info.resource}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  };
  reset(): void {
    this.counts.clear();
    this.total = 0;
  }
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort());
  }
}

/** A sluice gateway (client-node, same kubeconfig path as the CLI) on `c`, with a request counter. */
export function benchGateway(
  c: BenchCluster,
  counter?: RequestCounter,
  qps = 1000,
  opts: { cacheDispatcher?: boolean } = {},
): KubeGateway {
  const kc = toKubeConfig(parseKubeconfig(c.kubeconfigYaml));
  if (opts.cacheDispatcher) {
    // Diagnosis only: client-node 2.0.1 builds a new undici Agent (so a new TLS connection) for every request in
    // KubeConfig.createDispatcher; this reuses the first one to measure what that costs.
    const k = kc as unknown as { createDispatcher: (...a: unknown[]) => unknown };
    const original = k.createDispatcher.bind(kc);
    let cached: unknown;
    k.createDispatcher = (...a: unknown[]) => (cached ??= original(...a));
  }
  // The production default rate limit (20 qps, burst 40) would measure the limiter, not the path; the fleet
  // bench sets its own.
  return createGateway(kc, { qps, burst: qps * 2, ...(counter ? { onRequest: counter.onRequest } : {}) });
}

/** Sees every {@link admin} request (the bench's own probes and stand-in kubelet), for request accounting. */
export const adminTap: { on?: (method: string, path: string) => void } = {};

/** One admin HTTPS request; throws on a status outside 2xx, naming the request. */
export async function admin(
  c: BenchCluster,
  method: string,
  p: string,
  body?: unknown,
  type?: string,
): Promise<Json> {
  adminTap.on?.(method, p);
  const res = await kubeRequest(c.conn, method, p, body, type);
  if (res.status < 200 || res.status > 299) {
    throw new Error(`${method} ${p}: HTTP ${res.status} ${res.body?.message ?? JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** Creates a namespace (idempotent). */
export async function ensureNamespace(c: BenchCluster, ns: string): Promise<void> {
  const res = await kubeRequest(c.conn, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  if (res.status !== 201 && res.status !== 409) throw new Error(`create namespace ${ns}: HTTP ${res.status}`);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export { repoRoot };
