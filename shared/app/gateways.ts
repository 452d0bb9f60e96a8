/**
 * The gateways one Rollout's pass needs: its cluster's, and the Istio primary cluster's for VirtualServices and
 * DestinationRules when the cluster names one. A misconfigured primary (ambiguous Secret or data key, kubeconfig
 * outside the allow-list) is not retryable: it comes back as `skipped` with the reason, before anything is written.
 */
import type { KubeGateway } from './kube-port/gateway.js';
import { decorateGateway } from './kube-port/decorate.js';
import { ClusterConfigError } from './kube-port/errors.js';
import type { ClusterDirectory } from './ports.js';

/** A cluster's gateway and, when Istio's primary is another cluster, the primary's. */
export interface ClusterGateways {
  gateway: KubeGateway;
  istioGateway?: KubeGateway;
}

/** True for errors a retry cannot fix: the operator has to change the Secret or the configuration. */
export function isPrimaryConfigError(err: unknown): err is Error {
  return err instanceof ClusterConfigError;
}

/**
 * Resolves `cluster`'s gateways. `{ skipped }` names the reason when the cluster is unknown or its Istio primary is
 * misconfigured; API failures (e.g. the Secret cannot be read) are thrown, so the event is retried.
 *
 * @example
 * const g = await clusterGateways(deps.clusters, 'eu-1');
 * if ('skipped' in g) return g;
 */
export async function clusterGateways(
  clusters: ClusterDirectory,
  cluster: string,
): Promise<ClusterGateways | { skipped: string }> {
  const gateway = await clusters.gateway(cluster);
  if (!gateway) return { skipped: `unknown cluster ${cluster}` };
  try {
    const istioGateway = await clusters.istioGateway?.(cluster);
    return istioGateway ? { gateway, istioGateway } : { gateway };
  } catch (err) {
    if (isPrimaryConfigError(err)) {
      return { skipped: `Istio primary cluster of ${cluster} is misconfigured: ${err.message}` };
    }
    throw err;
  }
}

const ISTIO_RESOURCES = new Set<string>(['virtualservices', 'destinationrules']);

/**
 * One gateway over both clusters: VirtualServices and DestinationRules go to the Istio primary (when there is one),
 * everything else to the rollout cluster. For code that takes a single gateway (the watch).
 */
export function istioRouted(g: ClusterGateways): KubeGateway {
  const { gateway, istioGateway } = g;
  if (!istioGateway) return gateway;
  const pick = (resource: string): KubeGateway => (ISTIO_RESOURCES.has(resource) ? istioGateway : gateway);
  return decorateGateway(gateway, {
    around: (request, send) => send(pick(request.resource)),
    overrides: { watch: (resource, ...a) => pick(resource).watch(resource, ...a) },
  });
}
