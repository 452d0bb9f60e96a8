/**
 * What every function needs from the outside world, behind small interfaces so tests inject a real cluster's
 * gateway and a mocked EventBridge client while Lambda gets the AWS wiring (shared/runtimes/lambda/wiring.ts).
 */
import type { LambdaConfig } from './config.js';
import type { EventSink } from '../../app/contract.js';
import type { StepQueue } from '../../adapters/aws/step-queue.js';
import type { WebhookSecret } from '../../adapters/aws/webhook-secrets.js';
import type { ApiDeps, ClusterDirectory, LoopDeps, MetricProviders, Timers } from '../../app/ports.js';
import type { DashboardDeps } from '../../app/http-api/dashboard/routes.js';
import type { AccessRule } from '../../core/model/access.js';
import type { ClusterEntry } from '../../adapters/kube/cluster-registry.js';
import { embeddedScript } from '../web/embedded-script.js';

export type { ClusterDirectory };

/** Dependencies shared by all functions. */
export interface FunctionDeps {
  config: LambdaConfig;
  clusters: ClusterDirectory;
  bus: EventSink;
  /** SQS timers when `SLUICE_TIMER_QUEUE_URL` is set. */
  timers?: Timers;
  /** The FIFO step queue when `SLUICE_STEP_QUEUE_URL` is set: passes run only from it. */
  stepQueue?: StepQueue;
  now: () => Date;
  /** Accepted webhook signing keys (promote only). */
  webhookSecrets: () => Promise<WebhookSecret[]>;
  /** The dashboard's access rules per cluster, from the registry this container read (SSM or `SLUICE_CLUSTERS`). */
  access?: ReadonlyMap<string, AccessRule[]>;
  /** Analysis metric providers (Prometheus, web, CloudWatch) under each cluster's address allow-list. */
  metrics?: MetricProviders;
}

/** The control loop's ports, as the functions fill them. */
export function loopDeps(d: FunctionDeps): LoopDeps {
  return {
    instanceId: d.config.instanceId,
    clusters: d.clusters,
    bus: d.bus,
    now: d.now,
    ...(d.timers ? { timers: d.timers } : {}),
    ...(d.metrics ? { metrics: d.metrics } : {}),
  };
}

const dashboards = new WeakMap<ReadonlyMap<string, AccessRule[]>, DashboardDeps>();
const NO_ACCESS: ReadonlyMap<string, AccessRule[]> = new Map();

/**
 * The dashboard behind API Gateway's JWT authorizer: the verified claims map to roles through the registry's
 * `access` rules; state-changing requests must come from the API's own origin; the script is the one built into
 * the bundle. Undefined when the dashboard is not configured.
 */
export function lambdaDashboard(
  config: LambdaConfig,
  access: ReadonlyMap<string, AccessRule[]> = NO_ACCESS,
): DashboardDeps | undefined {
  if (!config.dashboard) return undefined;
  let dash = dashboards.get(access);
  if (!dash) {
    dash = {
      auth: { kind: 'jwt', ...config.dashboard, access: new Map(access) },
      origins: [],
      script: async () => embeddedScript(),
    };
    dashboards.set(access, dash);
  }
  return dash;
}

/** The dashboard's access rules per cluster of registry entries. */
export function accessOfRegistry(entries: ClusterEntry[]): ReadonlyMap<string, AccessRule[]> {
  return new Map(entries.map((e) => [e.name, e.access ?? []]));
}

/** The signed HTTP API's ports, as the promote function fills them (with the dashboard when configured). */
export function apiDeps(d: FunctionDeps): ApiDeps {
  const dashboard = lambdaDashboard(d.config, d.access);
  return {
    ...loopDeps(d),
    webhookSecrets: d.webhookSecrets,
    signatureToleranceSeconds: d.config.signatureToleranceSeconds,
    ...(dashboard ? { dashboard } : {}),
  };
}

/** Builds the dependencies on first use and reuses them for the life of the container. */
export type DepsProvider = () => Promise<FunctionDeps>;

/**
 * Memoises a dependency factory; a failed build is retried on the next invocation. With `ttlMs`, a build is reused
 * for that long after it completed, then the next call builds afresh (the registry is re-read).
 */
export function memoDeps(
  factory: () => Promise<FunctionDeps> | FunctionDeps,
  ttlMs?: (deps: FunctionDeps) => number,
  now: () => number = Date.now,
): DepsProvider {
  let pending: Promise<FunctionDeps> | undefined;
  let expires = Infinity;
  return () => {
    if (pending && now() >= expires) pending = undefined;
    if (!pending) {
      expires = Infinity;
      const build: Promise<FunctionDeps> = Promise.resolve()
        .then(factory)
        .then((deps) => {
          if (ttlMs && pending === build) expires = now() + ttlMs(deps);
          return deps;
        })
        .catch((err: unknown) => {
          if (pending === build) pending = undefined;
          throw err;
        });
      pending = build;
    }
    return pending;
  };
}
