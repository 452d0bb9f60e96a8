/**
 * The clusters `sluice run` drives: one per `--kubeconfig` (named after its context, or `--cluster-name`), the pod's
 * own cluster with `--in-cluster` (its ServiceAccount: shared/adapters/kube/in-cluster.ts), and the `file` and
 * `inline` entries of a cluster registry (`--clusters registry.json`, the format the functions read from
 * `SLUICE_CLUSTERS`). Every kubeconfig goes through the allow-list parser.
 */
import { dirname, resolve } from 'node:path';
import { parseClusterRegistry } from '../../adapters/kube/cluster-registry.js';
import { createGateway, type GatewayOptions } from '../../adapters/kube/client-gateway.js';
import { clientShare, DEFAULT_CLUSTER_BOUND } from '../../adapters/kube/cluster-bound.js';
import type { KubeGateway } from '../../app/kube-port/gateway.js';
import { parseKubeconfig, toKubeConfig } from '../../adapters/kube/kubeconfig.js';
import { inClusterConnection } from '../../adapters/kube/in-cluster.js';
import {
  MAX_KUBECONFIG_FILE_BYTES,
  MAX_REGISTRY_BYTES,
  readBoundedFile,
} from '../../adapters/kube/bounded-file.js';

/** One registered cluster. */
export interface LocalCluster {
  name: string;
  /** Where it came from (kubeconfig path or registry entry), for messages. */
  origin: string;
  server: string;
  gateway: KubeGateway;
  /** The namespaces sluice drives there (registry `namespaces`, or `--namespace`); undefined: all of them. */
  namespaces?: string[];
  /** Non-public addresses its metric providers may reach (the registry entry's `allowMetricAddresses`). */
  allowMetricAddresses?: string[];
}

/** Cluster names as the API route accepts them. */
const CLUSTER_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** What selects the clusters. */
export interface ClusterSelection {
  kubeconfigs: string[];
  /** Names for the kubeconfigs, in the same order (missing ones: the context name). */
  names: string[];
  context?: string;
  registry?: string;
  allowLoopbackHttp: boolean;
  /**
   * `--namespace`: the namespaces the `--kubeconfig` and `--in-cluster` clusters are driven in (registry entries
   * name their own).
   */
  namespaces?: string[];
  /** `--in-cluster`: the pod's own cluster under this name, its ServiceAccount read from `env`. */
  inCluster?: { name: string; env: NodeJS.ProcessEnv };
  /**
   * Each cluster's one client's rate limit: the whole bound (`SLUICE_CLUSTER_QPS` / `SLUICE_CLUSTER_BURST`, see
   * {@link runClusterBound}), since `sluice run` is one process with one client per cluster.
   */
  limit?: { qps: number; burst: number };
}

/**
 * The request bound of `sluice run` per cluster, from the same variables the functions read: `SLUICE_CLUSTER_QPS`
 * (default 40) and `SLUICE_CLUSTER_BURST` (default 80), shared by one client (concurrency 1). Throws naming the
 * variable when one is not a positive integer.
 */
export function runClusterBound(env: NodeJS.ProcessEnv): { qps: number; burst: number } {
  const read = (key: string, fallback: number): number => {
    const raw = env[key]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${key} must be a positive integer, got "${raw}"`);
    return n;
  };
  return clientShare({
    qps: read('SLUICE_CLUSTER_QPS', DEFAULT_CLUSTER_BOUND.qps),
    burst: read('SLUICE_CLUSTER_BURST', DEFAULT_CLUSTER_BOUND.burst),
    concurrency: 1,
  });
}

function fromKubeconfig(
  text: string,
  origin: string,
  opts: { name?: string; context?: string; allowLoopbackHttp: boolean; limit?: GatewayOptions },
): LocalCluster {
  let safe;
  try {
    safe = parseKubeconfig(text, {
      ...(opts.context ? { context: opts.context } : {}),
      ...(opts.allowLoopbackHttp ? { allowLoopbackHttp: true } : {}),
    });
  } catch (err) {
    throw new Error(`${origin}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const name = opts.name ?? safe.contextName;
  if (!CLUSTER_NAME.test(name))
    throw new Error(
      `${origin}: cluster name "${name}" is not usable in the API route ([A-Za-z0-9_.-], at most 128); pass --cluster-name`,
    );
  return {
    name,
    origin,
    server: safe.cluster.server,
    gateway: createGateway(toKubeConfig(safe), opts.limit ?? {}),
  };
}

async function fromRegistry(
  path: string,
  allowLoopbackHttp: boolean,
  limit?: GatewayOptions,
): Promise<LocalCluster[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readBoundedFile(path, 'cluster registry', MAX_REGISTRY_BYTES));
  } catch (err) {
    if (err instanceof SyntaxError) throw new Error(`${path}: not valid JSON: ${err.message}`);
    throw err;
  }
  const entries = parseClusterRegistry(raw);
  const out: LocalCluster[] = [];
  for (const e of entries) {
    const origin = `${path} (cluster ${e.name})`;
    const scope = {
      ...(e.namespaces ? { namespaces: e.namespaces } : {}),
      ...(e.allowMetricAddresses ? { allowMetricAddresses: e.allowMetricAddresses } : {}),
    };
    if (e.source === 'file') {
      const file = resolve(dirname(path), e.path);
      const text = await readBoundedFile(file, 'kubeconfig', MAX_KUBECONFIG_FILE_BYTES);
      out.push({
        ...fromKubeconfig(text, origin, { name: e.name, allowLoopbackHttp, ...(limit ? { limit } : {}) }),
        ...scope,
      });
    } else if (e.source === 'inline') {
      out.push({
        ...fromKubeconfig(e.kubeconfig, origin, {
          name: e.name,
          allowLoopbackHttp,
          ...(limit ? { limit } : {}),
        }),
        ...scope,
      });
    } else {
      throw new Error(
        `${origin}: source "${e.source}" needs AWS credentials; sluice run takes "file" and "inline" entries`,
      );
    }
  }
  return out;
}

/** `--in-cluster`: the pod's own cluster with its ServiceAccount. */
async function inCluster(
  { name, env }: { name: string; env: NodeJS.ProcessEnv },
  sel: ClusterSelection,
): Promise<LocalCluster> {
  if (!CLUSTER_NAME.test(name))
    throw new Error(`--cluster-name "${name}" is not usable in the API route ([A-Za-z0-9_.-], at most 128)`);
  const conn = await inClusterConnection(env, name, sel.limit ?? {});
  const origin = `ServiceAccount in ${conn.dir}, namespace ${conn.namespace}`;
  const cluster: LocalCluster = { name, origin, server: conn.server, gateway: conn.gateway };
  return sel.namespaces ? { ...cluster, namespaces: sel.namespaces } : cluster;
}

/**
 * Builds the clusters. Throws an Error naming the file and the problem (unreadable, rejected kubeconfig, bad or
 * duplicate name).
 */
export async function loadClusters(sel: ClusterSelection): Promise<LocalCluster[]> {
  for (const ns of sel.namespaces ?? [])
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns))
      throw new Error(`--namespace "${ns}" is not a namespace name (a DNS label)`);
  if (sel.names.length > sel.kubeconfigs.length)
    throw new Error(`${sel.names.length} --cluster-name for ${sel.kubeconfigs.length} --kubeconfig`);
  const clusters: LocalCluster[] = [];
  for (const [i, file] of sel.kubeconfigs.entries()) {
    const name = sel.names[i];
    const text = await readBoundedFile(file, 'kubeconfig', MAX_KUBECONFIG_FILE_BYTES);
    const cluster = fromKubeconfig(text, file, {
      ...(name ? { name } : {}),
      ...(sel.context ? { context: sel.context } : {}),
      allowLoopbackHttp: sel.allowLoopbackHttp,
      ...(sel.limit ? { limit: sel.limit } : {}),
    });
    clusters.push(sel.namespaces ? { ...cluster, namespaces: sel.namespaces } : cluster);
  }
  if (sel.inCluster) clusters.push(await inCluster(sel.inCluster, sel));
  if (sel.registry) clusters.push(...(await fromRegistry(sel.registry, sel.allowLoopbackHttp, sel.limit)));
  const seen = new Set<string>();
  for (const c of clusters) {
    if (seen.has(c.name))
      throw new Error(`cluster name "${c.name}" is used twice (${c.origin}); pass --cluster-name`);
    seen.add(c.name);
  }
  return clusters;
}
