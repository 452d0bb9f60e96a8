/**
 * The AWS wiring of the functions: EventBridge, Secrets Manager and the cluster registry, built once per container
 * from the environment. Tests build {@link FunctionDeps} themselves and never load this.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ClusterClients, parseClusterRegistry } from '../aws/clusters.js';
import { putEvents } from '../aws/events.js';
import type { KubeGateway } from '../kube/gateway.js';
import { PrimaryGateways } from '../aws/primary-gateways.js';
import type { BusEvent, EventSink } from './bus.js';
import { lambdaConfig, type LambdaConfig } from './config.js';
import { memoDeps, type ClusterDirectory, type DepsProvider } from './deps.js';
import { webhookSecretsLoader } from './secrets.js';

/** Puts events on the bus through `putEvents` (batches of 10, failed entries resent; rejects if any is lost). */
export function eventBridgeSink(client: EventBridgeClient, busName: string): EventSink {
  return { send: (events: BusEvent[]) => putEvents(client, busName, events) };
}

/**
 * Clusters from the registry (shared/aws/clusters.ts); kubeconfig secrets come from Secrets Manager. With
 * `istioPrimary` configured, each cluster's primary-cluster Secret names where its Istio objects live.
 */
function registryDirectory(config: LambdaConfig, secrets: SecretsManagerClient): ClusterDirectory {
  const clients = new ClusterClients(parseClusterRegistry(config.clusters), {
    fetchSecret: async (id) => {
      const out = await secrets.send(new GetSecretValueCommand({ SecretId: id }));
      if (!out.SecretString) throw new Error(`secret ${id} has no string value`);
      return out.SecretString;
    },
  });
  const gateway = async (cluster: string): Promise<KubeGateway | undefined> =>
    clients.names().includes(cluster) ? clients.getGateway(cluster) : undefined;
  const primaries = config.istioPrimary ? new PrimaryGateways(gateway, config.istioPrimary) : undefined;
  return {
    names: () => clients.names(),
    gateway,
    ...(primaries ? { istioGateway: (cluster: string) => primaries.gateway(cluster) } : {}),
  };
}

/** The production dependencies, built on first use. */
export const defaultDeps: DepsProvider = memoDeps(() => {
  const config = lambdaConfig();
  const secrets = new SecretsManagerClient({});
  return {
    config,
    clusters: registryDirectory(config, secrets),
    bus: eventBridgeSink(new EventBridgeClient({}), config.eventBusName),
    now: () => new Date(),
    webhookSecrets: webhookSecretsLoader(secrets, config.webhookSecretId, config.secretsCacheSeconds),
  };
});
