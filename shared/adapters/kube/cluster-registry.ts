/**
 * The cluster registry (which clusters sluice drives, and where their credentials come from) and a cache of
 * gateways built from it. Secrets come through an injected `fetchSecret` (the Lambda wiring reads Secrets
 * Manager with GetSecretValue); every kubeconfig goes through the allow-list parser. Cached ≤ 5 min; a 401 invalidates the
 * entry and rebuilds it once (fresh secret / token), then fails; failures are never cached.
 */
import { MAX_KUBECONFIG_FILE_BYTES, readBoundedFile } from './bounded-file.js';
import { createGateway, type GatewayOptions } from './client-gateway.js';
import { KubeApiError } from '../../app/kube-port/errors.js';
import type { KubeGateway } from '../../app/kube-port/gateway.js';
import { decorateGateway } from '../../app/kube-port/decorate.js';
import { AllowListError, parseAllowList } from '../metrics/allow-list.js';
import {
  eksKubeconfig,
  parseKubeconfig,
  toKubeConfig,
  type ParseKubeconfigOptions,
  type SafeKubeconfig,
} from './kubeconfig.js';
import { AccessRuleError, parseAccessRules, type AccessRule } from '../../core/model/access.js';

/** Who may view and act on the cluster's Rollouts on the dashboard (shared/core/model/access.ts). */
interface EntryAccess {
  access?: AccessRule[];
}

/** What every entry may carry besides its source. */
interface EntryScope {
  /**
   * The namespaces sluice drives in this cluster (a namespace-scoped install, deploy/rbac/namespace-scoped.yaml):
   * Rollouts are listed and objects watched only there. Absent: every namespace (cluster-wide lists and watches).
   */
  namespaces?: string[];
}

/**
 * `allowMetricAddresses`: the non-public addresses (CIDR ranges or single IPs) the cluster's analysis metric
 * providers may reach; without it, providers reach public addresses only.
 */
interface EntryMetrics {
  allowMetricAddresses?: string[];
}

export type ClusterEntry = EntryAccess &
  EntryScope &
  EntryMetrics &
  (
    | { name: string; source: 'secret'; secretId: string }
    | { name: string; source: 'file'; path: string }
    | {
        name: string;
        source: 'eks';
        clusterName: string;
        region: string;
        /** With `caData`: used as given; without both: looked up with `eks:DescribeCluster` (`describeEks`). */
        endpoint?: string;
        caData?: string;
      }
    | { name: string; source: 'inline'; kubeconfig: string }
  );

/**
 * An entry whose kubeconfig sluice builds itself (`sluice run --in-cluster`: the pod's ServiceAccount, in-cluster.ts),
 * never one a registry names: {@link parseClusterRegistry} has no such source. `fresh` is true after a 401.
 */
export interface ProvidedEntry extends EntryScope, EntryMetrics {
  name: string;
  source: 'provided';
  kubeconfig: (opts: { fresh: boolean }) => Promise<SafeKubeconfig>;
}

/** The registry is malformed. */
export class ClusterRegistryError extends Error {
  override readonly name = 'ClusterRegistryError';
}

/** Fields of every entry, whatever its source. */
const COMMON_FIELDS = ['name', 'source', 'access', 'namespaces', 'allowMetricAddresses'];

const FIELDS: Record<ClusterEntry['source'], string[]> = {
  secret: ['secretId'],
  file: ['path'],
  eks: ['clusterName', 'region'],
  inline: ['kubeconfig'],
};
/** Fields an entry may have, given together or not at all. */
const OPTIONAL: Partial<Record<ClusterEntry['source'], string[]>> = { eks: ['endpoint', 'caData'] };

function checkFields(where: string, e: Record<string, unknown>, source: ClusterEntry['source']): void {
  const fields = FIELDS[source];
  const optional = OPTIONAL[source] ?? [];
  for (const key of Object.keys(e)) {
    if (!COMMON_FIELDS.includes(key) && !fields.includes(key) && !optional.includes(key)) {
      throw new ClusterRegistryError(`${where}.${key} is not a field of a "${source}" entry`);
    }
  }
  const given = optional.filter((f) => e[f] !== undefined);
  if (given.length > 0 && given.length < optional.length) {
    throw new ClusterRegistryError(`${where}: give ${optional.join(' and ')} together, or neither`);
  }
  for (const f of [...fields, ...given]) {
    if (typeof e[f] !== 'string' || (e[f] as string).trim() === '') {
      throw new ClusterRegistryError(`${where}.${f} must be a non-empty string`);
    }
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Checks an entry's optional `namespaces`: a non-empty list of distinct DNS labels. */
function checkNamespaces(where: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length === 0)
    throw new ClusterRegistryError(`${where}.namespaces must be a non-empty list of namespace names`);
  value.forEach((ns: unknown, i) => {
    if (typeof ns !== 'string' || !DNS_LABEL.test(ns))
      throw new ClusterRegistryError(`${where}.namespaces[${i}] must be a namespace name (a DNS label)`);
    if (value.indexOf(ns) !== i)
      throw new ClusterRegistryError(`${where}.namespaces[${i}] "${ns}" is listed twice`);
  });
}

/**
 * Validate a registry: a JSON array (or `{clusters: [...]}`) of entries with unique DNS-label names (and, when
 * given, `namespaces`: the namespaces sluice drives there).
 * @throws {@link ClusterRegistryError} naming the entry and field.
 */
export function parseClusterRegistry(json: unknown): ClusterEntry[] {
  const list = Array.isArray(json) ? json : (json as { clusters?: unknown } | null)?.clusters;
  if (!Array.isArray(list))
    throw new ClusterRegistryError('cluster registry must be a list (or {clusters: [...]})');
  const seen = new Set<string>();
  return list.map((raw: unknown, i) => {
    const where = `clusters[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new ClusterRegistryError(`${where} must be an object`);
    const e = raw as Record<string, unknown>;
    if (typeof e.name !== 'string' || !DNS_LABEL.test(e.name)) {
      throw new ClusterRegistryError(`${where}.name must be a DNS label`);
    }
    if (seen.has(e.name)) throw new ClusterRegistryError(`${where}.name "${e.name}" is used twice`);
    seen.add(e.name);
    if (!Object.hasOwn(FIELDS, String(e.source))) {
      throw new ClusterRegistryError(`${where}.source must be one of ${Object.keys(FIELDS).join(', ')}`);
    }
    checkFields(where, e, e.source as ClusterEntry['source']);
    checkNamespaces(where, e.namespaces);
    checkAllowList(e.allowMetricAddresses, `${where}.allowMetricAddresses`);
    return { ...e, ...accessOf(e.access, `${where}.access`) } as unknown as ClusterEntry;
  });
}

function checkAllowList(value: unknown, where: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new ClusterRegistryError(`${where} must be a list of CIDR ranges or IPs`);
  try {
    parseAllowList(value as string[], where);
  } catch (err) {
    if (err instanceof AllowListError) throw new ClusterRegistryError(err.message);
    throw err;
  }
}

/** The validated `access` rules of an entry, as a registry error when malformed. */
function accessOf(raw: unknown, where: string): EntryAccess {
  if (raw === undefined) return {};
  try {
    return { access: parseAccessRules(raw, where) };
  } catch (err) {
    if (err instanceof AccessRuleError) throw new ClusterRegistryError(err.message);
    throw err;
  }
}

export interface ClusterClientsOptions {
  /** Secret string by id (Secrets Manager). */
  fetchSecret: (id: string) => Promise<string>;
  /**
   * A `k8s-aws-v1.` token for an EKS entry (e.g. EksTokenCache.get with the Lambda's credentials). `fresh` is true
   * when the previous token was refused with a 401: mint a new one instead of returning a cached one.
   */
  eksToken?: (entry: Extract<ClusterEntry, { source: 'eks' }>, opts: { fresh: boolean }) => Promise<string>;
  /** Endpoint and CA of an EKS entry that does not give them (`eks:DescribeCluster`, cached). */
  describeEks?: (clusterName: string, region: string) => Promise<{ endpoint: string; caData: string }>;
  /** Options for every gateway. */
  gateway?: GatewayOptions;
  /** Allow-list options for every kubeconfig. */
  kubeconfig?: ParseKubeconfigOptions;
  /** Cache lifetime (default and maximum 5 min). */
  ttlMs?: number;
  now?: () => number;
}

const MAX_TTL_MS = 5 * 60 * 1000;

/** Gateways by cluster name, built on demand from the registry. */
export class ClusterClients {
  private readonly entries: Map<string, ClusterEntry | ProvidedEntry>;
  private readonly cache = new Map<string, { gw: KubeGateway; at: number }>();
  /** Clusters whose credentials were refused (401): the next build asks for fresh ones. */
  private readonly refused = new Set<string>();
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(
    registry: (ClusterEntry | ProvidedEntry)[],
    private readonly opts: ClusterClientsOptions,
  ) {
    this.entries = new Map(registry.map((e) => [e.name, e]));
    this.ttl = Math.min(opts.ttlMs ?? MAX_TTL_MS, MAX_TTL_MS);
    this.now = opts.now ?? Date.now;
  }

  /** Names in the registry. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The registry's `namespaces` of the cluster: undefined for every namespace (or an unknown cluster). */
  namespaces(name: string): string[] | undefined {
    return this.entries.get(name)?.namespaces;
  }

  /** Drop a cached gateway (next call rebuilds it from fresh credentials). */
  invalidate(name: string): void {
    this.cache.delete(name);
  }

  /**
   * The gateway for `name`. Its calls rebuild the gateway once on 401 (credentials rotated or token expired).
   * @throws Error for an unknown name; KubeconfigRejectedError for a kubeconfig outside the allow-list.
   */
  async getGateway(name: string): Promise<KubeGateway> {
    return this.retrying(name, await this.current(name));
  }

  private async current(name: string): Promise<KubeGateway> {
    const hit = this.cache.get(name);
    if (hit && this.now() - hit.at < this.ttl) return hit.gw;
    const entry = this.entries.get(name);
    if (!entry)
      throw new Error(`unknown cluster "${name}" (registry has: ${this.names().join(', ') || 'none'})`);
    const fresh = this.refused.delete(name);
    const gw = createGateway(toKubeConfig(await this.kubeconfigOf(entry, fresh)), this.opts.gateway);
    this.cache.set(name, { gw, at: this.now() });
    return gw;
  }

  private async kubeconfigOf(entry: ClusterEntry | ProvidedEntry, fresh: boolean): Promise<SafeKubeconfig> {
    switch (entry.source) {
      case 'provided':
        return entry.kubeconfig({ fresh });
      case 'secret':
        return parseKubeconfig(await this.opts.fetchSecret(entry.secretId), this.opts.kubeconfig);
      case 'file':
        return parseKubeconfig(
          await readBoundedFile(entry.path, 'kubeconfig', MAX_KUBECONFIG_FILE_BYTES),
          this.opts.kubeconfig,
        );
      case 'inline':
        return parseKubeconfig(entry.kubeconfig, this.opts.kubeconfig);
      case 'eks': {
        if (!this.opts.eksToken)
          throw new Error(`cluster "${entry.name}" is EKS but no eksToken source is configured`);
        const { endpoint, caData } = await this.eksEndpoint(entry);
        const token = await this.opts.eksToken(entry, { fresh });
        return eksKubeconfig({ name: entry.name, endpoint, caData, token });
      }
    }
  }

  private async eksEndpoint(
    entry: Extract<ClusterEntry, { source: 'eks' }>,
  ): Promise<{ endpoint: string; caData: string }> {
    if (entry.endpoint !== undefined && entry.caData !== undefined)
      return { endpoint: entry.endpoint, caData: entry.caData };
    if (!this.opts.describeEks)
      throw new Error(`cluster "${entry.name}" names no endpoint/caData and no EKS lookup is configured`);
    return this.opts.describeEks(entry.clusterName, entry.region);
  }

  /** A gateway whose every call resolves the cached one and, on 401, invalidates, rebuilds and retries once. */
  private retrying(name: string, built: KubeGateway): KubeGateway {
    const once = async <T>(fn: (gw: KubeGateway) => Promise<T>): Promise<T> => {
      try {
        return await fn(await this.current(name));
      } catch (err) {
        if (!(err instanceof KubeApiError) || err.code !== 401) throw err;
        this.invalidate(name);
        this.refused.add(name);
        return fn(await this.current(name));
      }
    };
    const watch: KubeGateway['watch'] = (...a) => {
      const hit = this.cache.get(name);
      if (!hit) throw new Error(`cluster "${name}": call getGateway before watch`);
      return hit.gw.watch(...a);
    };
    // Every request resolves the current gateway (`built`, or its rebuild after a TTL or a 401) itself.
    return decorateGateway(built, { around: (_request, send) => once(send), overrides: { watch } });
  }
}
