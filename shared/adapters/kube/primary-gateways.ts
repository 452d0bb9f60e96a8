/**
 * Gateways of the Istio primary clusters, per rollout cluster: the rollout cluster's
 * `istio.argoproj.io/primary-cluster` Secret is looked up (`shared/adapters/kube/primary-cluster.ts`) and its kubeconfig,
 * already through the allow-list, becomes a gateway for VirtualServices and DestinationRules.
 *
 * The outcome (a gateway, or "no primary: use the rollout cluster") is cached per cluster for at most 5 minutes;
 * a failed lookup is never cached, and a 401 from the primary drops the entry so the Secret is read again.
 */
import { createGateway, type GatewayOptions } from './client-gateway.js';
import { KubeApiError } from '../../app/kube-port/errors.js';
import type { KubeGateway } from '../../app/kube-port/gateway.js';
import { decorateGateway } from '../../app/kube-port/decorate.js';
import { toKubeConfig } from './kubeconfig.js';
import { findPrimaryCluster, type PrimaryClusterOptions } from './primary-cluster.js';

/** Where the Secret is, and how to build the gateway. */
export interface PrimaryGatewaysOptions extends PrimaryClusterOptions {
  /** Namespace of the Secret in every rollout cluster. */
  namespace: string;
  /** Options of every primary gateway (deadline, rate limit). */
  gateway?: GatewayOptions;
  /** Cache lifetime (default and maximum 5 min). */
  ttlMs?: number;
  now?: () => number;
}

const MAX_TTL_MS = 5 * 60 * 1000;

/** Primary-cluster gateways by rollout-cluster name. */
export class PrimaryGateways {
  private readonly cache = new Map<string, { at: number; value: Promise<KubeGateway | undefined> }>();
  private readonly ttl: number;
  private readonly now: () => number;

  /** `local(cluster)` is the rollout cluster's own gateway (where the Secret is read). */
  constructor(
    private readonly local: (cluster: string) => Promise<KubeGateway | undefined>,
    private readonly opts: PrimaryGatewaysOptions,
  ) {
    this.ttl = Math.min(opts.ttlMs ?? MAX_TTL_MS, MAX_TTL_MS);
    this.now = opts.now ?? Date.now;
  }

  /**
   * The primary cluster's gateway for `cluster`, or undefined when its Secret is absent (Istio objects live in the
   * rollout cluster) or the cluster is unknown.
   * @throws PrimaryClusterError (ambiguous Secret or key), KubeconfigRejectedError, KubeApiError.
   */
  gateway(cluster: string): Promise<KubeGateway | undefined> {
    const hit = this.cache.get(cluster);
    if (hit && this.now() - hit.at < this.ttl) return hit.value;
    const value = this.lookup(cluster);
    const entry = { at: this.now(), value };
    this.cache.set(cluster, entry);
    value.catch(() => {
      if (this.cache.get(cluster) === entry) this.cache.delete(cluster);
    });
    return value;
  }

  /** Forget `cluster`'s primary (the next call reads the Secret again). */
  invalidate(cluster: string): void {
    this.cache.delete(cluster);
  }

  private async lookup(cluster: string): Promise<KubeGateway | undefined> {
    const local = await this.local(cluster);
    if (!local) return undefined;
    const found = await findPrimaryCluster(local, this.opts.namespace, {
      ...(this.opts.name === undefined ? {} : { name: this.opts.name }),
      ...(this.opts.key === undefined ? {} : { key: this.opts.key }),
      ...(this.opts.parse === undefined ? {} : { parse: this.opts.parse }),
    });
    if (!found) return undefined;
    return this.dropOn401(cluster, createGateway(toKubeConfig(found.kubeconfig), this.opts.gateway));
  }

  private dropOn401(cluster: string, gw: KubeGateway): KubeGateway {
    const guard = async <T>(call: Promise<T>): Promise<T> => {
      try {
        return await call;
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 401) this.invalidate(cluster);
        throw err;
      }
    };
    return decorateGateway(gw, { around: (_request, send) => guard(send(gw)) });
  }
}
