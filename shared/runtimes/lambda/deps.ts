/**
 * What every function needs from the outside world, behind small interfaces so tests inject a real cluster's
 * gateway and a mocked EventBridge client while Lambda gets the AWS wiring (shared/runtimes/lambda/wiring.ts).
 */
import type { LambdaConfig } from './config.js';
import type { EventSink } from '../../app/contract.js';
import type { WebhookSecret } from '../../adapters/aws/webhook-secrets.js';
import type { ApiDeps, ClusterDirectory, LoopDeps, Timers } from '../../app/ports.js';

export type { ClusterDirectory };

/** Dependencies shared by all functions. */
export interface FunctionDeps {
  config: LambdaConfig;
  clusters: ClusterDirectory;
  bus: EventSink;
  /** SQS timers when `SLUICE_TIMER_QUEUE_URL` is set. */
  timers?: Timers;
  now: () => Date;
  /** Accepted webhook signing keys (promote only). */
  webhookSecrets: () => Promise<WebhookSecret[]>;
}

/** The control loop's ports, as the functions fill them. */
export function loopDeps(d: FunctionDeps): LoopDeps {
  return {
    instanceId: d.config.instanceId,
    clusters: d.clusters,
    bus: d.bus,
    now: d.now,
    ...(d.timers ? { timers: d.timers } : {}),
  };
}

/** The signed HTTP API's ports, as the promote function fills them. */
export function apiDeps(d: FunctionDeps): ApiDeps {
  return {
    ...loopDeps(d),
    webhookSecrets: d.webhookSecrets,
    signatureToleranceSeconds: d.config.signatureToleranceSeconds,
  };
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
