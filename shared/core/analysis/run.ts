/**
 * The phase of an AnalysisRun from its metrics (Argo's `assessRunStatus`): run precedence Failed > Error >
 * Inconclusive, the first metric reaching the worst phase names it in the message, dry-run metrics counted apart and
 * never deciding the verdict, termination ending in the worst completed phase or Successful `Run Terminated`.
 * Pure module: no I/O imports.
 */
import { assessMetric, limitCheck, type MetricVerdict } from './metric.js';
import { isTerminating, resultOf } from './schedule.js';
import { formatTime } from './time.js';
import {
  isCompleted,
  type AnalysisPhase,
  type AnalysisRunStatus,
  type Metric,
  type MetricResult,
  type RunSummary,
} from './types.js';
import { metricCompleted, runCompleted, type AnalysisEvent } from './events.js';

/** An Event to emit for a change, as Argo emits it. */
export type { AnalysisEvent };

const ORDER: AnalysisPhase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];

/** Argo's `IsWorse`: whether `b` is worse than `a` (unknown phases rank as Successful). */
export function isWorse(a: AnalysisPhase, b: AnalysisPhase): boolean {
  return Math.max(ORDER.indexOf(b), 0) > Math.max(ORDER.indexOf(a), 0);
}

function tally(summary: RunSummary, phase: AnalysisPhase): void {
  const key =
    phase === 'Failed'
      ? 'failed'
      : phase === 'Inconclusive'
        ? 'inconclusive'
        : phase === 'Error'
          ? 'error'
          : 'successful';
  summary[key] = (summary[key] ?? 0) + 1;
}

/** Inputs of one assessment. */
export interface RunInput {
  metrics: Metric[];
  status: AnalysisRunStatus | undefined;
  terminate: boolean | undefined;
  dryRun: Set<string>;
  now: number;
}

/** What one pass accumulates over the metrics. */
interface Tally {
  terminating: boolean;
  worst: AnalysisPhase;
  worstMessage: string;
  complete: boolean;
  summary: RunSummary;
  drySummary: RunSummary;
  events: AnalysisEvent[];
}

const emptySummary = (): RunSummary => ({ count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 });

/** Sets a metric's new phase (message from its last measurement); an Event when it completes. */
function updatePhase(metric: Metric, r: MetricResult, verdict: MetricVerdict, t: Tally): void {
  if (verdict.phase === r.phase) return;
  r.phase = verdict.phase;
  r.message = r.measurements?.at(-1)?.message;
  if (r.message === undefined) delete r.message;
  if (isCompleted(verdict.phase)) t.events.push(metricCompleted(metric.name, verdict.phase));
}

/** A completed dry-run metric: never decides the verdict, only explains itself in its own message. */
function visitDry(r: MetricResult, message: string | undefined, t: Tally): void {
  if (t.worst === '') t.worst = 'Successful';
  if (message) r.message = `Metric assessed ${r.phase} due to ${message}`;
}

/** A completed metric: the first to reach the worst phase so far names it in the run's message. */
function visitWorst(metric: Metric, r: MetricResult, message: string | undefined, t: Tally): void {
  if (t.worst !== '' && !isWorse(t.worst, r.phase)) return;
  t.worst = r.phase;
  if (!message) return;
  t.worstMessage = `Metric "${metric.name}" assessed ${r.phase} due to ${message}`;
  if (r.message) t.worstMessage += `: "Error Message: ${r.message}"`;
}

/** Updates one metric's phase and adds it to the tally. */
function visit(metric: Metric, status: AnalysisRunStatus, dry: boolean, t: Tally): void {
  const counts = dry ? t.drySummary : t.summary;
  counts.count = (counts.count ?? 0) + 1;
  const r = resultOf(status, metric.name);
  if (!r) {
    t.complete = false;
    return;
  }
  const verdict = assessMetric(metric, r, t.terminating);
  updatePhase(metric, r, verdict, t);
  if (!isCompleted(r.phase)) {
    t.complete = false;
    return;
  }
  const limit = limitCheck(metric, r);
  const message = limit.message ?? verdict.message;
  tally(counts, limit.phase !== '' ? limit.phase : verdict.message ? r.phase : 'Successful');
  if (dry) visitDry(r, message, t);
  else visitWorst(metric, r, message, t);
}

/** The run's phase and message from the tally. */
function verdictOf(t: Tally): { phase: AnalysisPhase; message: string } {
  if (t.terminating)
    return { phase: t.worst === '' ? 'Successful' : t.worst, message: t.worstMessage.trim() };
  if (!t.complete || t.worst === '') return { phase: 'Running', message: '' };
  return { phase: t.worst, message: t.worstMessage };
}

/**
 * One assessment pass. Returns the new status (the input is not modified) and the Events to emit.
 * `terminating` is read before the pass updates metric phases, as in Argo; {@link settleRun} repeats the pass so a
 * metric's failure stops its siblings in the same invocation.
 */
export function assessRun(input: RunInput): { status: AnalysisRunStatus; events: AnalysisEvent[] } {
  const status = JSON.parse(JSON.stringify(input.status ?? {})) as AnalysisRunStatus;
  status.startedAt ??= formatTime(input.now);
  const t: Tally = {
    terminating: isTerminating(input.terminate, status),
    worst: '',
    worstMessage: input.terminate ? 'Run Terminated' : '',
    complete: true,
    summary: emptySummary(),
    drySummary: emptySummary(),
    events: [],
  };
  for (const metric of input.metrics) visit(metric, status, input.dryRun.has(metric.name), t);
  status.runSummary = t.summary;
  status.dryRunSummary = t.drySummary;
  const { phase, message } = verdictOf(t);
  if (phase !== status.phase) {
    status.phase = phase;
    status.message = message;
    if (message === '') delete status.message;
    if (isCompleted(phase)) {
      status.completedAt ??= formatTime(input.now);
      t.events.push(runCompleted(phase));
    }
  }
  return { status, events: t.events };
}

/**
 * Assessment to a fixed point (at most three passes): when a pass makes the run terminating (a metric just Failed,
 * Errored or went Inconclusive), the next pass stops the siblings at once instead of on a later invocation.
 */
export function settleRun(input: RunInput): { status: AnalysisRunStatus; events: AnalysisEvent[] } {
  let current = input;
  const events: AnalysisEvent[] = [];
  for (let pass = 0; ; pass++) {
    const out = assessRun(current);
    events.push(...out.events);
    const wasTerminating = isTerminating(current.terminate, current.status);
    const nowTerminating = isTerminating(current.terminate, out.status);
    if (pass === 2 || isCompleted(out.status.phase) || wasTerminating || !nowTerminating) {
      return { status: out.status, events };
    }
    current = { ...current, status: out.status };
  }
}
