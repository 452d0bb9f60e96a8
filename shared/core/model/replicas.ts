/**
 * Replica arithmetic for a traffic-routed canary (`CalculateReplicaCountsForTrafficRoutedCanary` in Argo Rollouts'
 * `utils/replicaset/canary.go`) and ReplicaSet availability. Pure module: no I/O imports.
 */
import type { ReplicaSet } from './types.js';

/** Inputs of {@link canaryReplicaCounts}. */
export interface CanaryReplicaInput {
  /** `spec.replicas` (Argo's default is 1 when unset; pass the defaulted value). */
  replicas: number;
  /** Desired canary traffic weight 0–100 (100 when fully promoted / promoteFull / no stable yet). */
  desiredWeight: number;
  /** The `setCanaryScale` in force ({@link activeCanaryScale}); overrides the weight-derived canary count. */
  canaryScale?: { replicas?: number; weight?: number; matchTrafficWeight?: boolean };
  /** `spec.strategy.canary.minPodsPerReplicaSet`. */
  minPodsPerReplicaSet?: number;
}

/** `ceil(weight * replicas / 100)` in integer arithmetic. */
export function weightToReplicas(replicas: number, weight: number): number {
  const product = weight * replicas;
  return product <= 0 ? 0 : Math.floor((product + 99) / 100);
}

/**
 * Desired canary and stable ReplicaSet sizes with traffic routing and without `dynamicStableScale` (sluice does not
 * support it yet): the stable ReplicaSet stays at `spec.replicas`; the canary gets an explicit
 * `setCanaryScale.replicas` as-is, else `ceil(W * replicas / 100)` where W is `setCanaryScale.weight` or the
 * desired traffic weight, raised to `min(minPodsPerReplicaSet, replicas)` when non-zero.
 *
 * @example
 * ```ts
 * canaryReplicaCounts({ replicas: 10, desiredWeight: 15 }) // { canary: 2, stable: 10 }
 * canaryReplicaCounts({ replicas: 10, desiredWeight: 5, minPodsPerReplicaSet: 2 }) // { canary: 2, stable: 10 }
 * ```
 */
export function canaryReplicaCounts(input: CanaryReplicaInput): { canary: number; stable: number } {
  const { replicas, desiredWeight, canaryScale, minPodsPerReplicaSet } = input;
  const stable = replicas;
  if (canaryScale && !canaryScale.matchTrafficWeight && canaryScale.replicas !== undefined) {
    return { canary: canaryScale.replicas, stable };
  }
  const weight =
    canaryScale && !canaryScale.matchTrafficWeight && canaryScale.weight !== undefined
      ? canaryScale.weight
      : desiredWeight;
  const count = weightToReplicas(replicas, weight);
  if (count === 0 || minPodsPerReplicaSet === undefined) return { canary: count, stable };
  return { canary: Math.max(count, Math.min(minPodsPerReplicaSet, replicas)), stable };
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
