/**
 * Progress deadline, as Argo Rollouts computes it (`RolloutProgressing`, `RolloutTimedOut`, `requeueStuckRollout`
 * in `utils/conditions` and `rollout/sync.go`): a rollout that has made no progress for
 * `spec.progressDeadlineSeconds` (default 600) since the Progressing condition's `lastUpdateTime` times out
 * (Progressing False `ProgressDeadlineExceeded`, `ReplicaSet "<rs>" has timed out progressing.`). Paused rollouts
 * and rollouts at a pause, experiment or analysis step never time out; an aborted rollout is not judged.
 *
 * Pure module: no I/O; time is passed in.
 */
import type { Rollout, RolloutCondition, RolloutStatus } from '../model/types.js';

/** `spec.progressDeadlineSeconds` default (Argo Rollouts: 600). */
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

/** Progressing condition reason of a timed-out rollout. */
export const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';

/** `ReplicaSet "<rs>" has timed out progressing.` (`ReplicaSetTimeOutMessage`). */
export const timedOutMessage = (rsName: string): string =>
  `ReplicaSet "${rsName}" has timed out progressing.`;

/** `spec.progressDeadlineSeconds`, or 600 when unset or not a non-negative number. */
export function progressDeadlineSeconds(r: Rollout): number {
  const v = r.spec.progressDeadlineSeconds;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : DEFAULT_PROGRESS_DEADLINE_SECONDS;
}

/**
 * The current step is one that waits by design (`isIndefiniteStep`: pause, experiment, analysis), so the deadline
 * does not apply while the rollout is at it.
 */
export function atIndefiniteStep(r: Rollout, status: RolloutStatus | undefined = r.status): boolean {
  const steps = r.spec.strategy?.canary?.steps ?? [];
  const step = steps[Math.max(0, status?.currentStepIndex ?? 0)];
  return (
    step !== undefined &&
    (step.pause !== undefined || step.experiment !== undefined || step.analysis !== undefined)
  );
}

/**
 * Argo's `RolloutProgressing`: `next` shows progress over `prev` — updated replicas changed, fewer old replicas,
 * more ready or available replicas, a new stable ReplicaSet, another step index, or other steps.
 */
export function madeProgress(prev: RolloutStatus, next: RolloutStatus): boolean {
  const n = (v: number | undefined): number => v ?? 0;
  const stepMoved =
    prev.currentStepIndex !== undefined &&
    next.currentStepIndex !== undefined &&
    prev.currentStepIndex !== next.currentStepIndex;
  return (
    n(next.updatedReplicas) !== n(prev.updatedReplicas) ||
    n(next.replicas) - n(next.updatedReplicas) < n(prev.replicas) - n(prev.updatedReplicas) ||
    n(next.readyReplicas) > n(prev.readyReplicas) ||
    n(next.availableReplicas) > n(prev.availableReplicas) ||
    (prev.stableRS ?? '') !== (next.stableRS ?? '') ||
    stepMoved ||
    (prev.currentStepHash ?? '') !== (next.currentStepHash ?? '')
  );
}

/**
 * The instant (epoch ms) after which the Progressing condition `cond` counts as timed out, or undefined when it
 * cannot time out (no condition, or reason RolloutAborted / NewReplicaSetAvailable / RolloutPaused).
 */
export function deadlineOf(r: Rollout, cond: RolloutCondition | undefined): number | undefined {
  if (!cond || ['RolloutAborted', 'NewReplicaSetAvailable', 'RolloutPaused'].includes(cond.reason)) {
    return undefined;
  }
  const from = Date.parse(cond.lastUpdateTime);
  return Number.isNaN(from) ? undefined : from + progressDeadlineSeconds(r) * 1000;
}

/**
 * Argo's `RolloutTimedOut` on the Progressing condition as last committed: already `ProgressDeadlineExceeded`, or
 * its `lastUpdateTime` + deadline is strictly before `now`.
 */
export function timedOut(r: Rollout, cond: RolloutCondition | undefined, now: Date): boolean {
  if (cond?.reason === TIMED_OUT_REASON) return true;
  const deadline = deadlineOf(r, cond);
  return deadline !== undefined && deadline < now.getTime();
}

/**
 * Seconds until a pass should check the deadline again (`requeueStuckRollout`): undefined when paused, aborted,
 * at an indefinite step, already timed out or healthy; at least 1, and one second past the deadline so the check
 * then sees it passed.
 */
export function secondsUntilDeadline(r: Rollout, status: RolloutStatus, now: Date): number | undefined {
  const paused = r.spec.paused === true || (status.pauseConditions?.length ?? 0) > 0;
  if (paused || status.abort === true || atIndefiniteStep(r, status)) return undefined;
  const cond = status.conditions?.find((c) => c.type === 'Progressing');
  if (!cond || cond.reason === TIMED_OUT_REASON) return undefined;
  const deadline = deadlineOf(r, cond);
  if (deadline === undefined) return undefined;
  return Math.max(1, Math.floor((deadline - now.getTime()) / 1000) + 1);
}
