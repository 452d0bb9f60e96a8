/**
 * `spec.restartAt` (what `kubectl argo rollouts restart` sets): which of a Rollout's pods to evict, how many at
 * once, and when the restart is done, as Argo Rollouts' pod restarter decides it (`rollout/restart.go`,
 * `NeedsRestart` and `MaxUnavailable` in `utils/replicaset`). Pure module: the caller lists the pods, sends the
 * evictions and commits `status.restartedAt`; time is passed in.
 *
 * How a pass uses it:
 * 1. {@link needsRestart}: only then are pods read at all.
 * 2. {@link planRestart}: the pods created before `restartAt` (in list order) and how many may be evicted now.
 * 3. The caller evicts candidates in order until `budget` evictions landed; an eviction refused with 429 (a
 *    PodDisruptionBudget) is skipped and does not use the budget.
 * 4. {@link restartOutcome}: after any eviction the pass ends there (no scaling, no status) and runs again in 30 s;
 *    with old pods left and none evicted the pass goes on and runs again in 30 s; with none left the pass commits
 *    `status.restartedAt = spec.restartAt`. No Events are recorded, as Argo records none.
 */
import type { KubeObject, LabelSelector, Rollout } from '../model/types.js';
import type { ReplicaSet } from '../model/types.js';
import { selectorMatches } from '../model/selector.js';
import { rolloutReplicas } from './replicasets.js';

/** Seconds after which a pass with pods still to restart runs again (Argo's `restartPodCheckTime`). */
export const RESTART_CHECK_SECONDS = 30;

/** Argo's default `maxSurge` and `maxUnavailable` of a canary. */
const DEFAULT_FENCEPOST = '25%';

/** A pod as the restart reads it (narrow). */
export interface RestartPod extends KubeObject {
  metadata: KubeObject['metadata'] & { deletionTimestamp?: string };
  status?: {
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    [key: string]: unknown;
  };
}

/** What {@link planRestart} reads. */
export interface RestartInput {
  rollout: Rollout;
  /** The Rollout's ReplicaSets (owned by it). */
  replicaSets: ReplicaSet[];
  /** The pods the Rollout's selector lists in its namespace, in the API server's list order. */
  pods: RestartPod[];
  now: Date;
}

/** The restart's decision for one pass. */
export interface RestartPlan {
  /** Names of the pods to evict, in order: created before `restartAt` and not being deleted. */
  candidates: string[];
  /** How many evictions may land in this pass (`available − (max(replicas, total) − max(maxUnavailable, 1))`). */
  budget: number;
  /** Pods created before `restartAt`, including those already being deleted. */
  needsRestart: number;
}

/** What the pass does after its evictions (see {@link restartOutcome}). */
export type RestartOutcome =
  | { kind: 'stop'; requeueAfterSeconds: number }
  | { kind: 'continue'; requeueAfterSeconds: number }
  | { kind: 'done'; restartedAt: string };

function restartAtOf(r: Rollout): string | undefined {
  const at = r.spec['restartAt'];
  return typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? at : undefined;
}

/**
 * Argo's `NeedsRestart`: `spec.restartAt` is set, differs from `status.restartedAt`, and `now` is after it.
 *
 * @example
 * needsRestart(rollout, new Date()) // true once restartAt has passed and no restart recorded it
 */
export function needsRestart(r: Rollout, now: Date): boolean {
  const at = restartAtOf(r);
  if (at === undefined) return false;
  const done = r.status?.['restartedAt'];
  if (typeof done === 'string' && Date.parse(done) === Date.parse(at)) return false;
  return now.getTime() > Date.parse(at);
}

/**
 * When a `restartAt` still ahead of `now` comes due (Argo enqueues the Rollout for that time): its ISO time, or
 * undefined when there is none ahead.
 */
export function restartWakeAt(r: Rollout, now: Date): string | undefined {
  const at = restartAtOf(r);
  if (at === undefined || now.getTime() > Date.parse(at)) return undefined;
  const done = r.status?.['restartedAt'];
  if (typeof done === 'string' && Date.parse(done) === Date.parse(at)) return undefined;
  return new Date(Date.parse(at)).toISOString();
}

/** `GetScaledValueFromIntOrPercent`: an int as-is, a percentage of `total` rounded up or down. */
function scaled(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  if (!m) return 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * Argo's `MaxUnavailable` of a canary: `maxUnavailable` (default 25%) of `spec.replicas` rounded down, 1 when it and
 * `maxSurge` (default 25%, rounded up) are both 0, at most `spec.replicas`; 0 when `spec.replicas` is 0.
 */
export function maxUnavailable(r: Rollout): number {
  const replicas = rolloutReplicas(r);
  if (replicas === 0) return 0;
  const canary = r.spec.strategy?.canary ?? {};
  const surge = scaled(canary['maxSurge'] ?? DEFAULT_FENCEPOST, replicas, true);
  let unavailable = scaled(canary['maxUnavailable'] ?? DEFAULT_FENCEPOST, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return Math.min(unavailable, replicas);
}

/**
 * `IsPodAvailable`: Ready, and Ready for longer than `minReadySeconds` (strictly before `now`) when that is set.
 */
export function podAvailable(pod: RestartPod, minReadySeconds: number, now: Date): boolean {
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds === 0) return true;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < now.getTime();
}

/** The pods the restart may touch: matching the selector and owned by one of the Rollout's ReplicaSets. */
export function rolloutPods(input: Pick<RestartInput, 'rollout' | 'replicaSets' | 'pods'>): RestartPod[] {
  const uids = new Set(input.replicaSets.map((rs) => rs.metadata.uid).filter((u) => u !== undefined));
  const selector = input.rollout.spec.selector;
  return input.pods.filter(
    (pod) =>
      pod.metadata.namespace === input.rollout.metadata.namespace &&
      (selector === undefined || selectorMatches(selector, pod.metadata.labels)) &&
      (pod.metadata.ownerReferences ?? []).some((ref) => uids.has(ref.uid)),
  );
}

function minReadySecondsOf(r: Rollout): number {
  const v = r.spec['minReadySeconds'];
  return typeof v === 'number' ? v : 0;
}

/**
 * Which pods to evict in this pass and how many may go: the Rollout's pods ({@link rolloutPods}) created before
 * `restartAt` are candidates in list order (those already being deleted are counted, not evicted again); the budget
 * keeps `max(spec.replicas, the ReplicaSets' total spec.replicas) − max(maxUnavailable, 1)` pods available, where a
 * pod is available when Ready for `minReadySeconds` and not being deleted. Call only when {@link needsRestart}.
 *
 * @example
 * planRestart({ rollout, replicaSets, pods, now }) // { candidates: ['web-abc-1', 'web-abc-2'], budget: 1, needsRestart: 2 }
 */
export function planRestart(input: RestartInput): RestartPlan {
  const r = input.rollout;
  const at = Date.parse(restartAtOf(r) ?? '');
  const pods = rolloutPods(input);
  const total = input.replicaSets.reduce((sum, rs) => sum + (rs.spec.replicas ?? 1), 0);
  const minReady = minReadySecondsOf(r);
  const available = pods.filter(
    (p) => p.metadata.deletionTimestamp === undefined && podAvailable(p, minReady, input.now),
  ).length;
  const effectiveMinAvailable = Math.max(rolloutReplicas(r), total) - Math.max(maxUnavailable(r), 1);
  const old = pods.filter((p) => Date.parse(p.metadata.creationTimestamp ?? '') < at);
  return {
    candidates: old.filter((p) => p.metadata.deletionTimestamp === undefined).map((p) => p.metadata.name),
    budget: Math.max(0, available - effectiveMinAvailable),
    needsRestart: old.length,
  };
}

/**
 * After the pass's evictions (`evicted` of them landed): `stop` when any landed (the ReplicaSets' availability no
 * longer counts the evicted pods, so nothing else is decided on it), `continue` when old pods remain, else `done`
 * with the `status.restartedAt` to commit (the Rollout's `spec.restartAt`).
 */
export function restartOutcome(r: Rollout, p: RestartPlan, evicted: number): RestartOutcome {
  if (evicted > 0) return { kind: 'stop', requeueAfterSeconds: RESTART_CHECK_SECONDS };
  if (p.needsRestart > 0) return { kind: 'continue', requeueAfterSeconds: RESTART_CHECK_SECONDS };
  return { kind: 'done', restartedAt: restartAtOf(r) ?? '' };
}

/** What the regular pass takes from the restart once the app layer evicted nothing (see {@link restartInPass}). */
export interface RestartInPass {
  /** `status.restartedAt` to commit: every pod is newer than `restartAt`. */
  restartedAt?: string;
  /** Epoch ms to run again at: old pods remain (30 s), or a `restartAt` still ahead comes due. */
  wakeAt?: number;
  /** Why, for the plan's reason. */
  reason?: string;
}

/**
 * The restart's part in a pass that evicted nothing: with the pods read (a restart is due) either every pod is
 * current (commit `restartedAt`) or old pods remain (run again in 30 s); a `restartAt` still ahead wakes the Rollout
 * at that time. Empty when there is no restart.
 */
export function restartInPass(
  observed: Pick<RestartInput, 'rollout' | 'replicaSets' | 'now'> & { pods?: RestartPod[] },
): RestartInPass {
  const { rollout: r, now } = observed;
  const ahead = restartWakeAt(r, now);
  if (ahead !== undefined) return { wakeAt: Date.parse(ahead), reason: `restart at ${ahead}` };
  if (observed.pods === undefined || !needsRestart(r, now)) return {};
  const p = planRestart({ ...observed, pods: observed.pods });
  const out = restartOutcome(r, p, 0);
  if (out.kind === 'done')
    return { restartedAt: out.restartedAt, reason: 'every pod is newer than restartAt' };
  return {
    wakeAt: now.getTime() + out.requeueAfterSeconds * 1000,
    reason: `${p.needsRestart} pod(s) older than restartAt wait for their restart`,
  };
}

/**
 * Argo's `metav1.FormatLabelSelector`: the selector as a `labelSelector` query (requirements sorted by key, values
 * sorted), `''` for an empty selector.
 */
export function formatLabelSelector(sel: LabelSelector | undefined): string {
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    const text =
      e.operator === 'In'
        ? `${e.key} in (${values})`
        : e.operator === 'NotIn'
          ? `${e.key} notin (${values})`
          : e.operator === 'Exists'
            ? e.key
            : `!${e.key}`;
    reqs.push({ key: e.key, text });
  }
  return reqs
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.text)
    .join(',');
}
