/**
 * The functions' settings, read from the environment once per container and frozen. A missing or malformed
 * variable fails the first invocation with a message naming the variable, never later in the middle of a step.
 */

import { clientShare, DEFAULT_CLUSTER_BOUND, type ClusterBound } from '../../adapters/kube/cluster-bound.js';
import { LOG_LEVELS, type LogLevel } from '../../app/logger.js';
import {
  IstioPrimaryRefError,
  parseIstioPrimaryRef,
  type IstioPrimaryConfig,
} from '../../adapters/kube/primary-cluster.js';
import { parseRoleArns } from '../../adapters/aws/assume-role.js';

/** Everything the functions read from the environment. */
export interface LambdaConfig {
  /**
   * `SLUICE_CLUSTERS`: the cluster registry as parsed JSON (validated by `parseClusterRegistry`), given in the
   * environment (tests, benchmarks). The stack sets {@link clustersParameter} instead; exactly one of them is set.
   */
  readonly clusters?: unknown;
  /** `SLUICE_CLUSTERS_PARAMETER`: name of the SSM parameter holding the registry JSON, read at start. */
  readonly clustersParameter?: string;
  /** `SLUICE_REGISTRY_CACHE_SECONDS`: how long a container reuses the registry it read (default 300, 10..3600). */
  readonly registryCacheSeconds: number;
  /** `SLUICE_EVENT_BUS`: name of the EventBridge bus sluice's events go to. */
  readonly eventBusName: string;
  /** `SLUICE_INSTANCE_ID`: value of the controller-instance-id label on the Rollouts sluice drives. */
  readonly instanceId: string;
  /**
   * `SLUICE_WEBHOOK_SECRET_ID`: Secrets Manager id (name or full ARN) of the webhook signing secret. Only the
   * promote function has it; reading the keys without it fails naming the variable.
   */
  readonly webhookSecretId?: string;
  /**
   * `SLUICE_API_BASE_PATH`: the custom-domain base path the HTTP API is mapped under (e.g. `sluice`), stripped
   * before routes are matched; empty: none.
   */
  readonly apiBasePath?: string;
  /** `SLUICE_SECRETS_CACHE_SECONDS`: how long fetched secrets are reused (default 300, at most 300). */
  readonly secretsCacheSeconds: number;
  /** `SLUICE_SIGNATURE_TOLERANCE_SECONDS`: allowed clock skew of signed webhook timestamps (default 300). */
  readonly signatureToleranceSeconds: number;
  /** `SLUICE_WATCH_STOP_BEFORE_SECONDS`: the watch function stops this long before its timeout (default 30). */
  readonly watchStopBeforeSeconds: number;
  /**
   * `SLUICE_TIMER_QUEUE_URL`: URL of the SQS queue timers are sent to (requeues to the second); unset, requeues
   * wait for the next schedule tick.
   */
  readonly timerQueueUrl?: string;
  /**
   * `SLUICE_STEP_QUEUE_URL`: URL of the FIFO step queue (one message group per Rollout). Set, the step function
   * forwards `sluice.step` events and delivered timers to it and runs passes only from it; unset, it runs them where
   * they arrive.
   */
  readonly stepQueueUrl?: string;
  /**
   * `SLUICE_CLUSTER_QPS` (default 40), `SLUICE_CLUSTER_BURST` (default 80) and `SLUICE_STEP_MAX_CONCURRENCY`
   * (default 2, the step queue's maximum concurrency): the requests per second and burst the whole deployment may
   * send one cluster, and how many invocations share them. Applied to every client when the step queue is set.
   */
  readonly clusterBound: ClusterBound;
  /** `LOG_LEVEL`: lowest level logged (default info). */
  readonly logLevel: LogLevel;
  /**
   * `SLUICE_ISTIO_PRIMARY_SECRET` (`<namespace>/<name>`, or `<namespace>` to discover it by label) and
   * `SLUICE_ISTIO_PRIMARY_SECRET_KEY`: where each rollout cluster keeps the `istio.argoproj.io/primary-cluster`
   * Secret. Unset: VirtualServices and DestinationRules are in the rollout cluster itself.
   */
  readonly istioPrimary?: IstioPrimaryConfig;
  /**
   * `SLUICE_DASHBOARD_JWT_ISSUER` and `SLUICE_DASHBOARD_JWT_AUDIENCE` (comma-separated): the issuer and audiences
   * of the JWT authorizer in front of the dashboard routes (the same stage parameters configure both). Unset: the
   * dashboard is not served.
   */
  readonly dashboard?: { issuer: string; audience: string[] };
  /**
   * `SLUICE_METRIC_ROLE_ARNS` (comma-separated IAM role ARNs, the `MetricRoleArns` stack parameter): the roles a
   * Prometheus metric's `sigv4.roleArn` may name. Unset or empty: none.
   */
  readonly metricRoleArns?: readonly string[];
}

export type { IstioPrimaryConfig };

/** A missing or malformed environment variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function required(env: Env, key: string): string {
  const value = env[key]?.trim();
  if (!value) throw new ConfigError(`environment variable ${key} is required but not set`);
  return value;
}

function integer(env: Env, key: string, fallback: number, range: [number, number]): number {
  const raw = env[key]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
    throw new ConfigError(
      `environment variable ${key} must be an integer in ${range[0]}..${range[1]}, got "${raw}"`,
    );
  }
  return value;
}

function json(env: Env, key: string): unknown {
  const raw = required(env, key);
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw new ConfigError(`environment variable ${key} is not valid JSON: ${(err as Error).message}`);
  }
}

function registrySource(env: Env): { clusters?: unknown; clustersParameter?: string } {
  const inline = env.SLUICE_CLUSTERS?.trim();
  const parameter = env.SLUICE_CLUSTERS_PARAMETER?.trim();
  if (inline && parameter)
    throw new ConfigError('set SLUICE_CLUSTERS_PARAMETER or SLUICE_CLUSTERS, not both');
  if (parameter) {
    if (!/^\/[A-Za-z0-9/_.-]+$/.test(parameter))
      throw new ConfigError(
        `environment variable SLUICE_CLUSTERS_PARAMETER must be an SSM parameter name starting with /, got "${parameter}"`,
      );
    return { clustersParameter: parameter };
  }
  if (!inline)
    throw new ConfigError(
      'environment variable SLUICE_CLUSTERS_PARAMETER (or SLUICE_CLUSTERS) is required but not set',
    );
  return { clusters: json(env, 'SLUICE_CLUSTERS') };
}

function basePath(env: Env): string | undefined {
  const raw = env.SLUICE_API_BASE_PATH?.trim().replace(/^\/+|\/+$/g, '');
  if (!raw) return undefined;
  if (!/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(raw))
    throw new ConfigError(`environment variable SLUICE_API_BASE_PATH is not a path, got "${raw}"`);
  return raw;
}

function logLevel(env: Env): LogLevel {
  const raw = (env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(
      `environment variable LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`,
    );
  }
  return raw as LogLevel;
}

function istioPrimary(env: Env): IstioPrimaryConfig | undefined {
  const raw = env.SLUICE_ISTIO_PRIMARY_SECRET?.trim();
  const key = env.SLUICE_ISTIO_PRIMARY_SECRET_KEY?.trim();
  if (!raw) {
    if (key)
      throw new ConfigError('SLUICE_ISTIO_PRIMARY_SECRET_KEY is set but SLUICE_ISTIO_PRIMARY_SECRET is not');
    return undefined;
  }
  try {
    return parseIstioPrimaryRef(raw, key);
  } catch (err) {
    if (!(err instanceof IstioPrimaryRefError)) throw err;
    const variable = err.field === 'key' ? 'SLUICE_ISTIO_PRIMARY_SECRET_KEY' : 'SLUICE_ISTIO_PRIMARY_SECRET';
    throw new ConfigError(`environment variable ${variable} ${err.message}`);
  }
}

/**
 * Reads and validates the environment. Throws {@link ConfigError} naming the first bad variable.
 *
 * @example
 * const config = readConfig(process.env); // config.eventBusName === 'sluice-prod'
 */
export function readConfig(env: Env): LambdaConfig {
  return Object.freeze({
    ...registrySource(env),
    registryCacheSeconds: integer(env, 'SLUICE_REGISTRY_CACHE_SECONDS', 300, [10, 3600]),
    eventBusName: required(env, 'SLUICE_EVENT_BUS'),
    instanceId: required(env, 'SLUICE_INSTANCE_ID'),
    ...optional('webhookSecretId', env.SLUICE_WEBHOOK_SECRET_ID?.trim() || undefined),
    ...optional('apiBasePath', basePath(env)),
    secretsCacheSeconds: integer(env, 'SLUICE_SECRETS_CACHE_SECONDS', 300, [0, 300]),
    signatureToleranceSeconds: integer(env, 'SLUICE_SIGNATURE_TOLERANCE_SECONDS', 300, [1, 900]),
    watchStopBeforeSeconds: integer(env, 'SLUICE_WATCH_STOP_BEFORE_SECONDS', 30, [1, 600]),
    logLevel: logLevel(env),
    ...optional('istioPrimary', istioPrimary(env)),
    ...optional('timerQueueUrl', env.SLUICE_TIMER_QUEUE_URL?.trim() || undefined),
    ...optional('stepQueueUrl', env.SLUICE_STEP_QUEUE_URL?.trim() || undefined),
    clusterBound: clusterBound(env),
    ...optional('dashboard', dashboard(env)),
    ...optional('metricRoleArns', metricRoleArns(env)),
  });
}

function metricRoleArns(env: Env): string[] | undefined {
  try {
    const arns = parseRoleArns(env.SLUICE_METRIC_ROLE_ARNS);
    return arns.length > 0 ? arns : undefined;
  } catch (err) {
    throw new ConfigError(`environment variable SLUICE_METRIC_ROLE_ARNS: ${(err as Error).message}`);
  }
}

/** The cluster request bound; throws naming the variables when they cannot be shared (burst below concurrency). */
function clusterBound(env: Env): ClusterBound {
  const d = DEFAULT_CLUSTER_BOUND;
  const bound = {
    qps: integer(env, 'SLUICE_CLUSTER_QPS', d.qps, [1, 10_000]),
    burst: integer(env, 'SLUICE_CLUSTER_BURST', d.burst, [1, 20_000]),
    concurrency: integer(env, 'SLUICE_STEP_MAX_CONCURRENCY', d.concurrency, [2, 1000]),
  };
  try {
    clientShare(bound);
  } catch (err) {
    throw new ConfigError(
      `SLUICE_CLUSTER_QPS, SLUICE_CLUSTER_BURST and SLUICE_STEP_MAX_CONCURRENCY: ${(err as Error).message}`,
    );
  }
  return bound;
}

/** Both dashboard variables or neither; the issuer an https URL. */
function dashboard(env: Env): LambdaConfig['dashboard'] {
  const issuer = env.SLUICE_DASHBOARD_JWT_ISSUER?.trim();
  const audience = (env.SLUICE_DASHBOARD_JWT_AUDIENCE ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (!issuer && audience.length === 0) return undefined;
  if (!issuer || audience.length === 0)
    throw new ConfigError(
      'SLUICE_DASHBOARD_JWT_ISSUER and SLUICE_DASHBOARD_JWT_AUDIENCE must be set together (or neither)',
    );
  if (!/^https:\/\/[^\s]+$/.test(issuer))
    throw new ConfigError(`SLUICE_DASHBOARD_JWT_ISSUER must be an https URL, got "${issuer}"`);
  return { issuer, audience };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

let cached: LambdaConfig | undefined;

/** The process's config, read from `process.env` on first use and reused for the life of the container. */
export function lambdaConfig(): LambdaConfig {
  cached ??= readConfig(process.env);
  return cached;
}
