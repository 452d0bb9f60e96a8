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
    const r = resultOf(status, metric.name);
    if (r && isCompleted(r.phase)) continue;
    const last = r?.measurements?.at(-1);
    if (last && !last.finishedAt) {
      const resumeAt = parseTime(last.resumeAt);
      if (!terminating && resumeAt !== undefined && resumeAt > now) continue;
      tasks.push({ metric, kind: terminating ? 'terminate' : 'resume' });
      continue;
    }
    if (terminating) continue;
    if (!last) {
      if (metric.initialDelay) {
        const started = parseTime(status?.startedAt);
        const delay = intervalMs(metric.initialDelay);
        if (started === undefined || delay === undefined || started + delay > now) continue;
      }
      tasks.push({ metric, kind: 'run' });
      continue;
    }
    const ec = effectiveCount(metric);
    if (ec !== undefined && (r?.count ?? 0) >= ec) continue;
    const finished = parseTime(last.finishedAt) ?? now;
    if (now > finished + gap(last, metric)) tasks.push({ metric, kind: 'run' });
  }
  return tasks;
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
  let next: number | undefined;
  const consider = (t: number): void => {
    next = next === undefined ? t : Math.min(next, t);
  };
  for (const metric of metrics) {
    const r = resultOf(status, metric.name);
    if (r && isCompleted(r.phase)) continue;
    const last = r?.measurements?.at(-1);
    if (!last) {
      const delay = intervalMs(metric.initialDelay);
      if (delay !== undefined) consider((parseTime(status?.startedAt) ?? now) + delay);
      continue;
    }
    if (!last.finishedAt) {
      const resumeAt = parseTime(last.resumeAt);
      if (resumeAt !== undefined) consider(resumeAt);
      continue;
    }
    const ec = effectiveCount(metric);
    if (ec !== undefined && (r?.count ?? 0) >= ec) continue;
    if (last.phase !== 'Error' && !metric.interval) continue;
    consider((parseTime(last.finishedAt) ?? now) + gap(last, metric));
  }
  return next;
}
