/**
 * What is due now and when the next measurement is due: pure functions of the metrics, the run's status and the
 * time. At most one measurement per metric per pass, timed from the previous `finishedAt` (no catch-up), the first
 * at `startedAt + initialDelay`, the next `interval` later — or 10 s later after an Error, whatever the interval.
 * Pure module: no I/O imports.
 */
import { ERROR_RETRY_MS, intervalMs, parseTime } from './time.js';
import { intValue, isCompleted, type AnalysisRunStatus, type Metric, type MetricResult } from './types.js';

/** RUN takes a new measurement; RESUME/TERMINATE act on an in-flight one (asynchronous providers only). */
export type TaskKind = 'run' | 'resume' | 'terminate';

/** One measurement to take now. */
export interface MetricTask {
  metric: Metric;
  kind: TaskKind;
}

/**
 * Argo's `EffectiveCount`: an unset or zero `count` means one measurement without an interval and no bound with one.
 *
 * @returns the number of measurements, or `undefined` for unbounded.
 */
export function effectiveCount(metric: Metric): number | undefined {
  const c = intValue(metric.count, 0);
  if (c === 0) return metric.interval ? undefined : 1;
  return c;
}

/** The result of a metric by name. */
export function resultOf(status: AnalysisRunStatus | undefined, name: string): MetricResult | undefined {
  return status?.metricResults?.find((r) => r.name === name);
}

/**
 * Whether the run is terminating: `spec.terminate`, or a non-dry-run metric already Failed, Error or Inconclusive.
 */
export function isTerminating(
  terminate: boolean | undefined,
  status: AnalysisRunStatus | undefined,
): boolean {
  if (terminate) return true;
  return (status?.metricResults ?? []).some(
    (r) => !r.dryRun && (r.phase === 'Failed' || r.phase === 'Error' || r.phase === 'Inconclusive'),
  );
}

function gap(last: { phase: string }, metric: Metric): number {
  return last.phase === 'Error' ? ERROR_RETRY_MS : (intervalMs(metric.interval) ?? ERROR_RETRY_MS);
}

/** An in-flight measurement (asynchronous providers): terminated, or resumed once its `resumeAt` has passed. */
function inFlightTask(resumeAt: string | undefined, terminating: boolean, now: number): TaskKind | undefined {
  if (terminating) return 'terminate';
  const at = parseTime(resumeAt);
  return at !== undefined && at > now ? undefined : 'resume';
}

/** Whether a metric's first measurement is due: at once, or `initialDelay` after the run started. */
function firstDue(metric: Metric, status: AnalysisRunStatus | undefined, now: number): boolean {
  if (!metric.initialDelay) return true;
  const started = parseTime(status?.startedAt);
  const delay = intervalMs(metric.initialDelay);
  return started !== undefined && delay !== undefined && started + delay <= now;
}

/** Whether the metric took all the measurements its `count` (explicit or implied) allows. */
function countReached(metric: Metric, r: MetricResult | undefined): boolean {
  const ec = effectiveCount(metric);
  return ec !== undefined && (r?.count ?? 0) >= ec;
}

/** The task one metric needs at `now`, if any. */
function taskFor(
  metric: Metric,
  status: AnalysisRunStatus | undefined,
  terminating: boolean,
  now: number,
): TaskKind | undefined {
  const r = resultOf(status, metric.name);
  if (r && isCompleted(r.phase)) return undefined;
  const last = r?.measurements?.at(-1);
  if (last && !last.finishedAt) return inFlightTask(last.resumeAt, terminating, now);
  if (terminating) return undefined;
  if (!last) return firstDue(metric, status, now) ? 'run' : undefined;
  if (countReached(metric, r)) return undefined;
  const finished = parseTime(last.finishedAt) ?? now;
  return now > finished + gap(last, metric) ? 'run' : undefined;
}

/**
 * The measurements due at `now` (Argo's `generateMetricTasks`), in metric order. A metric with an unreadable
 * `initialDelay` is never due (validation reports it).
 */
export function dueTasks(
  metrics: Metric[],
  status: AnalysisRunStatus | undefined,
  terminate: boolean | undefined,
  now: number,
): MetricTask[] {
  const terminating = isTerminating(terminate, status);
  const tasks: MetricTask[] = [];
  for (const metric of metrics) {
    const kind = taskFor(metric, status, terminating, now);
    if (kind) tasks.push({ metric, kind });
  }
  return tasks;
}

/** When a metric's first measurement is due: `initialDelay` after the run started (or after `now` if not started). */
function firstDueAt(metric: Metric, status: AnalysisRunStatus | undefined, now: number): number | undefined {
  const delay = intervalMs(metric.initialDelay);
  return delay === undefined ? undefined : (parseTime(status?.startedAt) ?? now) + delay;
}

/** When one metric's next measurement is due, if a timed wake-up is needed for it. */
function dueAt(metric: Metric, status: AnalysisRunStatus | undefined, now: number): number | undefined {
  const r = resultOf(status, metric.name);
  if (r && isCompleted(r.phase)) return undefined;
  const last = r?.measurements?.at(-1);
  if (!last) return firstDueAt(metric, status, now);
  if (!last.finishedAt) return parseTime(last.resumeAt);
  if (countReached(metric, r)) return undefined;
  if (last.phase !== 'Error' && !metric.interval) return undefined;
  return (parseTime(last.finishedAt) ?? now) + gap(last, metric);
}

/**
 * When the next measurement is due (Argo's `calculateNextReconcileTime`), or `undefined` when no timed wake-up is
 * needed. The caller wakes at `max(now, result)`.
 */
export function nextDue(
  metrics: Metric[],
  status: AnalysisRunStatus | undefined,
  now: number,
): number | undefined {
  const times = metrics.map((m) => dueAt(m, status, now)).filter((t): t is number => t !== undefined);
  return times.length === 0 ? undefined : Math.min(...times);
}
