/**
 * Rollout phase and conditions, computed as Argo Rollouts computes them (`CalculateRolloutPhase` in
 * `utils/rollout/rolloututil.go`, `SetRolloutCondition` in `utils/conditions`). Time is passed in. Pure module.
 */
import type { Rollout, RolloutCondition, RolloutStatus } from './types.js';

/** A Rollout phase. */
export type RolloutPhase = 'Progressing' | 'Paused' | 'Healthy' | 'Degraded';

/** Condition reasons that make a Rollout Degraded. */
const DEGRADED_REASONS = new Set(['RolloutAborted', 'ProgressDeadlineExceeded']);

function restartPending(r: Rollout, status: RolloutStatus): boolean {
  const restartAt = r.spec['restartAt'];
  if (typeof restartAt !== 'string') return false;
  const restartedAt = status['restartedAt'];
  return typeof restartedAt !== 'string' || Date.parse(restartAt) !== Date.parse(restartedAt);
}

/**
 * The phase and message for `status.phase` / `status.message` of a traffic-routed canary, first hit wins:
 * InvalidSpec condition → Degraded `InvalidSpec: <message>`; a condition with reason RolloutAborted or
 * ProgressDeadlineExceeded → Degraded `<reason>: <message>` (conditions scanned once, in list order);
 * `spec.paused` → Paused `manually paused`; a pause condition → Paused `<reason>`; restart pending → Progressing
 * `rollout is restarting`; fewer updated replicas than `spec.replicas` → `more replicas need to be updated`;
 * fewer available than updated → `updated replicas are still becoming available`; stable ≠ current →
 * `waiting for all steps to complete`; else Healthy with an empty message.
 *
 * @example
 * ```ts
 * const { phase, message } = computePhase(rollout, nextStatus);
 * ```
 */
export function computePhase(r: Rollout, status: RolloutStatus): { phase: RolloutPhase; message: string } {
  const degraded = degradedMessage(status);
  if (degraded !== undefined) return { phase: 'Degraded', message: degraded };
  if (r.spec.paused) return { phase: 'Paused', message: 'manually paused' };
  const pause = status.pauseConditions?.[0];
  if (pause) return { phase: 'Paused', message: pause.reason };
  const progressing = progressingMessage(r, status);
  if (progressing !== undefined) return { phase: 'Progressing', message: progressing };
  return { phase: 'Healthy', message: '' };
}

function degradedMessage(status: RolloutStatus): string | undefined {
  for (const cond of status.conditions ?? []) {
    if (cond.type === 'InvalidSpec') return `InvalidSpec: ${cond.message}`;
    if (DEGRADED_REASONS.has(cond.reason)) return `${cond.reason}: ${cond.message}`;
  }
  return undefined;
}

function progressingMessage(r: Rollout, status: RolloutStatus): string | undefined {
  const updated = status.updatedReplicas ?? 0;
  if (restartPending(r, status)) return 'rollout is restarting';
  if (updated < (r.spec.replicas ?? 1)) return 'more replicas need to be updated';
  if ((status.availableReplicas ?? 0) < updated) return 'updated replicas are still becoming available';
  if (!status.stableRS || status.stableRS !== status.currentPodHash)
    return 'waiting for all steps to complete';
  return undefined;
}

/** A Kubernetes `metav1.Time` string: RFC 3339 in UTC with whole seconds. */
export function kubeTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A condition to set: everything but the timestamps. */
export interface ConditionUpdate {
  type: string;
  status: RolloutCondition['status'];
  reason: string;
  message: string;
}

/**
 * Sets a condition as `SetRolloutCondition` does. When a condition of that type already has the same status,
 * reason and message, the input array itself is returned (callers compare by identity to detect "no change").
 * Otherwise the old condition is removed and the new one appended at the end, with `lastUpdateTime = now` and
 * `lastTransitionTime` kept from the old condition when the status did not change (else `now`).
 */
export function setCondition(
  conditions: RolloutCondition[] | undefined,
  next: ConditionUpdate,
  now: Date,
): RolloutCondition[] {
  const current = conditions?.find((c) => c.type === next.type);
  if (
    conditions &&
    current &&
    current.status === next.status &&
    current.reason === next.reason &&
    current.message === next.message
  ) {
    return conditions;
  }
  const time = kubeTime(now);
  const condition: RolloutCondition = {
    type: next.type,
    status: next.status,
    reason: next.reason,
    message: next.message,
    lastUpdateTime: time,
    lastTransitionTime: current && current.status === next.status ? current.lastTransitionTime : time,
  };
  return [...removeCondition(conditions, next.type), condition];
}

/** The conditions without any of `type`; the input array itself when there was none (no change). */
export function removeCondition(
  conditions: RolloutCondition[] | undefined,
  type: string,
): RolloutCondition[] {
  if (!conditions) return [];
  return conditions.some((c) => c.type === type) ? conditions.filter((c) => c.type !== type) : conditions;
}

/** The condition of `type`, if any. */
export function getCondition(
  conditions: RolloutCondition[] | undefined,
  type: string,
): RolloutCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition and always stamps `lastUpdateTime = now`, keeping `lastTransitionTime` when the status did not
 * change: Argo's handling of the Progressing condition when a rollout made progress (the progress deadline counts
 * from the last progress). The condition moves to the end of the list, as with {@link setCondition}.
 */
export function refreshCondition(
  conditions: RolloutCondition[] | undefined,
  next: ConditionUpdate,
  now: Date,
): RolloutCondition[] {
  const current = conditions?.find((c) => c.type === next.type);
  const time = kubeTime(now);
  const condition: RolloutCondition = {
    ...next,
    lastUpdateTime: time,
    lastTransitionTime: current && current.status === next.status ? current.lastTransitionTime : time,
  };
  return [...removeCondition(conditions, next.type), condition];
}
