/**
 * One AnalysisRun pass as pure steps around the provider calls the caller makes:
 *
 * 1. {@link planPass}: resolve the metrics (Secret args as a placeholder), validate them, read the dry-run and
 *    retention rules, and list the measurements due now — or end the run in Error with Argo's message;
 * 2. {@link withSecrets}: resolve the due metrics again with the Secret values the caller read;
 * 3. the caller takes the measurements (at most one per metric);
 * 4. {@link completePass}: record them, settle the metric and run phases, trim stored measurements and say when the
 *    next one is due.
 *
 * Pure module: no I/O imports.
 */
import { resolveMetrics, type SecretLookup } from './args.js';
import { recordMeasurement } from './metric.js';
import { dryRunMetrics, retentionLimits, trimMeasurements } from './rules.js';
import { runCompleted } from './events.js';
import { settleRun, type AnalysisEvent } from './run.js';
import { dueTasks, nextDue, resultOf, type MetricTask } from './schedule.js';
import { formatTime } from './time.js';
import {
  isCompleted,
  type AnalysisRun,
  type AnalysisRunStatus,
  type Measurement,
  type Metric,
} from './types.js';
import { SPEC_INVALID, validateMetrics } from './validate.js';

/** What a pass has to do. */
export type PassPlan =
  | { kind: 'completed' }
  | { kind: 'invalid'; status: AnalysisRunStatus; events: AnalysisEvent[] }
  | {
      kind: 'measure';
      metrics: Metric[];
      tasks: MetricTask[];
      dryRun: Set<string>;
      limits: Map<string, number>;
    };

function invalid(run: AnalysisRun, message: string): PassPlan {
  const status: AnalysisRunStatus = { ...(run.status ?? {}), phase: 'Error', message };
  return {
    kind: 'invalid',
    status,
    events: [runCompleted('Error')],
  };
}

/**
 * Steps 1–5 of Argo's reconcile. An invalid run ends in Error with Argo's message (`Unable to resolve metric
 * arguments: …`, `Analysis spec invalid: …`) and, as in Argo, no `completedAt`.
 */
export function planPass(run: AnalysisRun, now: number): PassPlan {
  if (isCompleted(run.status?.phase)) return { kind: 'completed' };
  const resolved = resolveMetrics(run.spec.metrics, run.spec.args ?? []);
  if ('error' in resolved) return invalid(run, resolved.error);
  const problem = validateMetrics(resolved.metrics);
  if (problem) return invalid(run, `${SPEC_INVALID}${problem}`);
  const dry = dryRunMetrics(resolved.metrics, run.spec.dryRun);
  if ('error' in dry) return invalid(run, `${SPEC_INVALID}${dry.error}`);
  const kept = retentionLimits(resolved.metrics, run.spec.measurementRetention);
  if ('error' in kept) return invalid(run, `${SPEC_INVALID}${kept.error}`);
  const tasks = dueTasks(resolved.metrics, run.status, run.spec.terminate, now);
  return { kind: 'measure', metrics: resolved.metrics, tasks, dryRun: dry.names, limits: kept.limits };
}

/**
 * The due tasks with their metrics resolved against the real Secret values (Argo's step 6). A lookup error that the
 * caller marks `transient` (an API hiccup) means "try again next pass" instead of ending the run, a deliberate
 * difference from Argo, which ends the run in Error on any Secret read error.
 */
export function withSecrets(
  run: AnalysisRun,
  tasks: MetricTask[],
  lookup: (name: string, key: string) => { value: string } | { error: string; transient?: boolean },
): { tasks: MetricTask[]; secrets: string[] } | { error: string; transient: boolean } {
  let transient = false;
  const strict: SecretLookup = (name, key) => {
    const got = lookup(name, key);
    if ('error' in got && got.transient) transient = true;
    return got;
  };
  const resolved = resolveMetrics(run.spec.metrics, run.spec.args ?? [], strict);
  if ('error' in resolved) return { error: resolved.error, transient };
  const byName = new Map(resolved.metrics.map((m) => [m.name, m]));
  return {
    tasks: tasks.map((t) => ({ ...t, metric: byName.get(t.metric.name) ?? t.metric })),
    secrets: resolved.secrets,
  };
}

/** A measurement taken for a task. */
export interface Taken {
  task: MetricTask;
  measurement: Measurement;
  metadata?: Record<string, string>;
}

/** The Error measurement Argo records when a provider cannot be built or fails before measuring. */
export function errorMeasurement(message: string, now: number): Measurement {
  const at = formatTime(now);
  return { phase: 'Error', message, startedAt: at, finishedAt: at };
}

/**
 * Steps 7–9: records the measurements, settles metric and run phases (a failing metric stops its siblings in the
 * same pass), trims every result to its retention limit — always, even when a provider could not be built (#3259) —
 * and returns the next due time.
 */
export function completePass(
  run: AnalysisRun,
  plan: PassPlan & { kind: 'measure' },
  taken: Taken[],
  now: number,
  secrets: string[] = [],
): { status: AnalysisRunStatus; events: AnalysisEvent[]; nextDue: number | undefined } {
  const status: AnalysisRunStatus = JSON.parse(JSON.stringify(run.status ?? {})) as AnalysisRunStatus;
  const results = status.metricResults ?? [];
  for (const t of taken) {
    const name = t.task.metric.name;
    const next = recordMeasurement(resultOf(status, name), t.task.metric, t.measurement, {
      kind: t.task.kind,
      dryRun: plan.dryRun.has(name),
      now,
      secrets,
      ...(t.metadata ? { metadata: t.metadata } : {}),
    });
    const i = results.findIndex((r) => r.name === name);
    if (i >= 0) results[i] = next;
    else results.push(next);
  }
  status.metricResults = results;
  const settled = settleRun({
    metrics: plan.metrics,
    status,
    terminate: run.spec.terminate,
    dryRun: plan.dryRun,
    now,
  });
  settled.status.metricResults = trimMeasurements(settled.status.metricResults ?? [], plan.limits);
  const due = isCompleted(settled.status.phase) ? undefined : nextDue(plan.metrics, settled.status, now);
  return { status: settled.status, events: settled.events, nextDue: due };
}

/** The TTL that applies to a completed run and its `completedAt` (epoch ms), or undefined when none applies. */
function ttlOf(run: AnalysisRun): { seconds: number; done: number } | undefined {
  const ttl = run.spec.ttlStrategy;
  const phase = run.status?.phase;
  const done = run.status?.completedAt ? Date.parse(run.status.completedAt) : NaN;
  if (!ttl || !isCompleted(phase) || Number.isNaN(done) || run.metadata['deletionTimestamp'])
    return undefined;
  const seconds =
    phase === 'Successful' && ttl.secondsAfterSuccess !== undefined
      ? ttl.secondsAfterSuccess
      : phase === 'Failed' && ttl.secondsAfterFailure !== undefined
        ? ttl.secondsAfterFailure
        : ttl.secondsAfterCompletion;
  return seconds === undefined ? undefined : { seconds, done };
}

/**
 * Whether a completed run's `ttlStrategy` has expired: `secondsAfterSuccess` for Successful, `secondsAfterFailure`
 * for Failed, else `secondsAfterCompletion`; strictly more whole seconds than the TTL since `completedAt`. A run
 * without `completedAt` (an Error run ended by an invalid spec, as in Argo) or being deleted never expires.
 */
export function ttlExpired(run: AnalysisRun, now: number): boolean {
  const ttl = ttlOf(run);
  return ttl !== undefined && Math.trunc((now - ttl.done) / 1000) > ttl.seconds;
}

/**
 * The instant (epoch ms) from which {@link ttlExpired} holds, or undefined when it never will. "Strictly more whole
 * seconds than the TTL" is reached at `completedAt + (ttl + 1) s`; a negative TTL has expired at `completedAt`.
 *
 * @example
 * ttlExpiresAt(run); // completedAt 00:00:00 and secondsAfterCompletion 60: 00:01:01
 */
export function ttlExpiresAt(run: AnalysisRun): number | undefined {
  const ttl = ttlOf(run);
  if (!ttl) return undefined;
  return ttl.seconds < 0 ? ttl.done : ttl.done + (ttl.seconds + 1) * 1000;
}
