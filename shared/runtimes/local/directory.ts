/**
 * The cluster directory `sluice run` gives the control loop: its clusters by name and, with an Istio primary-cluster
 * Secret configured (`--istio-primary-secret`), each cluster's primary for VirtualServices and DestinationRules,
 * found exactly as the functions find it (shared/adapters/kube/primary-gateways.ts).
 */
import type { KubeGateway } from '../../app/kube-port/gateway.js';
import type { ParseKubeconfigOptions } from '../../adapters/kube/kubeconfig-parse.js';
import type { IstioPrimaryConfig } from '../../adapters/kube/primary-cluster.js';
import { PrimaryGateways } from '../../adapters/kube/primary-gateways.js';
import type { ClusterDirectory } from '../../app/ports.js';
import type { LocalCluster } from './clusters.js';

/** Where the primary-cluster Secret is, and how its kubeconfig is checked. */
export interface LocalIstioPrimary extends IstioPrimaryConfig {
  /** Allow-list options for the primary's kubeconfig (e.g. loopback http, as `--allow-loopback-http`). */
  parse?: ParseKubeconfigOptions;
}

/**
 * The directory over `clusters`; with `primary`, `istioGateway` reads each cluster's primary-cluster Secret.
 *
 * @example
 * const dir = localDirectory(clusters, { namespace: 'istio-system', name: 'istio-primary' });
 */
export function localDirectory(clusters: LocalCluster[], primary?: LocalIstioPrimary): ClusterDirectory {
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const gateway = async (name: string): Promise<KubeGateway | undefined> => byName.get(name)?.gateway;
  const namespaces = (name: string): string[] | undefined => byName.get(name)?.namespaces;
  if (!primary) return { names: () => [...byName.keys()], gateway, namespaces };
  const primaries = new PrimaryGateways(gateway, primary);
  return {
    names: () => [...byName.keys()],
    gateway,
    namespaces,
    istioGateway: (cluster) => primaries.gateway(cluster),
  };
}
