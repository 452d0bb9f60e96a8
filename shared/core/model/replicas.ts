/**
 * Replica arithmetic for a traffic-routed canary (`CalculateReplicaCountsForTrafficRoutedCanary` in Argo Rollouts'
 * `utils/replicaset/canary.go`) and ReplicaSet availability. Pure module: no I/O imports.
 */
import type { ReplicaSet } from './types.js';

/** Inputs of {@link canaryReplicaCounts}. */
export interface CanaryReplicaInput {
  /** `spec.replicas` (Argo's default is 1 when unset; pass the defaulted value). */
  replicas: number;
  /**
   * Desired canary traffic weight 0–100 (100 when fully promoted / promoteFull / no stable yet; with
   * `dynamicStableScale` and an abort, the step weight of {@link abortStepWeight}).
   */
  desiredWeight: number;
  /** The `setCanaryScale` in force ({@link activeCanaryScale}); overrides the weight-derived canary count. */
  canaryScale?: { replicas?: number; weight?: number; matchTrafficWeight?: boolean };
  /** `spec.strategy.canary.minPodsPerReplicaSet`. */
  minPodsPerReplicaSet?: number;
  /**
   * Set with `dynamicStableScale: true`: the stable follows the weights. `weights` are the recorded
   * `status.canary.weights` (the previous pass's for the stable, this pass's for an aborted canary).
   */
  dynamic?: { weights?: { canary: number; stable: number }; aborted: boolean };
}

/** `ceil(weight * replicas / 100)` in integer arithmetic. */
export function weightToReplicas(replicas: number, weight: number): number {
  const product = weight * replicas;
  return product <= 0 ? 0 : Math.floor((product + 99) / 100);
}

/** `CheckMinPodsPerReplicaSet`: a non-zero count raised to `min(minPodsPerReplicaSet, replicas)`. */
function withMinPods(count: number, replicas: number, minPods: number | undefined): number {
  if (count === 0 || minPods === undefined) return count;
  return Math.max(count, Math.min(minPods, replicas));
}

/**
 * Desired canary and stable ReplicaSet sizes with traffic routing (`CalculateReplicaCountsForTrafficRoutedCanary`).
 * The canary gets an explicit `setCanaryScale.replicas` as-is, else `ceil(W * replicas / 100)` where W is
 * `setCanaryScale.weight` or the desired traffic weight, raised to `min(minPodsPerReplicaSet, replicas)` when
 * non-zero. Without `dynamicStableScale` the stable stays at `spec.replicas`. With it (`dynamic`), the stable is
 * `max(ceil((100 − W) * replicas / 100), ceil(recordedStableWeight * replicas / 100))` (W = 0 with explicit canary
 * replicas), so it shrinks only once traffic left it; an aborted canary keeps at least
 * `ceil(recordedCanaryWeight * replicas / 100)` until traffic left it; both get the `minPodsPerReplicaSet` floor.
 *
 * @example
 * ```ts
 * canaryReplicaCounts({ replicas: 10, desiredWeight: 15 }) // { canary: 2, stable: 10 }
 * canaryReplicaCounts({ replicas: 10, desiredWeight: 5, minPodsPerReplicaSet: 2 }) // { canary: 2, stable: 10 }
 * canaryReplicaCounts({ replicas: 4, desiredWeight: 75, dynamic: { weights: { canary: 25, stable: 75 }, aborted: false } })
 * // { canary: 3, stable: 3 }
 * ```
 */
export function canaryReplicaCounts(input: CanaryReplicaInput): { canary: number; stable: number } {
  const { replicas, desiredWeight, canaryScale, minPodsPerReplicaSet, dynamic } = input;
  const scale = canaryScale && !canaryScale.matchTrafficWeight ? canaryScale : undefined;
  const explicit = scale?.replicas;
  const weight = explicit !== undefined ? 0 : (scale?.weight ?? desiredWeight);
  let canary =
    explicit !== undefined
      ? explicit
      : withMinPods(weightToReplicas(replicas, weight), replicas, minPodsPerReplicaSet);
  if (!dynamic) return { canary, stable: replicas };
  let stable = weightToReplicas(replicas, 100 - weight);
  if (dynamic.weights) {
    stable = Math.max(stable, weightToReplicas(replicas, dynamic.weights.stable));
    if (dynamic.aborted) canary = Math.max(canary, weightToReplicas(replicas, dynamic.weights.canary));
  }
  return {
    canary: withMinPods(canary, replicas, minPodsPerReplicaSet),
    stable: withMinPods(stable, replicas, minPodsPerReplicaSet),
  };
}

/** What {@link abortStepWeight} and {@link abortOrRollbackWeight} read of the ReplicaSets and the spec. */
export interface AbortWeightInput {
  /** `spec.replicas` (defaulted). */
  replicas: number;
  /** The `setWeight` values of the steps, in step order (`undefined` for other steps). */
  setWeights: (number | undefined)[];
  /** Available pods of the stable and the canary (desired) ReplicaSet. */
  stableAvailable: number;
  canaryAvailable: number;
  minPodsPerReplicaSet?: number;
}

/**
 * `GetDesiredCanaryWeight` for an aborted update with `dynamicStableScale`: walking the steps backwards, the first
 * `setWeight` whose canary count is below what the canary still holds (`max(replicas − stableAvailable,
 * canaryAvailable)`), else 0. The weight so steps back through the `setWeight` values as stable pods come up and
 * canary pods go. One deliberate difference: a canary held at its `minPodsPerReplicaSet` floor says nothing about
 * traffic, so only the stable's shortfall counts then (Argo parks the weight at a small step forever, #4841).
 */
export function abortStepWeight(input: AbortWeightInput): number {
  const { replicas, setWeights, stableAvailable, canaryAvailable, minPodsPerReplicaSet } = input;
  const expected = replicas - stableAvailable;
  const floor = Math.min(minPodsPerReplicaSet ?? 0, replicas);
  const held = canaryAvailable <= floor ? expected : Math.max(expected, canaryAvailable);
  for (let i = setWeights.length - 1; i >= 0; i--) {
    const w = setWeights[i];
    if (w !== undefined && weightToReplicas(replicas, w) < held) return w;
  }
  return 0;
}

/**
 * `calculateDesiredWeightOnAbortOrStableRollback` with `dynamicStableScale`: the canary weight while an abort (or a
 * rollback to the stable template) moves traffic back only as fast as the stable can take it. `desired` is the
 * step weight ({@link abortStepWeight} when aborted, the current `setWeight` when rolling back) and `recorded` the
 * canary weight in `status.canary.weights` (undefined when none). The weight never goes back up while stable
 * availability flaps.
 */
export function abortOrRollbackWeight(
  input: Pick<AbortWeightInput, 'replicas' | 'stableAvailable'> & { desired: number; recorded?: number },
): number {
  const { replicas, stableAvailable, desired, recorded } = input;
  if (replicas <= 0) return 0;
  const stableWeight = Math.floor((100 * stableAvailable) / replicas);
  const expected = Math.max(0, 100 - stableWeight);
  if (recorded === undefined) return Math.max(expected, desired);
  if (desired <= 0) return Math.min(expected, recorded);
  if (stableWeight < 100 - desired) return recorded;
  return Math.min(desired, recorded);
}

/** `status.availableReplicas` of a ReplicaSet, 0 when not reported yet. */
export function replicaSetAvailable(rs: ReplicaSet): number {
  return rs.status?.availableReplicas ?? 0;
}

/**
 * True when a ReplicaSet has at least `spec.replicas` (default 1) available pods and its controller has observed
 * the latest spec (`status.observedGeneration` not behind `metadata.generation`, when both are known), so the
 * available count refers to the current size. A ReplicaSet scaled to 0 counts as fully available.
 */
export function isFullyAvailable(rs: ReplicaSet): boolean {
  const desired = rs.spec.replicas ?? 1;
  const observed = rs.status?.observedGeneration;
  const generation = rs.metadata.generation;
  if (observed !== undefined && generation !== undefined && observed < generation) return false;
  return replicaSetAvailable(rs) >= desired;
}
