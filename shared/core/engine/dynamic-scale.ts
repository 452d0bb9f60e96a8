/**
 * `spec.strategy.canary.dynamicStableScale`: the stable ReplicaSet scaled as the inverse of the canary weight. The
 * weights of an abort, of a rollback to the stable template and of a full promotion, read from the observed
 * ReplicaSets (`calculateDesiredWeightOnAbortOrStableRollback`, `IsDynamicallyRollingBackToStable` and the
 * promoteFull branch of `reconcileTrafficRouting` in Argo Rollouts); the replica math is
 * `../model/replicas.ts`.
 *
 * Pure module: no I/O.
 */
import type { ReplicaSet, Rollout } from '../model/types.js';
import { abortOrRollbackWeight, abortStepWeight, replicaSetAvailable } from '../model/replicas.js';
import { currentSetWeight } from '../model/steps.js';
import { findReplicaSetByHash, rolloutReplicas } from './replicasets.js';

/** True when the Rollout scales its stable ReplicaSet with the traffic weight. */
export function isDynamic(r: Rollout): boolean {
  return r.spec.strategy?.canary?.dynamicStableScale === true;
}

/** The recorded `status.canary.weights` as plain numbers (undefined when none). */
export function recordedWeights(r: Rollout): { canary: number; stable: number } | undefined {
  const w = r.status?.canary?.weights;
  return w ? { canary: w.canary.weight, stable: w.stable.weight } : undefined;
}

/**
 * The step weight an aborted update with dynamicStableScale is at (`GetDesiredCanaryWeight`,
 * {@link abortStepWeight}); 0 without dynamicStableScale or while the canary or stable ReplicaSet is missing.
 */
export function abortDesiredWeight(
  r: Rollout,
  newRS: ReplicaSet | undefined,
  stableRS: ReplicaSet | undefined,
): number {
  if (!isDynamic(r) || !newRS || !stableRS) return 0;
  return abortStepWeight({
    replicas: rolloutReplicas(r),
    setWeights: (r.spec.strategy?.canary?.steps ?? []).map((s) => s.setWeight),
    stableAvailable: replicaSetAvailable(stableRS),
    canaryAvailable: replicaSetAvailable(newRS),
    minPodsPerReplicaSet: r.spec.strategy?.canary?.minPodsPerReplicaSet,
  });
}

/**
 * The canary weight of an abort or of a rollback to the stable template: 0 without dynamicStableScale (the stable
 * is fully scaled), else only as much traffic back to the stable as its available pods take
 * ({@link abortOrRollbackWeight}). `newRS` is the desired ReplicaSet (the stable itself when rolling back).
 */
export function abortWeight(r: Rollout, rss: ReplicaSet[], newHash: string, stableHash: string): number {
  const newRS = findReplicaSetByHash(rss, newHash);
  const stableRS = findReplicaSetByHash(rss, stableHash);
  if (!isDynamic(r) || !newRS || !stableRS || rolloutReplicas(r) === 0) return 0;
  const desired = r.status?.abort === true ? abortDesiredWeight(r, newRS, stableRS) : currentSetWeight(r);
  const recorded = recordedWeights(r)?.canary;
  return abortOrRollbackWeight({
    replicas: rolloutReplicas(r),
    stableAvailable: replicaSetAvailable(stableRS),
    desired,
    ...(recorded !== undefined ? { recorded } : {}),
  });
}

/**
 * `IsDynamicallyRollingBackToStable`: fully promoted (the template went back to the stable's) with
 * dynamicStableScale while the recorded weights still name another canary hash and the stable ReplicaSet is not
 * fully available. Returns that recorded canary hash (traffic is balanced between it and the stable), or undefined.
 */
export function rollingBackFrom(
  r: Rollout,
  rss: ReplicaSet[],
  newHash: string,
  stableHash: string,
): string | undefined {
  if (!isDynamic(r) || newHash !== stableHash) return undefined;
  const recorded = r.status?.canary?.weights?.canary.podTemplateHash;
  if (recorded === undefined || recorded === newHash) return undefined;
  const desired = findReplicaSetByHash(rss, newHash);
  if (!desired || replicaSetAvailable(desired) >= rolloutReplicas(r)) return undefined;
  return recorded;
}

/**
 * The weight of a full promotion with dynamicStableScale: the canary's share of `spec.replicas` by its available
 * pods, capped at 100 (Argo can write more than 100 when `setCanaryScale` made the canary larger, #4424).
 */
export function promoteFullWeight(r: Rollout, newRS: ReplicaSet): number {
  const replicas = rolloutReplicas(r);
  if (replicas <= 0) return 0;
  return Math.min(100, Math.floor((100 * replicaSetAvailable(newRS)) / replicas));
}
