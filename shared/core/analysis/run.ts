/**
 * The phase of an AnalysisRun from its metrics (Argo's `assessRunStatus`): run precedence Failed > Error >
 * Inconclusive, the first metric reaching the worst phase names it in the message, dry-run metrics counted apart and
 * never deciding the verdict, termination ending in the worst completed phase or Successful `Run Terminated`.
 * Pure module: no I/O imports.
 */
import { assessMetric, limitCheck } from './metric.js';
import { isTerminating, resultOf } from './schedule.js';
import { formatTime } from './time.js';
import {
  isCompleted,
  type AnalysisPhase,
  type AnalysisRunStatus,
  type Metric,
  type RunSummary,
} from './types.js';

/** An Event to emit for a change, as Argo emits it. */
export interface AnalysisEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

const ORDER: AnalysisPhase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];

/** Argo's `IsWorse`: whether `b` is worse than `a` (unknown phases rank as Successful). */
export function isWorse(a: AnalysisPhase, b: AnalysisPhase): boolean {
  return Math.max(ORDER.indexOf(b), 0) > Math.max(ORDER.indexOf(a), 0);
}

function eventType(phase: AnalysisPhase): 'Normal' | 'Warning' {
  return phase === 'Failed' || phase === 'Error' ? 'Warning' : 'Normal';
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

/**
 * One assessment pass. Returns the new status (the input is not modified) and the Events to emit.
 * `terminating` is read before the pass updates metric phases, as in Argo; {@link settleRun} repeats the pass so a
 * metric's failure stops its siblings in the same invocation.
 */
export function assessRun(input: RunInput): { status: AnalysisRunStatus; events: AnalysisEvent[] } {
  const status = JSON.parse(JSON.stringify(input.status ?? {})) as AnalysisRunStatus;
  const events: AnalysisEvent[] = [];
  status.startedAt ??= formatTime(input.now);
  const terminating = isTerminating(input.terminate, status);
  let worst: AnalysisPhase = '';
  let worstMessage = input.terminate ? 'Run Terminated' : '';
  let complete = true;
  const summary: RunSummary = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  const drySummary: RunSummary = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  for (const metric of input.metrics) {
    const dry = input.dryRun.has(metric.name);
    const counts = dry ? drySummary : summary;
    counts.count = (counts.count ?? 0) + 1;
    const r = resultOf(status, metric.name);
    if (!r) {
      complete = false;
      continue;
    }
    const verdict = assessMetric(metric, r, terminating);
    if (verdict.phase !== r.phase) {
      r.phase = verdict.phase;
      r.message = r.measurements?.at(-1)?.message;
      if (r.message === undefined) delete r.message;
      if (isCompleted(verdict.phase)) {
        events.push({
          type: eventType(verdict.phase),
          reason: `Metric${verdict.phase}`,
          message: `Metric '${metric.name}' Completed. Result: ${verdict.phase}`,
        });
      }
    }
    if (!isCompleted(r.phase)) {
      complete = false;
      continue;
    }
    const limit = limitCheck(metric, r);
    const message = limit.message ?? verdict.message;
    tally(counts, limit.phase !== '' ? limit.phase : verdict.message ? r.phase : 'Successful');
    if (dry) {
      if (worst === '') worst = 'Successful';
      if (message) r.message = `Metric assessed ${r.phase} due to ${message}`;
      continue;
    }
    if (worst === '' || isWorse(worst, r.phase)) {
      worst = r.phase;
      if (message) {
        worstMessage = `Metric "${metric.name}" assessed ${r.phase} due to ${message}`;
        if (r.message) worstMessage += `: "Error Message: ${r.message}"`;
      }
    }
  }
  status.runSummary = summary;
  status.dryRunSummary = drySummary;
  let phase: AnalysisPhase;
  let message: string;
  if (terminating) {
    phase = worst === '' ? 'Successful' : worst;
    message = worstMessage.trim();
  } else if (!complete || worst === '') {
    phase = 'Running';
    message = '';
  } else {
    phase = worst;
    message = worstMessage;
  }
  if (phase !== status.phase) {
    status.phase = phase;
    status.message = message;
    if (message === '') delete status.message;
    if (isCompleted(phase)) {
      status.completedAt ??= formatTime(input.now);
      events.push({
        type: eventType(phase),
        reason: `AnalysisRun${phase}`,
        message: `Analysis Completed. Result: ${phase}`,
      });
    }
  }
  return { status, events };
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
