/**
 * The AWS wiring of the functions: EventBridge, Secrets Manager, the cluster registry (read from SSM Parameter Store
 * at start; `secret` and `eks` entries, EKS endpoints and CAs from `eks:DescribeCluster`) and the Istio primary
 * clusters, built once per container and rebuilt when the registry's cache time has passed. Every gateway's calls
 * are bounded by the current invocation's deadline (Lambda's remaining time minus the middleware's margin).
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  ClusterClients,
  parseClusterRegistry,
  type ClusterEntry,
} from '../../adapters/kube/cluster-registry.js';
import { EksTokenCache, type AwsCredentials } from '../../adapters/aws/eks-token.js';
import { AssumedRoles, type StsClientOf } from '../../adapters/aws/assume-role.js';
import { putEvents } from '../../adapters/aws/events.js';
import { sqsTimers } from '../../adapters/aws/timers.js';
import { sqsStepQueue } from '../../adapters/aws/step-queue.js';
import { clientShare } from '../../adapters/kube/cluster-bound.js';
import { PrimaryGateways } from '../../adapters/kube/primary-gateways.js';
import type { GatewayOptions } from '../../adapters/kube/client-gateway.js';
import type { KubeGateway } from '../../app/kube-port/gateway.js';
import type { BusEvent, EventSink } from '../../app/contract.js';
import { eksClients, eksDescriber, type EksClientOf } from '../../adapters/aws/eks-cluster.js';
import { readParameter } from '../../adapters/aws/parameters.js';
import { ConfigError, lambdaConfig, type LambdaConfig } from './config.js';
import { invocationDeadline } from './deadline.js';
import {
  accessOfRegistry,
  memoDeps,
  type ClusterDirectory,
  type DepsProvider,
  type FunctionDeps,
} from './deps.js';
import { webhookSecretsLoader } from '../../adapters/aws/webhook-secrets.js';
import { parseAllowList, type AllowList } from '../../adapters/metrics/allow-list.js';
import type { CloudWatchFactory } from '../../adapters/metrics/cloudwatch.js';
import { createMetricProviders } from '../../adapters/metrics/providers.js';
import type { MetricProviders } from '../../app/ports.js';

/**
 * Puts events on the bus through `putEvents` (batches of 10, failed entries resent; rejects if any is lost).
 * `client` may be a factory: it is called (once) by the first send.
 */
export function eventBridgeSink(
  client: EventBridgeClient | (() => Promise<EventBridgeClient>),
  busName: string,
): EventSink {
  let built: Promise<EventBridgeClient> | undefined;
  const resolved = (): Promise<EventBridgeClient> =>
    typeof client === 'function' ? (built ??= client()) : Promise.resolve(client);
  return { send: async (events: BusEvent[]) => putEvents(await resolved(), busName, events) };
}

/** The AWS clients and credentials {@link buildDeps} uses. */
export interface AwsClients {
  secrets: SecretsManagerClient;
  /** EventBridge, or its factory (called by the first send: a pass that sends nothing never loads the client). */
  eventBridge: EventBridgeClient | (() => Promise<EventBridgeClient>);
  /** SQS, for timers (only used when `SLUICE_TIMER_QUEUE_URL` is set). */
  sqs?: SQSClient;
  /** The function's own AWS credentials (signing EKS tokens and Amazon Managed Prometheus queries). */
  credentials: () => Promise<AwsCredentials>;
  /** Parameter Store (the cluster registry named by `SLUICE_CLUSTERS_PARAMETER`). */
  ssm?: SSMClient;
  /** The EKS client of a region (`eks:DescribeCluster` for entries without endpoint and CA). */
  eks?: EksClientOf;
  /** The function's region (`AWS_REGION`): the default SigV4 region of metric queries. */
  region?: string;
  /** CloudWatch for the analysis provider (built on first use). */
  cloudWatch?: CloudWatchFactory;
  /** STS of a region, for the metric roles (`sigv4.roleArn`); default: built on the first assumed role. */
  sts?: StsClientOf;
}

const REFUSED_ON_LAMBDA: Record<string, string> = {
  inline:
    'an inline kubeconfig would put its credentials in clear in the parameter and the CloudFormation template',
  file: 'a function has no kubeconfig files',
};

/**
 * The registry entries the functions accept: `secret` (kubeconfig in Secrets Manager) and `eks`.
 * @throws {@link ConfigError} naming the entry for an `inline` or `file` entry, and what to use instead.
 */
export function lambdaRegistry(json: unknown): ClusterEntry[] {
  const entries = parseClusterRegistry(json);
  for (const e of entries) {
    const why = REFUSED_ON_LAMBDA[e.source];
    if (why) {
      throw new ConfigError(
        `cluster registry entry "${e.name}": source "${e.source}" is refused on Lambda (${why}); put the kubeconfig in Secrets Manager and use {"source":"secret","secretId":...}, or use an "eks" entry`,
      );
    }
  }
  return entries;
}

/**
 * The registry JSON: from the SSM parameter `SLUICE_CLUSTERS_PARAMETER` names, or `SLUICE_CLUSTERS` itself.
 * @throws {@link ConfigError} naming the parameter when it is unreadable or not JSON.
 */
export async function readRegistry(config: LambdaConfig, aws: AwsClients): Promise<unknown> {
  const name = config.clustersParameter;
  if (name === undefined) return config.clusters;
  if (!aws.ssm) throw new ConfigError(`no SSM client to read the cluster registry ${name}`);
  let text: string;
  try {
    text = await readParameter(aws.ssm, name);
  } catch (err) {
    throw new ConfigError(`cluster registry: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(`cluster registry in SSM parameter ${name} is not JSON: ${(err as Error).message}`);
  }
}

/**
 * The metric providers of the functions: each registry entry's `allowMetricAddresses` is its cluster's allow-list
 * (public addresses only without one); SigV4 and CloudWatch use the function's own role, or a `sigv4.roleArn` among
 * `roleArns` (`SLUICE_METRIC_ROLE_ARNS`).
 */
export function functionMetrics(
  entries: ClusterEntry[],
  aws: AwsClients,
  roleArns: readonly string[] = [],
): MetricProviders {
  const lists = new Map<string, AllowList>();
  for (const e of entries) {
    if (e.allowMetricAddresses) lists.set(e.name, parseAllowList(e.allowMetricAddresses));
  }
  return createMetricProviders({
    allowList: (cluster) => lists.get(cluster),
    aws: {
      credentials: aws.credentials,
      ...(aws.region ? { region: aws.region } : {}),
      ...(roleArns.length > 0 ? { roles: new AssumedRoles(roleArns, aws.sts) } : {}),
    },
    ...(aws.cloudWatch ? { cloudWatch: aws.cloudWatch } : {}),
  });
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
function registryDirectory(
  config: LambdaConfig,
  aws: AwsClients,
  entries: ClusterEntry[],
  observe: Pick<GatewayOptions, 'onRequest'>,
): ClusterDirectory {
  // With the step queue, at most `concurrency` invocations run passes at once: each client gets its share of the
  // cluster's bound, so together they stay within it (cluster-bound.ts).
  const gatewayOptions: GatewayOptions = {
    deadline: invocationDeadline,
    ...(config.stepQueueUrl ? clientShare(config.clusterBound) : {}),
    ...observe,
  };
  const clients = new ClusterClients(entries, {
    fetchSecret: async (id) => {
      const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const out = await aws.secrets.send(new GetSecretValueCommand({ SecretId: id }));
      if (!out.SecretString) throw new Error(`secret ${id} has no string value`);
      return out.SecretString;
    },
    eksToken: eksTokenSource(aws.credentials),
    describeEks: eksDescriber(aws.eks ?? eksClients()),
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
    namespaces: (cluster: string) => clients.namespaces(cluster),
    ...(primaries ? { istioGateway: (cluster: string) => primaries.gateway(cluster) } : {}),
  };
}

function webhookSecrets(config: LambdaConfig, aws: AwsClients): FunctionDeps['webhookSecrets'] {
  const id = config.webhookSecretId;
  if (id === undefined)
    return () =>
      Promise.reject(
        new ConfigError('environment variable SLUICE_WEBHOOK_SECRET_ID is required but not set'),
      );
  return webhookSecretsLoader(aws.secrets, id, config.secretsCacheSeconds);
}

/** The SQS client, built (and its module loaded) when the first timer is armed. */
const newSqsClient = async (): Promise<SQSClient> => new (await import('@aws-sdk/client-sqs')).SQSClient({});

/**
 * The functions' dependencies over the given config, AWS clients and registry JSON (by default `SLUICE_CLUSTERS`);
 * `observe` sees every Kubernetes request attempt (tests and the bench count what one cluster receives).
 * @throws {@link ConfigError} for a registry entry the functions refuse.
 */
export function buildDeps(
  config: LambdaConfig,
  aws: AwsClients,
  registry: unknown = config.clusters,
  observe: Pick<GatewayOptions, 'onRequest'> = {},
): FunctionDeps {
  const entries = lambdaRegistry(registry);
  return {
    config,
    clusters: registryDirectory(config, aws, entries, observe),
    access: accessOfRegistry(entries),
    bus: eventBridgeSink(aws.eventBridge, config.eventBusName),
    ...(config.timerQueueUrl ? { timers: sqsTimers(aws.sqs ?? newSqsClient, config.timerQueueUrl) } : {}),
    ...(config.stepQueueUrl ? { stepQueue: sqsStepQueue(aws.sqs ?? newSqsClient, config.stepQueueUrl) } : {}),
    now: () => new Date(),
    webhookSecrets: webhookSecrets(config, aws),
    metrics: functionMetrics(entries, aws, config.metricRoleArns),
  };
}

/** {@link buildDeps} with the registry read first ({@link readRegistry}): what a cold start does. */
export async function loadDeps(config: LambdaConfig, aws: AwsClients): Promise<FunctionDeps> {
  return buildDeps(config, aws, await readRegistry(config, aws));
}

/**
 * The production dependencies, built on first use and rebuilt (registry re-read) after its cache time. The SSM
 * client's module is loaded only when the registry is in Parameter Store, the EKS client's on the first `eks`
 * entry's lookup (eks-cluster.ts).
 */
export const defaultDeps: DepsProvider = memoDeps(
  async () => {
    const config = lambdaConfig();
    // The AWS SDK's clients are loaded here, on the first invocation, not when the bundle is imported (their modules
    // were about 95 ms of each function's import CPU); EventBridge only by the first event sent.
    const secrets = new (await import('@aws-sdk/client-secrets-manager')).SecretsManagerClient({});
    return loadDeps(config, {
      secrets,
      eventBridge: async () => new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient({}),
      credentials: () => secrets.config.credentials(),
      ...(config.clustersParameter ? { ssm: new (await import('@aws-sdk/client-ssm')).SSMClient({}) } : {}),
      eks: eksClients(),
      ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
      // Loaded on the first CloudWatch measurement only (cold starts of the other functions do not pay for it).
      cloudWatch: async () => new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient({}),
    });
  },
  (deps) => deps.config.registryCacheSeconds * 1000,
);
