/**
 * One metric's state: recording a measurement into its result (counters as Argo keeps them) and deciding the
 * metric's phase from its limits. Pure module: no I/O imports.
 */
import { effectiveCount, type TaskKind } from './schedule.js';
import { formatTime } from './time.js';
import {
  intValue,
  isCompleted,
  type AnalysisPhase,
  type Measurement,
  type Metric,
  type MetricResult,
} from './types.js';

/** Argo's `consecutiveErrorLimit` default. */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

/** Text that replaces each secret value in a measurement message. */
export const REDACTED = '*****';

/** How a measurement is recorded. */
export interface RecordOptions {
  kind: TaskKind;
  dryRun: boolean;
  now: number;
  /** Secret values to mask in the measurement's message. */
  secrets?: string[];
  metadata?: Record<string, string>;
}

function bump(r: MetricResult, phase: AnalysisPhase): void {
  if (phase === 'Error') {
    r.error = (r.error ?? 0) + 1;
    r.consecutiveError = (r.consecutiveError ?? 0) + 1;
    r.consecutiveSuccess = 0;
    return;
  }
  r.count = (r.count ?? 0) + 1;
  r.consecutiveError = 0;
  if (phase === 'Successful') {
    r.successful = (r.successful ?? 0) + 1;
    r.consecutiveSuccess = (r.consecutiveSuccess ?? 0) + 1;
    return;
  }
  r.consecutiveSuccess = 0;
  if (phase === 'Failed') r.failed = (r.failed ?? 0) + 1;
  else r.inconclusive = (r.inconclusive ?? 0) + 1;
}

/**
 * Records a measurement: a new result `{phase: Running}` for the first one, RUN appends and RESUME/TERMINATE replace
 * the last; completed measurements get `finishedAt` (if missing) and move the counters (`count` excludes Errors).
 * Returns a new result; the input is not modified.
 */
export function recordMeasurement(
  previous: MetricResult | undefined,
  metric: Metric,
  measurement: Measurement,
  opts: RecordOptions,
): MetricResult {
  const r: MetricResult = previous
    ? (JSON.parse(JSON.stringify(previous)) as MetricResult)
    : {
        name: metric.name,
        phase: 'Running',
        dryRun: opts.dryRun,
        ...(opts.metadata ? { metadata: opts.metadata } : {}),
      };
  const m: Measurement = { ...measurement };
  if (m.message)
    for (const s of opts.secrets ?? []) if (s !== '') m.message = m.message.split(s).join(REDACTED);
  if (isCompleted(m.phase)) {
    if (!m.finishedAt) m.finishedAt = formatTime(opts.now);
    bump(r, m.phase);
  }
  const list = r.measurements ?? [];
  if (opts.kind === 'run' || list.length === 0) list.push(m);
  else list[list.length - 1] = m;
  r.measurements = list;
  return r;
}

/** A metric phase with the limit message Argo reports for it. */
export interface MetricVerdict {
  phase: AnalysisPhase;
  message?: string;
}

/**
 * Argo's limit check (later checks win, so Error > Inconclusive > Failed at metric level), `phase: ''` when no limit
 * is crossed.
 */
export function limitCheck(metric: Metric, r: MetricResult): MetricVerdict {
  const fl = intValue(metric.failureLimit, 0);
  const il = intValue(metric.inconclusiveLimit, 0);
  const cel = intValue(metric.consecutiveErrorLimit, DEFAULT_CONSECUTIVE_ERROR_LIMIT);
  let verdict: MetricVerdict = { phase: '' };
  const failed = r.failed ?? 0;
  const inconclusive = r.inconclusive ?? 0;
  const errors = r.consecutiveError ?? 0;
  if (fl >= 0 && failed > fl)
    verdict = { phase: 'Failed', message: `failed (${failed}) > failureLimit (${fl})` };
  if (inconclusive > il) {
    verdict = {
      phase: 'Inconclusive',
      message: `inconclusive (${inconclusive}) > inconclusiveLimit (${il})`,
    };
  }
  if (errors > cel)
    verdict = { phase: 'Error', message: `consecutiveErrors (${errors}) > consecutiveErrorLimit (${cel})` };
  return verdict;
}

/**
 * The phase of a metric (Argo's `assessMetricStatus`, first rule wins): completed phases stick; no measurement →
 * Pending (Successful when terminating); an in-flight measurement → Running; a crossed limit; enough consecutive
 * successes; the count reached; terminating → Successful; else Running.
 *
 * Better than Argo (#4479): a bounded metric (a `count`, or no interval) cut short by termination with measurements
 * but not one Successful takes the phase of its last measurement instead of Successful, so a gate whose only
 * measurements were errors or failures never reads as a pass. Unbounded metrics (background analysis stopped at
 * promotion) keep Argo's Successful.
 */
export function assessMetric(
  metric: Metric,
  r: MetricResult | undefined,
  terminating: boolean,
): MetricVerdict {
  if (r && isCompleted(r.phase)) return { phase: r.phase };
  const last = r?.measurements?.at(-1);
  if (!r || !last) return { phase: terminating ? 'Successful' : 'Pending' };
  if (!isCompleted(last.phase)) return { phase: 'Running' };
  const limit = limitCheck(metric, r);
  if (limit.phase !== '') return limit;
  const counted = successOrCount(metric, r);
  if (counted) return counted;
  if (!terminating) return { phase: 'Running' };
  return terminatedVerdict(metric, r, last);
}

/** Rule 7, terminating: Successful, except a bounded metric cut short without one success (#4479). */
function terminatedVerdict(metric: Metric, r: MetricResult, last: Measurement): MetricVerdict {
  const bounded = effectiveCount(metric) !== undefined;
  if (bounded && (r.successful ?? 0) === 0 && last.phase !== 'Successful') {
    return { phase: last.phase, message: cutShortText(last.phase) };
  }
  return { phase: 'Successful' };
}

/** Rules 5 and 6: enough consecutive successes, or the count reached. */
function successOrCount(metric: Metric, r: MetricResult): MetricVerdict | undefined {
  const csl = intValue(metric.consecutiveSuccessLimit, 0);
  if (csl > 0 && (r.consecutiveSuccess ?? 0) >= csl) return { phase: 'Successful' };
  const ec = effectiveCount(metric);
  if (ec === undefined || (r.count ?? 0) < ec) return undefined;
  if (csl > 0) return { phase: intValue(metric.failureLimit, 0) >= 0 ? 'Inconclusive' : 'Failed' };
  return { phase: 'Successful' };
}

function cutShortText(phase: AnalysisPhase): string {
  return `terminated before its count with no successful measurement (last measurement ${phase})`;
}
