/**
 * The AWS wiring of the functions: EventBridge, Secrets Manager, the cluster registry (secret, file, inline and EKS
 * entries) and the Istio primary clusters, built once per container from the environment. Every gateway's calls
 * are bounded by the current invocation's deadline (Lambda's remaining time minus the middleware's margin).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ClusterClients,
  parseClusterRegistry,
  type ClusterEntry,
} from '../../adapters/kube/cluster-registry.js';
import { EksTokenCache, type AwsCredentials } from '../../adapters/aws/eks-token.js';
import { putEvents } from '../../adapters/aws/events.js';
import { sqsTimers } from '../../adapters/aws/timers.js';
import { PrimaryGateways } from '../../adapters/kube/primary-gateways.js';
import type { GatewayOptions } from '../../adapters/kube/client-gateway.js';
import type { KubeGateway } from '../../app/kube-port/gateway.js';
import type { BusEvent, EventSink } from '../../app/contract.js';
import { lambdaConfig, type LambdaConfig } from './config.js';
import { invocationDeadline } from './deadline.js';
import { memoDeps, type ClusterDirectory, type DepsProvider, type FunctionDeps } from './deps.js';
import { webhookSecretsLoader } from '../../adapters/aws/webhook-secrets.js';

/** Puts events on the bus through `putEvents` (batches of 10, failed entries resent; rejects if any is lost). */
export function eventBridgeSink(client: EventBridgeClient, busName: string): EventSink {
  return { send: (events: BusEvent[]) => putEvents(client, busName, events) };
}

/** The AWS clients and credentials {@link buildDeps} uses. */
export interface AwsClients {
  secrets: SecretsManagerClient;
  eventBridge: EventBridgeClient;
  /** SQS, for timers (only used when `SLUICE_TIMER_QUEUE_URL` is set). */
  sqs?: SQSClient;
  /** The function's own AWS credentials (signing EKS tokens). */
  credentials: () => Promise<AwsCredentials>;
}

/** EKS tokens signed with the function's credentials, cached 14 min; `fresh` after a 401 mints a new one. */
export function eksTokenSource(
  credentials: () => Promise<AwsCredentials>,
  cache = new EksTokenCache(),
  now: () => Date = () => new Date(),
): (entry: Extract<ClusterEntry, { source: 'eks' }>, opts: { fresh: boolean }) => Promise<string> {
  return async (entry, { fresh }) => {
    const c = await credentials();
    return cache.get(
      {
        clusterName: entry.clusterName,
        region: entry.region,
        credentials: {
          accessKeyId: c.accessKeyId,
          secretAccessKey: c.secretAccessKey,
          ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
        },
        now: now(),
      },
      fresh,
    );
  };
}

/**
 * Clusters from the registry (shared/adapters/kube/cluster-registry.ts); kubeconfig secrets come from Secrets Manager. With
 * `istioPrimary` configured, each cluster's primary-cluster Secret names where its Istio objects live.
 */
function registryDirectory(config: LambdaConfig, aws: AwsClients): ClusterDirectory {
  const gatewayOptions: GatewayOptions = { deadline: invocationDeadline };
  const clients = new ClusterClients(parseClusterRegistry(config.clusters), {
    fetchSecret: async (id) => {
      const out = await aws.secrets.send(new GetSecretValueCommand({ SecretId: id }));
      if (!out.SecretString) throw new Error(`secret ${id} has no string value`);
      return out.SecretString;
    },
    eksToken: eksTokenSource(aws.credentials),
    gateway: gatewayOptions,
  });
  const gateway = async (cluster: string): Promise<KubeGateway | undefined> =>
    clients.names().includes(cluster) ? clients.getGateway(cluster) : undefined;
  const primaries = config.istioPrimary
    ? new PrimaryGateways(gateway, { ...config.istioPrimary, gateway: gatewayOptions })
    : undefined;
  return {
    names: () => clients.names(),
    gateway,
    ...(primaries ? { istioGateway: (cluster: string) => primaries.gateway(cluster) } : {}),
  };
}

/** The functions' dependencies over the given config and AWS clients (the default wiring, and tests). */
export function buildDeps(config: LambdaConfig, aws: AwsClients): FunctionDeps {
  return {
    config,
    clusters: registryDirectory(config, aws),
    bus: eventBridgeSink(aws.eventBridge, config.eventBusName),
    ...(config.timerQueueUrl
      ? { timers: sqsTimers(aws.sqs ?? new SQSClient({}), config.timerQueueUrl) }
      : {}),
    now: () => new Date(),
    webhookSecrets: webhookSecretsLoader(aws.secrets, config.webhookSecretId, config.secretsCacheSeconds),
  };
}

/** The production dependencies, built on first use. */
export const defaultDeps: DepsProvider = memoDeps(() => {
  const secrets = new SecretsManagerClient({});
  return buildDeps(lambdaConfig(), {
    secrets,
    eventBridge: new EventBridgeClient({}),
    sqs: new SQSClient({}),
    credentials: () => secrets.config.credentials(),
  });
});
