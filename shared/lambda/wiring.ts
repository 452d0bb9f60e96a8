/**
 * The AWS wiring of the functions: EventBridge, Secrets Manager and the cluster registry, built once per container
 * from the environment. Tests build {@link FunctionDeps} themselves and never load this.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ClusterClients, parseClusterRegistry } from '../aws/clusters.js';
import { putEvents } from '../aws/events.js';
import type { BusEvent, EventSink } from './bus.js';
import { lambdaConfig } from './config.js';
import { memoDeps, type ClusterDirectory, type DepsProvider } from './deps.js';
import { webhookSecretsLoader } from './secrets.js';

/** Puts events on the bus through `putEvents` (batches of 10, failed entries resent; rejects if any is lost). */
export function eventBridgeSink(client: EventBridgeClient, busName: string): EventSink {
  return { send: (events: BusEvent[]) => putEvents(client, busName, events) };
}

/** Clusters from the registry (shared/aws/clusters.ts); kubeconfig secrets come from Secrets Manager. */
function registryDirectory(raw: unknown, secrets: SecretsManagerClient): ClusterDirectory {
  const clients = new ClusterClients(parseClusterRegistry(raw), {
    fetchSecret: async (id) => {
      const out = await secrets.send(new GetSecretValueCommand({ SecretId: id }));
      if (!out.SecretString) throw new Error(`secret ${id} has no string value`);
      return out.SecretString;
    },
  });
  return {
    names: () => clients.names(),
    gateway: async (cluster) => (clients.names().includes(cluster) ? clients.getGateway(cluster) : undefined),
  };
}

/** The production dependencies, built on first use. */
export const defaultDeps: DepsProvider = memoDeps(() => {
  const config = lambdaConfig();
  const secrets = new SecretsManagerClient({});
  return {
    config,
    clusters: registryDirectory(config.clusters, secrets),
    bus: eventBridgeSink(new EventBridgeClient({}), config.eventBusName),
    now: () => new Date(),
    webhookSecrets: webhookSecretsLoader(secrets, config.webhookSecretId, config.secretsCacheSeconds),
  };
});
