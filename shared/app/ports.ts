/**
 * The ports of the control loop (`control-loop.ts`, `http-api/promote.ts`): what every runtime supplies. The Lambda
 * runtime fills them with the cluster registry, EventBridge and Secrets Manager; `sluice run` with its kubeconfigs,
 * an in-process queue and the local signing key. Nothing here knows which runtime it runs in.
 */
import type { KubeGateway } from './kube-port/gateway.js';
import type { WebhookSecret } from './http-api/webhook-auth.js';
import type { EventSink, StepDetail } from './contract.js';
import type { NamespaceScope } from './scope.js';
import type { Measurement, Metric } from '../core/analysis/types.js';
import type { DashboardDeps } from './http-api/dashboard/routes.js';

export type { EventSink };
export type { Logger } from './logger.js';

/** The registered clusters and their gateways. */
export interface ClusterDirectory {
  /** Names of all registered clusters. */
  names(): string[];
  /** The cluster's gateway, or undefined when the name is not registered. */
  gateway(cluster: string): Promise<KubeGateway | undefined>;
  /** Gateway of the cluster's Istio primary, when it is another cluster (VirtualServices, DestinationRules). */
  istioGateway?(cluster: string): Promise<KubeGateway | undefined>;
  /**
   * The namespaces sluice drives in the cluster (a namespace-scoped install: every list and watch stays inside
   * them); undefined, or no such method, for all namespaces (cluster-wide lists and watches).
   */
  namespaces?(cluster: string): NamespaceScope;
}

/** The clock every decision reads. */
export type Clock = () => Date;

/** One measurement asked of a metric provider (prometheus, web, cloudWatch). */
export interface MeasureRequest {
  /** Registered cluster whose AnalysisRun asks: the provider allow-list and credentials are per cluster. */
  cluster: string;
  /** Namespace of the AnalysisRun (where Secret-backed provider credentials are read). */
  namespace: string;
  /** The metric with its arguments (Secrets included) already resolved. */
  metric: Metric;
  /** Epoch milliseconds by which the call must have ended (the invocation's remaining time). */
  deadline: number;
}

/** What a provider call yields: always a measurement (an Error one when the provider failed), never a throw. */
export interface MeasureResult {
  measurement: Measurement;
  /** Provider metadata Argo records on the metric result (e.g. the resolved query). */
  metadata?: Record<string, string>;
}

/** The metric providers of a runtime: real ones on AWS and in `sluice run`, simulated ones in the sandbox. */
export interface MetricProviders {
  measure(request: MeasureRequest): Promise<MeasureResult>;
}

/**
 * "Run this step again at T": every requeue the plan asks for (pause end, pods to wait for, scale-down deadline,
 * progress deadline, the next analysis measurement: the plan's one wake-up, `requeueAfterSeconds`) goes through
 * it. A timer is delivered at T or shortly after (never before on purpose; a delivery that comes early is armed
 * again), at least once, and survives a crash of the caller once `at` resolved. The pass it runs is idempotent and
 * pinned to the step it was armed at, so a duplicate or stale delivery makes no second transition.
 * SQS per-message delay on AWS (`shared/adapters/aws/timers.ts`), the in-process queue in `sluice run`.
 */
export interface Timers {
  /** Arms a timer for the step `detail` at `at`; resolves once it is durably accepted. */
  at(detail: StepDetail, at: Date, reason: string): Promise<void>;
}

/** What the control loop needs: whose Rollouts, where they are, where events go, and the time. */
export interface LoopDeps {
  /** Value of the controller-instance-id label on the Rollouts this instance drives. */
  instanceId: string;
  clusters: ClusterDirectory;
  /** EventBridge in Lambda, the in-process queue in `sluice run`. */
  bus: EventSink;
  now: Clock;
  /** Where requeues go; when absent, they wait for the next schedule tick (the safety net). */
  timers?: Timers;
  /** Metric providers for analysis; when absent, a run that needs a measurement records an Error measurement. */
  metrics?: MetricProviders;
  /** Epoch ms by which the current invocation's work must end (bounds provider calls); none in long-lived runtimes. */
  deadline?: () => number;
}

/** What the signed HTTP API needs besides {@link LoopDeps}. */
export interface ApiDeps extends LoopDeps {
  /** Accepted webhook signing keys (current first). */
  webhookSecrets: () => Promise<WebhookSecret[]>;
  /** Allowed clock skew of signed timestamps, in seconds. */
  signatureToleranceSeconds: number;
  /** The dashboard's authentication, origins and page script; without it the dashboard routes are not served. */
  dashboard?: DashboardDeps;
}
