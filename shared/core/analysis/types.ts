/**
 * `AnalysisTemplate`, `ClusterAnalysisTemplate` and `AnalysisRun` (`argoproj.io/v1alpha1`) as Argo Rollouts defines
 * them. Only the providers sluice reads (prometheus, web, cloudWatch) are typed in detail; any other provider block is
 * kept as an opaque object so a template written for Argo parses and is reported, not silently dropped.
 * Pure module: no I/O imports.
 */

/** Integer or string, read with Go's `IntOrString.IntValue()` (see {@link intValue}). */
export type IntOrString = number | string;

/** Prometheus provider block. */
export interface PrometheusMetric {
  address?: string;
  query?: string;
  timeout?: number;
  insecure?: boolean;
  headers?: { key: string; value: string }[];
  authentication?: {
    sigv4?: { region?: string; profile?: string; roleArn?: string };
    oauth2?: { tokenUrl?: string; clientId?: string; clientSecret?: string; scopes?: string[] };
    basicAuth?: { username?: string; password?: string };
  };
  rangeQuery?: { start?: string; end?: string; step?: string };
}

/** Web provider block. */
export interface WebMetric {
  method?: string;
  url?: string;
  headers?: { key: string; value: string }[];
  body?: string;
  jsonBody?: unknown;
  timeoutSeconds?: number;
  jsonPath?: string;
  insecure?: boolean;
  authentication?: {
    oauth2?: { tokenUrl?: string; clientId?: string; clientSecret?: string; scopes?: string[] };
  };
}

/** One `GetMetricData` query of the CloudWatch provider. */
export interface CloudWatchQuery {
  id?: string;
  expression?: string;
  label?: string;
  returnData?: boolean;
  period?: IntOrString;
  metricStat?: {
    metric?: { namespace?: string; metricName?: string; dimensions?: { name: string; value: string }[] };
    period?: IntOrString;
    stat?: string;
    unit?: string;
  };
}

/** CloudWatch provider block. */
export interface CloudWatchMetric {
  interval?: string;
  metricDataQueries?: CloudWatchQuery[];
}

/** `metric.provider`: exactly one block must be set. */
export interface MetricProvider {
  prometheus?: PrometheusMetric;
  web?: WebMetric;
  cloudWatch?: CloudWatchMetric;
  /** Providers sluice does not run (job, kayenta, datadog, ...), kept as read. */
  [other: string]: unknown;
}

/** One metric of a template or run. */
export interface Metric {
  name: string;
  interval?: string;
  initialDelay?: string;
  count?: IntOrString;
  successCondition?: string;
  failureCondition?: string;
  failureLimit?: IntOrString;
  inconclusiveLimit?: IntOrString;
  consecutiveErrorLimit?: IntOrString;
  consecutiveSuccessLimit?: IntOrString;
  provider: MetricProvider;
}

/** An argument: a value, a Secret reference or (Rollout side) a pod-template hash / field reference. */
export interface Argument {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
    podTemplateHashValue?: 'Stable' | 'Latest' | string;
  };
}

/** `dryRun[]`: metrics whose verdict never decides the run; `metricName` is an unanchored regular expression. */
export interface DryRun {
  metricName: string;
}

/** `measurementRetention[]`: how many measurements of the matching metrics are kept. */
export interface MeasurementRetention {
  metricName: string;
  limit: number;
}

/** A nested template reference. */
export interface TemplateRef {
  templateName: string;
  clusterScope?: boolean;
}

/** `spec` of an AnalysisTemplate or ClusterAnalysisTemplate. */
export interface AnalysisTemplateSpec {
  metrics?: Metric[];
  args?: Argument[];
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
  templates?: TemplateRef[];
}

/** Object metadata read by the analysis core. */
export interface AnalysisMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [other: string]: unknown;
}

/** An `AnalysisTemplate` (namespaced) or `ClusterAnalysisTemplate`. */
export interface AnalysisTemplate {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate';
  metadata: AnalysisMeta;
  spec: AnalysisTemplateSpec;
}

/** Phases of a run, a metric and a measurement (`""` until the first reconcile). */
export type AnalysisPhase = '' | 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

/** The four phases after which nothing changes. */
export const COMPLETED_PHASES: readonly AnalysisPhase[] = ['Successful', 'Failed', 'Error', 'Inconclusive'];

/** Whether a phase is completed (Successful, Failed, Error or Inconclusive). */
export function isCompleted(phase: AnalysisPhase | undefined): boolean {
  return phase !== undefined && COMPLETED_PHASES.includes(phase);
}

/** One measurement. Timestamps are RFC 3339 at one-second precision, as `metav1.Time` stores them. */
export interface Measurement {
  phase: AnalysisPhase;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  value?: string;
  metadata?: Record<string, string>;
  resumeAt?: string;
}

/** Counters of a run (`runSummary`, `dryRunSummary`). */
export interface RunSummary {
  count?: number;
  successful?: number;
  failed?: number;
  inconclusive?: number;
  error?: number;
}

/** `status.metricResults[]`: the state of one metric. `count` excludes Error measurements. */
export interface MetricResult {
  name: string;
  phase: AnalysisPhase;
  measurements?: Measurement[];
  message?: string;
  count?: number;
  successful?: number;
  failed?: number;
  inconclusive?: number;
  error?: number;
  consecutiveError?: number;
  consecutiveSuccess?: number;
  dryRun?: boolean;
  metadata?: Record<string, string>;
}

/** `spec` of an AnalysisRun: the merged templates' metrics (with `{{args.x}}` kept), args and rules. */
export interface AnalysisRunSpec {
  metrics: Metric[];
  args?: Argument[];
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
  terminate?: boolean;
  ttlStrategy?: {
    secondsAfterCompletion?: number;
    secondsAfterFailure?: number;
    secondsAfterSuccess?: number;
  };
}

/** `status` of an AnalysisRun. */
export interface AnalysisRunStatus {
  phase?: AnalysisPhase;
  message?: string;
  metricResults?: MetricResult[];
  startedAt?: string;
  completedAt?: string;
  runSummary?: RunSummary;
  dryRunSummary?: RunSummary;
}

/** An `AnalysisRun`. */
export interface AnalysisRun {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'AnalysisRun';
  metadata: AnalysisMeta;
  spec: AnalysisRunSpec;
  status?: AnalysisRunStatus;
}

/**
 * Go's `intstr.IntOrString.IntValue()`: numbers as they are, strings through `Atoi` where a non-numeric string
 * silently becomes 0 (Argo's behaviour, kept so limits read the same).
 */
export function intValue(v: IntOrString | undefined, unset: number): number {
  if (v === undefined) return unset;
  if (typeof v === 'number') return Math.trunc(v);
  return /^[+-]?\d+$/.test(v) ? Number(v) : 0;
}
