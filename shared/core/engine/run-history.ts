/**
 * AnalysisRun garbage collection, the three ways Argo Rollouts deletes a Rollout's runs:
 *
 * 1. **Run history** (`deleteAnalysisRuns` / `FilterAnalysisRunsToDelete` in Argo's `rollout/analysis.go`): of the
 *    runs that are not current, newest first, those without a `rollouts-pod-template-hash` label or whose hash
 *    matches no ReplicaSet of the Rollout (or only one being deleted) go, even Running ones; of the rest,
 *    `spec.analysis.successfulRunHistoryLimit` (default 5) Successful and `unsuccessfulRunHistoryLimit` (default 5)
 *    Failed/Error/Inconclusive are kept and the older ones deleted. Running, Pending and `""` runs are never
 *    counted or deleted by the limits.
 * 2. **ReplicaSet cleanup**: an old ReplicaSet deleted under `revisionHistoryLimit` takes every run that is not
 *    current and carries its pod hash with it (Argo's `reconcileRevisionHistoryLimit`).
 * 3. **TTL**: a completed run whose `ttlStrategy` expired is deleted (Argo's AnalysisRun controller); the pass asks
 *    to run again at the next expiry.
 *
 * Every delete is guarded by the run's uid and resourceVersion as read; no Event is recorded (Argo records none).
 * Pure module: no I/O; time is passed in.
 */
import { LABELS, type ReplicaSet, type Rollout, type RolloutStatus } from '../model/types.js';
import { ttlExpired, ttlExpiresAt } from '../analysis/reconcile.js';
import type { AnalysisRun } from '../analysis/types.js';
import { INCONCLUSIVE_PAUSE } from './analysis.js';
import type { Observed, Write } from './types.js';

/** Argo's default `spec.analysis.successfulRunHistoryLimit` and `unsuccessfulRunHistoryLimit`. */
export const DEFAULT_RUN_HISTORY_LIMIT = 5;

/** How many completed runs that are not current a Rollout keeps. */
export interface RunHistoryLimits {
  successful: number;
  unsuccessful: number;
}

/** `spec.analysis.{successful,unsuccessful}RunHistoryLimit`, each {@link DEFAULT_RUN_HISTORY_LIMIT} when unset. */
export function runHistoryLimits(r: Rollout): RunHistoryLimits {
  const a = r.spec['analysis'] as Record<string, unknown> | undefined;
  const limit = (v: unknown): number =>
    typeof v === 'number' && Number.isInteger(v) ? v : DEFAULT_RUN_HISTORY_LIMIT;
  return {
    successful: limit(a?.['successfulRunHistoryLimit']),
    unsuccessful: limit(a?.['unsuccessfulRunHistoryLimit']),
  };
}

const created = (run: AnalysisRun): number =>
  Date.parse(String(run.metadata['creationTimestamp'] ?? '')) || 0;
const hashOf = (o: { metadata: { labels?: Record<string, string> } }): string | undefined =>
  o.metadata.labels?.[LABELS.podTemplateHash];

/** Newest first (creation time, then name, later first), as Argo sorts before it counts. */
function newestFirst(a: AnalysisRun, b: AnalysisRun): number {
  const d = created(b) - created(a);
  if (d !== 0) return d;
  const [na, nb] = [a.metadata.name ?? '', b.metadata.name ?? ''];
  return na < nb ? 1 : na > nb ? -1 : 0;
}

type Kind = keyof RunHistoryLimits;

function kindOf(run: AnalysisRun): Kind | undefined {
  const phase = run.status?.phase;
  if (phase === 'Successful') return 'successful';
  if (phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive') return 'unsuccessful';
  return undefined;
}

const LIMIT_FIELD: Record<Kind, string> = {
  successful: 'successfulRunHistoryLimit',
  unsuccessful: 'unsuccessfulRunHistoryLimit',
};

/** {@link runsToDelete} with why each run goes. */
function historyVerdicts(
  others: AnalysisRun[],
  replicaSets: ReplicaSet[],
  limits: RunHistoryLimits,
): { run: AnalysisRun; why: string }[] {
  const beingDeleted = new Map<string, boolean>();
  for (const rs of replicaSets) {
    const hash = hashOf(rs);
    if (hash !== undefined) beingDeleted.set(hash, rs.metadata['deletionTimestamp'] !== undefined);
  }
  const kept: Record<Kind, number> = { successful: 0, unsuccessful: 0 };
  const out: { run: AnalysisRun; why: string }[] = [];
  for (const run of [...others].sort(newestFirst)) {
    const hash = hashOf(run);
    const kind = kindOf(run);
    if (hash === undefined) out.push({ run, why: `it has no ${LABELS.podTemplateHash} label` });
    else if (beingDeleted.get(hash) ?? true)
      out.push({ run, why: `no ReplicaSet of the Rollout with pod hash ${hash} remains` });
    else if (kind && kept[kind] < limits[kind]) kept[kind] += 1;
    else if (kind) out.push({ run, why: `beyond ${LIMIT_FIELD[kind]} ${limits[kind]}` });
  }
  return out;
}

/**
 * Argo's `FilterAnalysisRunsToDelete`: which of `others` (runs that are not current) the run history deletes, given
 * the Rollout's ReplicaSets and limits (see the module comment).
 *
 * @example
 * runsToDelete([successfulRunWithHash('abc123')], [], { successful: 5, unsuccessful: 5 }); // that run
 */
export function runsToDelete(
  others: AnalysisRun[],
  replicaSets: ReplicaSet[],
  limits: RunHistoryLimits,
): AnalysisRun[] {
  return historyVerdicts(others, replicaSets, limits).map((v) => v.run);
}

/** What {@link planRunCleanup} looks at. */
export interface RunCleanupInput {
  /** The Rollout as read (its status names the current runs as read). */
  rollout: Rollout;
  /** The status this pass commits: the current runs it keeps or created. */
  status: RolloutStatus;
  /** The runs the Rollout owns (controller ownerReference), as the measurement pass left them. */
  runs: AnalysisRun[];
  /** The Rollout's ReplicaSets as read. */
  replicaSets: ReplicaSet[];
  /** The old ReplicaSets this pass deletes under `revisionHistoryLimit`. */
  deletedReplicaSets: ReplicaSet[];
  now: Date;
}

/** What {@link planRunCleanup} decided. */
export interface RunCleanup {
  /** The deletes, newest run first within each cause: ReplicaSet cleanup, history, TTL. */
  effects: Write[];
  /** Epoch ms of the next TTL expiry among the runs kept, when one has a TTL. */
  wakeAt?: number;
}

function currentNames(status: RolloutStatus | undefined): string[] {
  const c = status?.canary;
  return [c?.currentStepAnalysisRunStatus?.name, c?.currentBackgroundAnalysisRunStatus?.name].filter(
    (n): n is string => typeof n === 'string',
  );
}

/**
 * Argo runs the history only in its full canary reconcile (not while paused by `spec.paused` or an Inconclusive
 * run: it then only syncs replicas), and not when it cancels analysis (aborted, promote --full, initial deploy).
 */
function historyRuns(r: Rollout): boolean {
  const s = r.status ?? {};
  if (r.spec.paused === true || s.abort === true || s.promoteFull === true || !s.stableRS) return false;
  return !(s.pauseConditions ?? []).some((c) => c.reason === INCONCLUSIVE_PAUSE);
}

/** The delete of one run, guarded by its uid and resourceVersion as read; none for one being deleted already. */
function deleteRun(r: Rollout, run: AnalysisRun, why: string): Write[] {
  const { uid, resourceVersion, name } = run.metadata as {
    uid?: string;
    resourceVersion?: string;
    name?: string;
  };
  if (!uid || !resourceVersion || !name || run.metadata['deletionTimestamp'] !== undefined) return [];
  return [
    {
      op: 'delete',
      target: { resource: 'analysisruns', namespace: r.metadata.namespace, name },
      preconditions: { uid, resourceVersion },
      reason: `delete AnalysisRun ${name}: ${why}`,
    },
  ];
}

/**
 * The AnalysisRun deletes of a regular pass (see the module comment) and the next TTL expiry to wake up for. A run
 * is deleted once even when several causes pick it.
 */
export function planRunCleanup(input: RunCleanupInput): RunCleanup {
  const { rollout: r, runs, now } = input;
  const asRead = new Set(currentNames(r.status));
  const current = new Set([...asRead, ...currentNames(input.status)]);
  const picked = new Map<string, string>();
  const pick = (run: AnalysisRun, why: string): void => {
    const name = run.metadata.name ?? '';
    if (!picked.has(name)) picked.set(name, why);
  };
  const gone = new Map(input.deletedReplicaSets.map((rs) => [hashOf(rs), rs.metadata.name]));
  const others = runs.filter((run) => !asRead.has(run.metadata.name ?? ''));
  for (const run of [...others].sort(newestFirst)) {
    const rs = gone.get(hashOf(run));
    if (hashOf(run) !== undefined && rs) pick(run, `its ReplicaSet ${rs} is deleted`);
  }
  if (historyRuns(r)) {
    const limits = runHistoryLimits(r);
    const notCurrent = others.filter((run) => !current.has(run.metadata.name ?? ''));
    for (const { run, why } of historyVerdicts(notCurrent, input.replicaSets, limits)) pick(run, why);
  }
  for (const run of runs) if (ttlExpired(run, now.getTime())) pick(run, 'its ttlStrategy expired');
  const byName = new Map(runs.map((run) => [run.metadata.name ?? '', run]));
  const effects = [...picked].flatMap(([name, why]) => {
    const run = byName.get(name);
    return run ? deleteRun(r, run, why) : [];
  });
  const expiries = runs
    .filter((run) => !picked.has(run.metadata.name ?? ''))
    .map(ttlExpiresAt)
    .filter((t): t is number => t !== undefined);
  return { effects, ...(expiries.length > 0 ? { wakeAt: Math.min(...expiries) } : {}) };
}

/**
 * The run writes of a pass without the terminations of runs it deletes: a delete ends the run, and the patch would
 * change the resourceVersion the delete is guarded by.
 */
export function withoutDeletedRuns(runWrites: Write[], deletes: Write[]): Write[] {
  const deleted = new Set(deletes.map((w) => w.target.name));
  return runWrites.filter(
    (w) => !(w.op === 'patch' && w.target.resource === 'analysisruns' && deleted.has(w.target.name)),
  );
}

/**
 * {@link planRunCleanup} for a regular pass: the runs as observed, `status` the status this pass commits, and the
 * ReplicaSets the pass deletes taken from its `revisionHistoryLimit` deletes. Nothing when the runs were not read.
 */
export function passRunCleanup(observed: Observed, status: RolloutStatus, rsDeletes: Write[]): RunCleanup {
  if (!observed.analysis) return { effects: [] };
  const names = new Set(
    rsDeletes.filter((w) => w.target.resource === 'replicasets').map((w) => w.target.name),
  );
  return planRunCleanup({
    rollout: observed.rollout,
    status,
    runs: observed.analysis.runs,
    replicaSets: observed.replicaSets,
    deletedReplicaSets: observed.replicaSets.filter((rs) => names.has(rs.metadata.name)),
    now: observed.now,
  });
}
