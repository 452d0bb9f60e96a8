/**
 * Kubernetes Events of the step engine, with Argo Rollouts' reasons and messages. Pure module.
 */
import type { RolloutStatus } from '../model/types.js';
import type { EventRecord } from './types.js';

const normal = (reason: string, message: string): EventRecord => ({ type: 'Normal', reason, message });

/** `RolloutStepCompleted` "Rollout step i/n completed (<step>)"; i = the 1-based number of the completed step. */
export const stepCompleted = (i: number, n: number, step: string): EventRecord =>
  normal('RolloutStepCompleted', `Rollout step ${i}/${n} completed (${step})`);

/** `RolloutPaused` "Rollout is paused (<reason>)". */
export const paused = (reason: string): EventRecord =>
  normal('RolloutPaused', `Rollout is paused (${reason})`);

/** `RolloutResumed` "Rollout is resumed". */
export const resumed = (): EventRecord => normal('RolloutResumed', 'Rollout is resumed');

/** `RolloutAborted` (Warning) "Rollout aborted update to revision N". */
export const aborted = (revision: number): EventRecord => ({
  type: 'Warning',
  reason: 'RolloutAborted',
  message: `Rollout aborted update to revision ${revision}`,
});

/** `RolloutCompleted` "Rollout completed update to revision N (<hash>): <reason>". */
export const completed = (revision: number, hash: string, reason: string): EventRecord =>
  normal('RolloutCompleted', `Rollout completed update to revision ${revision} (${hash}): ${reason}`);

/** `NewReplicaSetCreated` "Created ReplicaSet <name> (revision N)". */
export const rsCreated = (name: string, revision: number): EventRecord =>
  normal('NewReplicaSetCreated', `Created ReplicaSet ${name} (revision ${revision})`);

/** `RolloutUpdated` "Rollout updated to revision N". */
export const updated = (revision: number): EventRecord =>
  normal('RolloutUpdated', `Rollout updated to revision ${revision}`);

/** `SkipSteps` "Rollback to stable ReplicaSets". */
export const skipSteps = (): EventRecord => normal('SkipSteps', 'Rollback to stable ReplicaSets');

/** `InvalidSpec` (Warning) with the condition message. */
export const invalidSpec = (message: string): EventRecord => ({
  type: 'Warning',
  reason: 'InvalidSpec',
  message,
});

type Weights = NonNullable<NonNullable<RolloutStatus['canary']>['weights']>;

/**
 * `TrafficWeightUpdated` "Traffic weight updated <details>" when the recorded weights change: "to N" without
 * previous weights, "from A to B" when the canary weight changed (empty details when only hashes changed).
 */
export function trafficWeightUpdated(before: Weights | undefined, after: Weights): EventRecord {
  let details = '';
  if (!before) details = `to ${after.canary.weight}`;
  else if (before.canary.weight !== after.canary.weight)
    details = `from ${before.canary.weight} to ${after.canary.weight}`;
  return normal('TrafficWeightUpdated', `Traffic weight updated ${details}`);
}
