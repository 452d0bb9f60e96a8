/**
 * What every function needs from the outside world, behind small interfaces so tests inject a real cluster's
 * gateway and a mocked EventBridge client while Lambda gets the AWS wiring (shared/runtimes/lambda/wiring.ts).
 */
import type { KubeGateway } from '../../adapters/kube/gateway.js';
import type { LambdaConfig } from './config.js';
import type { EventSink } from '../../app/contract.js';
import type { WebhookSecret } from '../../adapters/aws/webhook-secrets.js';

/** The registered clusters and their gateways. */
export interface ClusterDirectory {
  /** Names of all registered clusters. */
  names(): string[];
  /** The cluster's gateway, or undefined when the name is not registered. */
  gateway(cluster: string): Promise<KubeGateway | undefined>;
  /** Gateway of the cluster's Istio primary, when it is another cluster. */
  istioGateway?(cluster: string): Promise<KubeGateway | undefined>;
}

/** Dependencies shared by all functions. */
export interface FunctionDeps {
  config: LambdaConfig;
  clusters: ClusterDirectory;
  bus: EventSink;
  now: () => Date;
  /** Accepted webhook signing keys (promote only). */
  webhookSecrets: () => Promise<WebhookSecret[]>;
}

/** Builds the dependencies on first use and reuses them for the life of the container. */
export type DepsProvider = () => Promise<FunctionDeps>;

/** Memoises a dependency factory; a failed build is retried on the next invocation. */
export function memoDeps(factory: () => Promise<FunctionDeps> | FunctionDeps): DepsProvider {
  let pending: Promise<FunctionDeps> | undefined;
  return () => {
    pending ??= Promise.resolve()
      .then(factory)
      .catch((err: unknown) => {
        pending = undefined;
        throw err;
      });
    return pending;
  };
}
