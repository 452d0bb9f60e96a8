/**
 * The measurement pass: before the engine plans a Rollout, each of its AnalysisRuns that is current (named in the
 * Rollout's status) or terminating and not yet completed gets one pass of Argo's AnalysisRun reconcile:
 *
 * `planPass` (what is due, Secret args as a placeholder) → read the Secrets the run's args name → `withSecrets` →
 * one `MetricProviders.measure` per due metric (concurrently, bounded by the deadline) → `completePass` → ONE write
 * of the run's `status` guarded by the resourceVersion as read (JSON Patch `test`).
 *
 * So a duplicate or concurrent pass records each measurement once: the loser's write fails its `test` and its
 * measurements are dropped (provider reads are idempotent); a crash between the provider call and the write loses
 * nothing but the measurement, which is due again and taken by the next pass. The run's `nextDue` becomes part of
 * the Rollout's next wake-up.
 */
import type { AnalysisRun, Measurement } from '../core/analysis/types.js';
import {
  completePass,
  errorMeasurement,
  planPass,
  withSecrets,
  type Taken,
} from '../core/analysis/reconcile.js';
import type { MetricTask } from '../core/analysis/schedule.js';
import { isCompleted } from '../core/analysis/types.js';
import type { AnalysisEvent } from '../core/analysis/run.js';
import type { ObservedAnalysis } from '../core/engine/analysis.js';
import type { KubeObject, Rollout } from '../core/model/types.js';
import { jsonEqual } from '../core/model/json.js';
import type { KubeGateway } from './kube-port/gateway.js';
import { KubeApiError } from './kube-port/errors.js';
import { recordEvent } from './events.js';
import type { Logger } from './logger.js';
import type { MetricProviders } from './ports.js';

/** How long a measurement may take when the runtime gives no deadline (Argo's Prometheus timeout). */
export const DEFAULT_MEASURE_MS = 30_000;

/** The message of the Error measurement recorded when a runtime has no metric providers. */
export const NO_PROVIDERS = 'no metric providers are configured in this runtime';

/** What {@link measureRuns} needs. */
export interface AnalysisPassDeps {
  gateway: KubeGateway;
  /** Registered cluster name (the providers' allow-list and credentials are per cluster). */
  cluster: string;
  metrics?: MetricProviders;
  now: () => Date;
  /** Epoch ms by which provider calls must end; defaults to now + {@link DEFAULT_MEASURE_MS}. */
  deadline?: () => number;
  log?: Logger;
}

/** What one measurement pass did. */
export interface AnalysisPassResult {
  /** Runs whose status was written. */
  written: string[];
  /** Provider calls made. */
  measured: number;
  /** Writes that lost a race (their measurements were dropped). */
  conflicts: number;
  /** Earliest epoch ms at which a run has its next measurement due. */
  nextDue?: number;
}

function currentNames(rollout: Rollout): Set<string> {
  const c = rollout.status?.canary;
  const names = [c?.currentStepAnalysisRunStatus?.name, c?.currentBackgroundAnalysisRunStatus?.name];
  return new Set(names.filter((n): n is string => typeof n === 'string'));
}

/** The Secrets the run's args name, read once each: a lookup over their decoded values. */
async function readSecrets(
  gw: KubeGateway,
  run: AnalysisRun,
): Promise<(name: string, key: string) => { value: string } | { error: string; transient?: boolean }> {
  const names = new Set(
    (run.spec.args ?? []).flatMap((a) => (a.valueFrom?.secretKeyRef ? [a.valueFrom.secretKeyRef.name] : [])),
  );
  const read = new Map<string, KubeObject | undefined | { failed: string }>();
  await Promise.all(
    [...names].map(async (name) => {
      try {
        read.set(name, await gw.get('secrets', run.metadata.namespace ?? '', name));
      } catch (err) {
        read.set(name, { failed: err instanceof Error ? err.message : String(err) });
      }
    }),
  );
  return (name, key) => {
    const got = read.get(name);
    if (got && 'failed' in got) return { error: String(got.failed), transient: true };
    if (!got) return { error: `secrets "${name}" not found` };
    const data = (got['data'] ?? {}) as Record<string, string>;
    if (!(key in data)) return { error: `key '${key}' does not exist in secret '${name}'` };
    return { value: Buffer.from(data[key] ?? '', 'base64').toString('utf8') };
  };
}

async function measure(deps: AnalysisPassDeps, run: AnalysisRun, task: MetricTask): Promise<Taken> {
  const now = deps.now().getTime();
  if (task.kind !== 'run') {
    const last = run.status?.metricResults?.find((r) => r.name === task.metric.name)?.measurements?.at(-1);
    return { task, measurement: last ?? errorMeasurement('no measurement to resume', now) };
  }
  if (!deps.metrics) return { task, measurement: errorMeasurement(NO_PROVIDERS, now) };
  try {
    const got = await deps.metrics.measure({
      cluster: deps.cluster,
      namespace: run.metadata.namespace ?? '',
      metric: task.metric,
      deadline: deps.deadline?.() ?? now + DEFAULT_MEASURE_MS,
    });
    const measurement: Measurement = got.measurement;
    return { task, measurement, ...(got.metadata ? { metadata: got.metadata } : {}) };
  } catch (err) {
    // The port promises never to throw; a provider that does still yields an Error measurement, never a skipped gate.
    return { task, measurement: errorMeasurement(err instanceof Error ? err.message : String(err), now) };
  }
}

/** One run's pass: the new status and its Events, or undefined when nothing changes (or a transient Secret error). */
async function passOf(
  deps: AnalysisPassDeps,
  run: AnalysisRun,
  result: AnalysisPassResult,
): Promise<{ status: AnalysisRun['status']; events: AnalysisEvent[]; nextDue?: number } | undefined> {
  const now = deps.now().getTime();
  const plan = planPass(run, now);
  if (plan.kind === 'completed') return undefined;
  if (plan.kind === 'invalid') return { status: plan.status, events: plan.events };
  let tasks = plan.tasks;
  let secrets: string[] = [];
  if (tasks.length > 0 && (run.spec.args ?? []).some((a) => a.valueFrom?.secretKeyRef)) {
    const resolved = withSecrets(run, tasks, await readSecrets(deps.gateway, run));
    if ('error' in resolved && resolved.transient) {
      deps.log?.warn('analysis secret read failed: retried next pass', { run: run.metadata.name });
      return undefined;
    }
    if ('error' in resolved) {
      const message = `Unable to resolve metric arguments: ${resolved.error}`;
      return { status: { ...(run.status ?? {}), phase: 'Error', message }, events: [] };
    }
    tasks = resolved.tasks;
    secrets = resolved.secrets;
  }
  const taken = await Promise.all(tasks.map((t) => measure(deps, run, t)));
  result.measured += tasks.filter((t) => t.kind === 'run').length;
  const done = completePass(run, plan, taken, deps.now().getTime(), secrets);
  return { status: done.status, events: done.events, ...(done.nextDue ? { nextDue: done.nextDue } : {}) };
}

/** Writes the run's status with the resourceVersion as read; false when another writer got there first. */
async function writeStatus(
  gw: KubeGateway,
  run: AnalysisRun,
  status: AnalysisRun['status'],
): Promise<AnalysisRun | undefined> {
  const rv = run.metadata['resourceVersion'] as string | undefined;
  const target = {
    resource: 'analysisruns' as const,
    namespace: run.metadata.namespace ?? '',
    name: run.metadata.name ?? '',
  };
  try {
    return (await gw.patch(target, [
      { op: 'test', path: '/metadata/resourceVersion', value: rv },
      { op: run.status === undefined ? 'add' : 'replace', path: '/status', value: status },
    ])) as unknown as AnalysisRun;
  } catch (err) {
    if (err instanceof KubeApiError && (err.isConflict || err.code === 404)) return undefined;
    throw err;
  }
}

async function recordRunEvents(
  deps: AnalysisPassDeps,
  run: AnalysisRun,
  events: AnalysisEvent[],
): Promise<void> {
  const outcomes = await Promise.allSettled(
    events.map((ev) => recordEvent(deps.gateway, run as unknown as Rollout, ev, deps.now())),
  );
  for (const o of outcomes) {
    if (o.status === 'rejected')
      deps.log?.warn('event not recorded', { run: run.metadata.name, error: String(o.reason) });
  }
}

/** One run's pass and its write; returns the run as it now is (as written, re-read after a lost race, or as read). */
async function runOnce(
  deps: AnalysisPassDeps,
  run: AnalysisRun,
  result: AnalysisPassResult,
): Promise<AnalysisRun> {
  const next = await passOf(deps, run, result);
  const due = (): void => {
    if (next?.nextDue !== undefined) result.nextDue = Math.min(result.nextDue ?? Infinity, next.nextDue);
  };
  if (!next || jsonEqual(next.status, run.status)) {
    due();
    return run;
  }
  const namespace = run.metadata.namespace ?? '';
  const name = run.metadata.name ?? '';
  const written = await writeStatus(deps.gateway, run, next.status);
  if (!written) {
    result.conflicts += 1;
    deps.log?.debug('analysis run changed meanwhile: measurements dropped', { run: name });
    const fresh = await deps.gateway.get('analysisruns', namespace, name);
    return fresh ? (fresh as unknown as AnalysisRun) : run;
  }
  due();
  result.written.push(name);
  deps.log?.info('analysis run measured', { run: name, phase: next.status?.phase });
  await recordRunEvents(deps, written, next.events);
  return written;
}

/**
 * One measurement pass over the Rollout's current and terminating runs (see the module comment). `analysis.runs` is
 * updated in place with each run as it now is, so the plan that follows sees the fresh phases.
 */
export async function measureRuns(
  deps: AnalysisPassDeps,
  rollout: Rollout,
  analysis: ObservedAnalysis,
): Promise<AnalysisPassResult> {
  const result: AnalysisPassResult = { written: [], measured: 0, conflicts: 0 };
  const current = currentNames(rollout);
  for (const [i, run] of analysis.runs.entries()) {
    if (isCompleted(run.status?.phase)) continue;
    if (!current.has(run.metadata.name ?? '') && run.spec.terminate !== true) continue;
    analysis.runs[i] = await runOnce(deps, run, result);
  }
  return result;
}
