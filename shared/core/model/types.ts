/**
 * Typed views of the Kubernetes objects sluice reads and writes.
 *
 * These are narrow: only the fields sluice needs are named. Writes always start from the object as read
 * (unknown fields survive), so every interface keeps an index signature where foreign fields may appear.
 * Pure module: no I/O imports.
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** `metadata.ownerReferences[]`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The controller reference a Rollout puts on what it creates (ReplicaSets, AnalysisRuns), as Argo writes it. */
export function rolloutOwnerReference(rollout: { metadata: { name: string; uid?: string } }): OwnerReference {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    name: rollout.metadata.name,
    uid: rollout.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** `metadata` of any object. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

/** `metav1.LabelSelector`. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A header/method/path match value: exactly one of the three. */
export interface StringMatch {
  exact?: string;
  regex?: string;
  prefix?: string;
}

/** `setHeaderRoute.match[]` item. */
export interface HeaderRoutingMatch {
  headerName: string;
  headerValue: StringMatch;
}

/** `setMirrorRoute.match[]` item. */
export interface RouteMatch {
  method?: StringMatch;
  path?: StringMatch;
  headers?: Record<string, StringMatch>;
}

/** One canary step. Exactly one member is set in a valid step. */
export interface CanaryStep {
  setWeight?: number;
  /** `pause: {}` (indefinite) or `pause: {duration: 30 | "30" | "30s" | "10m" | "1h"}`. */
  pause?: { duration?: number | string };
  setCanaryScale?: { replicas?: number; weight?: number; matchTrafficWeight?: boolean };
  setHeaderRoute?: { name: string; match?: HeaderRoutingMatch[] };
  setMirrorRoute?: { name: string; match?: RouteMatch[]; percentage?: number };
  analysis?: unknown;
  experiment?: unknown;
  plugin?: unknown;
}

/** `trafficRouting.istio.virtualService(s)[]`. */
export interface IstioVirtualServiceRef {
  name: string;
  routes?: string[];
  tlsRoutes?: { port?: number; sniHosts?: string[] }[];
  tcpRoutes?: { port?: number }[];
}

/** `trafficRouting.istio.destinationRule`. */
export interface IstioDestinationRuleRef {
  name: string;
  canarySubsetName: string;
  stableSubsetName: string;
  additionalSubsetNames?: string[];
}

/** `trafficRouting.istio`. */
export interface IstioTrafficRouting {
  virtualService?: IstioVirtualServiceRef;
  virtualServices?: IstioVirtualServiceRef[];
  destinationRule?: IstioDestinationRuleRef;
}

/** `spec.strategy.canary.trafficRouting`. Other providers are kept as unknown so validation can name them. */
export interface TrafficRouting {
  istio?: IstioTrafficRouting;
  managedRoutes?: { name: string }[];
  maxTrafficWeight?: number;
  [provider: string]: unknown;
}

/** `spec.strategy.canary`. */
export interface CanaryStrategy {
  canaryService?: string;
  stableService?: string;
  steps?: CanaryStep[];
  trafficRouting?: TrafficRouting;
  scaleDownDelaySeconds?: number;
  scaleDownDelayRevisionLimit?: number;
  abortScaleDownDelaySeconds?: number;
  dynamicStableScale?: boolean;
  minPodsPerReplicaSet?: number;
  pingPong?: { pingService: string; pongService: string };
  [key: string]: unknown;
}

/** `spec` of a Rollout. */
export interface RolloutSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: JsonObject;
  paused?: boolean;
  progressDeadlineSeconds?: number;
  progressDeadlineAbort?: boolean;
  strategy?: { canary?: CanaryStrategy; blueGreen?: unknown };
  [key: string]: unknown;
}

/** `status.pauseConditions[]`. */
export interface PauseCondition {
  reason: string;
  startTime: string;
}

/** `status.conditions[]`. */
export interface RolloutCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

/** `status.canary.weights.{canary,stable}`. */
export interface WeightDestination {
  weight: number;
  serviceName?: string;
  podTemplateHash?: string;
}

/** `status.canary.current{Step,Background}AnalysisRunStatus` (Argo's `RolloutAnalysisRunStatus`). */
export interface AnalysisRunRef {
  name: string;
  /** The run's phase (`""` right after creation). */
  status: string;
  message?: string;
}

/** `status` of a Rollout, written as Argo Rollouts writes it. */
export interface RolloutStatus {
  abort?: boolean;
  abortedAt?: string;
  pauseConditions?: PauseCondition[];
  controllerPause?: boolean;
  currentPodHash?: string;
  stableRS?: string;
  currentStepIndex?: number;
  currentStepHash?: string;
  promoteFull?: boolean;
  canary?: {
    weights?: { canary: WeightDestination; stable: WeightDestination; additional?: WeightDestination[] };
    stablePingPong?: 'ping' | 'pong';
    /** The current `analysis` step's AnalysisRun: `{name, status: <phase>, message?}`. */
    currentStepAnalysisRunStatus?: AnalysisRunRef;
    /** The background AnalysisRun. */
    currentBackgroundAnalysisRunStatus?: AnalysisRunRef;
  };
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  HPAReplicas?: number;
  selector?: string;
  /** Decimal string of metadata.generation. */
  observedGeneration?: string;
  collisionCount?: number;
  phase?: 'Progressing' | 'Paused' | 'Healthy' | 'Degraded';
  /** The workloadRef's `metadata.generation` this status was computed from (decimal string); absent without one. */
  workloadObservedGeneration?: string;
  message?: string;
  conditions?: RolloutCondition[];
  [key: string]: unknown;
}

/** An `argoproj.io/v1alpha1` Rollout. */
export interface Rollout extends KubeObject {
  metadata: ObjectMeta & { namespace: string };
  spec: RolloutSpec;
  status?: RolloutStatus;
}

/** An `apps/v1` ReplicaSet (narrow). */
export interface ReplicaSet extends KubeObject {
  metadata: ObjectMeta & { namespace: string };
  spec: { replicas?: number; selector?: LabelSelector; template?: JsonObject; [key: string]: unknown };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
    [key: string]: unknown;
  };
}

/** A core/v1 Service (narrow). */
export interface Service extends KubeObject {
  spec?: { selector?: Record<string, string>; [key: string]: unknown };
}

/** Label/annotation keys Argo Rollouts uses, which sluice writes identically. */
export const LABELS = {
  podTemplateHash: 'rollouts-pod-template-hash',
  instanceId: 'argo-rollouts.argoproj.io/controller-instance-id',
} as const;

/** Annotation keys Argo Rollouts uses, which sluice writes identically. */
export const ANNOTATIONS = {
  managedBy: 'argo-rollouts.argoproj.io/managed-by-rollouts',
  revision: 'rollout.argoproj.io/revision',
  desiredReplicas: 'rollout.argoproj.io/desired-replicas',
  scaleDownDeadline: 'scale-down-deadline',
} as const;
