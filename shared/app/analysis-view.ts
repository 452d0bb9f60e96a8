/**
 * The AnalysisRuns part of a Rollout's status view (`sluice status`, the status API, the dashboard, the sandbox):
 * the runs of the Rollout's current revision, each with its phase, message, counters and, per metric, the last
 * measurement. Pure: built from the objects read by the caller.
 */
import { RUN_LABELS } from '../core/analysis/rollout-run.js';
import type { AnalysisRun, MetricResult, RunSummary } from '../core/analysis/types.js';
import type { KubeObject, Rollout } from '../core/model/types.js';

/** Measurement counters of a run or a metric (Error measurements are not in `count`). */
export interface AnalysisCounts {
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
}

/** One metric of a run and its last measurement. */
export interface MetricView extends AnalysisCounts {
  name: string;
  phase: string;
  message?: string;
  /** The last measurement's value, phase and end (or start, while in flight). */
  last?: { value?: string; phase: string; at?: string; message?: string };
}

/** One AnalysisRun of the view. */
export interface AnalysisRunView extends AnalysisCounts {
  name: string;
  /** `Step` or `Background` (the run's `rollout-type` label), `''` when unlabelled. */
  kind: string;
  /** The step index a step run belongs to. */
  stepIndex?: number;
  /** `""` until its first pass, then Pending, Running, Successful, Failed, Error or Inconclusive. */
  phase: string;
  message: string;
  /** Named in the Rollout's `status.canary.current{Step,Background}AnalysisRunStatus`. */
  current: boolean;
  startedAt?: string;
  metrics: MetricView[];
}

/** At most this many runs are shown, newest first. */
export const MAX_RUN_VIEWS = 5;

const counts = (s: RunSummary | MetricResult | undefined): AnalysisCounts => ({
  count: s?.count ?? 0,
  successful: s?.successful ?? 0,
  failed: s?.failed ?? 0,
  inconclusive: s?.inconclusive ?? 0,
  error: s?.error ?? 0,
});

function metricView(r: MetricResult): MetricView {
  const m = r.measurements?.at(-1);
  const at = m?.finishedAt ?? m?.startedAt;
  const last = m
    ? {
        phase: m.phase,
        ...(m.value !== undefined ? { value: m.value } : {}),
        ...(at ? { at } : {}),
        ...(m.message ? { message: m.message } : {}),
      }
    : undefined;
  return {
    name: r.name,
    phase: r.phase,
    ...(r.message ? { message: r.message } : {}),
    ...counts(r),
    ...(last ? { last } : {}),
  };
}

/** The sums of the metrics' counters (dry-run metrics excluded), when the run has no `runSummary`. */
function summed(results: MetricResult[]): AnalysisCounts {
  const total = counts(undefined);
  for (const r of results.filter((x) => !x.dryRun)) {
    const c = counts(r);
    for (const k of Object.keys(total) as (keyof AnalysisCounts)[]) total[k] += c[k];
  }
  return total;
}

/** The view of one run; `current` when the Rollout's status names it. */
export function analysisRunView(obj: KubeObject, current: boolean): AnalysisRunView {
  const run = obj as unknown as AnalysisRun;
  const labels = obj.metadata.labels ?? {};
  const results = run.status?.metricResults ?? [];
  const index = Number(labels[RUN_LABELS.stepIndex]);
  return {
    name: obj.metadata.name,
    kind: labels[RUN_LABELS.type] ?? '',
    ...(labels[RUN_LABELS.stepIndex] !== undefined && Number.isInteger(index) ? { stepIndex: index } : {}),
    phase: run.status?.phase ?? '',
    message: run.status?.message ?? '',
    current,
    ...(run.status?.startedAt ? { startedAt: run.status.startedAt } : {}),
    ...(run.status?.runSummary ? counts(run.status.runSummary) : summed(results)),
    metrics: results.map(metricView),
  };
}

/** The run names the Rollout's status holds. */
function currentNames(r: Rollout): Set<string> {
  const c = r.status?.canary;
  return new Set(
    [c?.currentStepAnalysisRunStatus?.name, c?.currentBackgroundAnalysisRunStatus?.name].filter(
      (n): n is string => typeof n === 'string' && n !== '',
    ),
  );
}

/**
 * The runs of the Rollout's current revision: the ones its status names, and the other runs it controls (owner
 * reference) labelled with its current pod-template hash, newest first, at most {@link MAX_RUN_VIEWS}. So a step
 * run that succeeded and was released from the status still shows how the revision was judged.
 *
 * @example analysisRunViews(runsInNamespace, rollout) // [{ name: 'reviews-6d4c-2-1', phase: 'Successful', ... }]
 */
export function analysisRunViews(items: KubeObject[], r: Rollout): AnalysisRunView[] {
  const named = currentNames(r);
  const uid = r.metadata.uid;
  const hash = r.status?.currentPodHash;
  const owned = (run: KubeObject): boolean =>
    uid !== undefined && (run.metadata.ownerReferences ?? []).some((o) => o.uid === uid && o.controller);
  const ofRevision = (run: KubeObject): boolean =>
    hash !== undefined && run.metadata.labels?.[RUN_LABELS.podTemplateHash] === hash;
  return items
    .filter((run) => named.has(run.metadata.name) || (owned(run) && ofRevision(run)))
    .sort((a, b) => newest(a, b))
    .slice(0, MAX_RUN_VIEWS)
    .map((run) => analysisRunView(run, named.has(run.metadata.name)));
}

/** Newest first: creation time, then name (a `.1` retry after its original). */
function newest(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? 1 : -1;
  return a.metadata.name < b.metadata.name ? 1 : a.metadata.name > b.metadata.name ? -1 : 0;
}
