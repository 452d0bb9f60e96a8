/**
 * The catalogue of every Kubernetes Event sluice records: the step engine's, with Argo Rollouts' reasons and
 * messages, and sluice's own (drift corrected, operator actions and request claims). Nothing else builds an Event's
 * reason or message. Pure module.
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

/** `RolloutNotCompleted` "Rollout not completed, started update to revision N (<hash>)": the Completed condition turned False. */
export const notCompleted = (revision: number, hash: string): EventRecord =>
  normal('RolloutNotCompleted', `Rollout not completed, started update to revision ${revision} (${hash})`);

/** `NewReplicaSetCreated` "Created ReplicaSet <name> (revision N)". */
export const rsCreated = (name: string, revision: number): EventRecord =>
  normal('NewReplicaSetCreated', `Created ReplicaSet ${name} (revision ${revision})`);

/** `RolloutUpdated` "Rollout updated to revision N". */
export const updated = (revision: number): EventRecord =>
  normal('RolloutUpdated', `Rollout updated to revision ${revision}`);

/** `SkipSteps` "Rollback to stable ReplicaSets". */
export const skipSteps = (): EventRecord => normal('SkipSteps', 'Rollback to stable ReplicaSets');

/** `RolloutAborted` (Warning) with the Progressing condition's message (progressDeadlineAbort). */
export const deadlineAborted = (conditionMessage: string): EventRecord => ({
  type: 'Warning',
  reason: 'RolloutAborted',
  message: conditionMessage,
});

/** `ScalingReplicaSet` "Scaled up|down ReplicaSet <name> (revision N) from A to B". */
export const scaled = (name: string, revision: number | string, from: number, to: number): EventRecord =>
  normal(
    'ScalingReplicaSet',
    `Scaled ${to > from ? 'up' : 'down'} ReplicaSet ${name} (revision ${revision}) from ${from} to ${to}`,
  );

/** `SwitchService` "Switched selector for service '<name>' from '<old>' to '<new>'". */
export const serviceSwitched = (name: string, from: string | undefined, to: string): EventRecord =>
  normal('SwitchService', `Switched selector for service '${name}' from '${from}' to '${to}'`);

/** `Updated VirtualService` "VirtualService `<name>` <what changed>" (one per change, as Argo records them). */
export const virtualServiceUpdated = (name: string, change: string): EventRecord =>
  normal('Updated VirtualService', `VirtualService \`${name}\` ${change}`);

/** `UpdatedDestinationRule` "DestinationRule <name> subset updated (<canary>: <hash>, <stable>: <hash>)". */
export const destinationRuleUpdated = (
  name: string,
  canary: { subset: string; hash: string },
  stable: { subset: string; hash: string },
): EventRecord =>
  normal(
    'UpdatedDestinationRule',
    `DestinationRule ${name} subset updated (${canary.subset}: ${canary.hash}, ${stable.subset}: ${stable.hash})`,
  );

/** `TrafficRoutingError` (Warning) with the Istio edit's error message. */
export const trafficRoutingError = (message: string): EventRecord => ({
  type: 'Warning',
  reason: 'TrafficRoutingError',
  message,
});

/**
 * `DriftCorrected` "<Kind> <ns>/<name> drifted from the committed step; restored: <before> -> <after>": a foreign
 * change to a field sluice manages was put back.
 */
export const driftCorrected = (
  object: { kind: string; namespace: string; name: string },
  before: string,
  after: string,
): EventRecord =>
  normal(
    'DriftCorrected',
    `${object.kind} ${object.namespace}/${object.name} drifted from the committed step; restored: ${before} -> ${after}`,
  );

/** `OperatorAction` "<action> by <actor>: <state before> -> <state after>". */
export const operatorActed = (action: string, actor: string, before: string, after: string): EventRecord =>
  normal('OperatorAction', `${action} by ${actor}: ${before} -> ${after}`);

/**
 * `OperatorRequest` "<action> requested by <actor> (claim <nonce>, request <fingerprint>)": the claim of one
 * request id, so a replayed delivery writes nothing. `fingerprint` is `-` when the request carries none.
 */
export const operatorRequest = (
  action: string,
  actor: string,
  nonce: string,
  fingerprint = '-',
): EventRecord =>
  normal('OperatorRequest', `${action} requested by ${actor} (claim ${nonce}, ${requestTag(fingerprint)})`);

/** The tail of an `OperatorRequest` message naming the request's fingerprint: `request <fingerprint>`. */
export const requestTag = (fingerprint = '-'): string => `request ${fingerprint}`;

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

/**
 * The canary weight a {@link trafficWeightUpdated} message records ("... to N", "... from A to B"), or undefined
 * for any other message (the dashboard's weight history reads it back).
 */
export function trafficWeightOf(message: string): number | undefined {
  const m = /^Traffic weight updated (?:from \d+ )?to (\d+)$/.exec(message);
  return m ? Number(m[1]) : undefined;
}
