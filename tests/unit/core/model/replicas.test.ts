import { describe, expect, it } from '@jest/globals';
import {
  abortOrRollbackWeight,
  abortStepWeight,
  canaryReplicaCounts,
  isFullyAvailable,
  replicaSetAvailable,
  type AbortWeightInput,
  type CanaryReplicaInput,
} from '../../../../shared/core/model/replicas.js';
import type { ReplicaSet } from '../../../../shared/core/model/types.js';

describe('canaryReplicaCounts (traffic-routed, stable stays at spec.replicas)', () => {
  it.each<[string, CanaryReplicaInput, { canary: number; stable: number }]>([
    ['weight 0 gives no canary pods', { replicas: 10, desiredWeight: 0 }, { canary: 0, stable: 10 }],
    ['weight 20 of 10 gives 2', { replicas: 10, desiredWeight: 20 }, { canary: 2, stable: 10 }],
    ['rounds a fraction up (15% of 10 → 2)', { replicas: 10, desiredWeight: 15 }, { canary: 2, stable: 10 }],
    ['rounds 1% of 4 up to 1', { replicas: 4, desiredWeight: 1 }, { canary: 1, stable: 4 }],
    ['weight 100 gives the full count', { replicas: 5, desiredWeight: 100 }, { canary: 5, stable: 5 }],
    ['33% of 3 is exactly 0.99 → 1', { replicas: 3, desiredWeight: 33 }, { canary: 1, stable: 3 }],
    ['zero replicas stay zero', { replicas: 0, desiredWeight: 50 }, { canary: 0, stable: 0 }],
    [
      'minPodsPerReplicaSet raises a small canary',
      { replicas: 10, desiredWeight: 5, minPodsPerReplicaSet: 3 },
      { canary: 3, stable: 10 },
    ],
    [
      'minPodsPerReplicaSet is capped at spec.replicas',
      { replicas: 2, desiredWeight: 10, minPodsPerReplicaSet: 5 },
      { canary: 2, stable: 2 },
    ],
    [
      'minPodsPerReplicaSet leaves a zero canary at zero',
      { replicas: 10, desiredWeight: 0, minPodsPerReplicaSet: 3 },
      { canary: 0, stable: 10 },
    ],
    [
      'minPodsPerReplicaSet does not lower a larger count',
      { replicas: 10, desiredWeight: 60, minPodsPerReplicaSet: 2 },
      { canary: 6, stable: 10 },
    ],
    [
      'explicit setCanaryScale replicas are used as-is',
      { replicas: 4, desiredWeight: 50, canaryScale: { replicas: 7 } },
      { canary: 7, stable: 4 },
    ],
    [
      'explicit replicas ignore minPodsPerReplicaSet',
      { replicas: 4, desiredWeight: 50, canaryScale: { replicas: 1 }, minPodsPerReplicaSet: 3 },
      { canary: 1, stable: 4 },
    ],
    [
      'setCanaryScale weight replaces the traffic weight',
      { replicas: 10, desiredWeight: 0, canaryScale: { weight: 30 } },
      { canary: 3, stable: 10 },
    ],
    [
      'setCanaryScale matchTrafficWeight uses the traffic weight',
      { replicas: 10, desiredWeight: 40, canaryScale: { matchTrafficWeight: true, replicas: 9 } },
      { canary: 4, stable: 10 },
    ],
  ])('%s', (_name, input, expected) => {
    expect(canaryReplicaCounts(input)).toEqual(expected);
  });
});

function rs(spec: number | undefined, status: ReplicaSet['status'], generation?: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'reviews-abc', namespace: 'shop', ...(generation === undefined ? {} : { generation }) },
    spec: spec === undefined ? {} : { replicas: spec },
    ...(status === undefined ? {} : { status }),
  };
}

describe('replicaSetAvailable', () => {
  it.each<[string, ReplicaSet, number]>([
    ['reads status.availableReplicas', rs(3, { availableReplicas: 2 }), 2],
    ['is 0 without a status', rs(3, undefined), 0],
    ['is 0 when the count is not reported', rs(3, { replicas: 3 }), 0],
  ])('%s', (_name, set, expected) => {
    expect(replicaSetAvailable(set)).toBe(expected);
  });
});

describe('isFullyAvailable', () => {
  it.each<[string, ReplicaSet, boolean]>([
    ['all desired pods available', rs(3, { availableReplicas: 3, observedGeneration: 2 }, 2), true],
    ['more available than desired (scaling down)', rs(2, { availableReplicas: 3 }), true],
    ['fewer available than desired', rs(3, { availableReplicas: 2 }), false],
    ['no status yet', rs(1, undefined), false],
    ['spec.replicas defaults to 1', rs(undefined, { availableReplicas: 1 }), true],
    ['scaled to zero', rs(0, {}), true],
    ['the latest spec not yet observed', rs(3, { availableReplicas: 3, observedGeneration: 1 }, 2), false],
    ['observedGeneration unknown', rs(3, { availableReplicas: 3 }, 2), true],
  ])('%s → %p', (_name, set, expected) => {
    expect(isFullyAvailable(set)).toBe(expected);
  });
});

// Cases named after Argo Rollouts' TestCalculateReplicaCountsForCanaryTrafficRoutingDynamicScale
// (utils/replicaset/canary_test.go), values taken from it; `desiredWeight` is what GetCanaryReplicasOrWeight gives
// there (the abort step weight of abortStepWeight when both ReplicaSets exist, else 0 on abort).
describe('canaryReplicaCounts with dynamicStableScale', () => {
  const dyn = (canary: number, stable: number, aborted = false) => ({
    dynamic: { weights: { canary, stable }, aborted },
  });
  it.each<[string, CanaryReplicaInput, { canary: number; stable: number }]>([
    [
      'Should scale stable replica up depending on next expected canary downscale step, if abort is true',
      { replicas: 10, desiredWeight: 20, ...dyn(60, 40, true) },
      { canary: 6, stable: 8 },
    ],
    [
      'Should scale stable up as if canaries are scaled down to 0 if stable and canary replicas not passed, and abort is true',
      { replicas: 10, desiredWeight: 0, ...dyn(60, 40, true) },
      { canary: 6, stable: 10 },
    ],
    [
      'Should scale down stable',
      { replicas: 10, desiredWeight: 10, ...dyn(10, 90) },
      { canary: 1, stable: 9 },
    ],
    [
      'Should take max of desired canary (20) > actual (10)',
      { replicas: 10, desiredWeight: 20, ...dyn(10, 90) },
      { canary: 2, stable: 9 },
    ],
    [
      'Should leave canary scaled up if there is still traffic to it on abort',
      { replicas: 10, desiredWeight: 0, ...dyn(20, 80, true) },
      { canary: 2, stable: 10 },
    ],
    [
      'Should reduce canary when there is less traffic to it on abort',
      { replicas: 10, desiredWeight: 0, ...dyn(10, 90, true) },
      { canary: 1, stable: 10 },
    ],
    [
      'the stable keeps the pods its recorded weight needs until traffic left it',
      { replicas: 4, desiredWeight: 75, ...dyn(25, 75) },
      { canary: 3, stable: 3 },
    ],
    [
      'no recorded weights: the stable is the inverse of the desired weight',
      { replicas: 4, desiredWeight: 75, dynamic: { aborted: false } },
      { canary: 3, stable: 1 },
    ],
    [
      'full promotion shrinks the stable only as its weight goes',
      { replicas: 4, desiredWeight: 100, ...dyn(50, 50) },
      { canary: 4, stable: 2 },
    ],
    [
      'explicit setCanaryScale replicas count as weight 0 for the stable',
      { replicas: 4, desiredWeight: 50, canaryScale: { replicas: 1 }, ...dyn(0, 100) },
      { canary: 1, stable: 4 },
    ],
    [
      'setCanaryScale weight sets the stable too',
      { replicas: 10, desiredWeight: 0, canaryScale: { weight: 30 }, ...dyn(0, 40) },
      { canary: 3, stable: 7 },
    ],
    [
      'minPodsPerReplicaSet floors both counts, explicit canary replicas included',
      {
        replicas: 10,
        desiredWeight: 90,
        canaryScale: { replicas: 1 },
        minPodsPerReplicaSet: 3,
        ...dyn(95, 5),
      },
      { canary: 3, stable: 10 },
    ],
    [
      'minPodsPerReplicaSet floors a small stable',
      { replicas: 10, desiredWeight: 95, minPodsPerReplicaSet: 3, ...dyn(95, 5) },
      { canary: 10, stable: 3 },
    ],
    [
      'a stable at weight 0 goes to 0 whatever minPodsPerReplicaSet',
      { replicas: 10, desiredWeight: 100, minPodsPerReplicaSet: 3, ...dyn(100, 0) },
      { canary: 10, stable: 0 },
    ],
  ])('%s', (_name, input, expected) => {
    expect(canaryReplicaCounts(input)).toEqual(expected);
  });
});

// GetDesiredCanaryWeight: the cases of TestCalculateReplicaCountsForCanaryTrafficRoutingDynamicScale with
// steps [setWeight 20, setWeight 60] (the 20 from newRollout), and the steps of trafficrouting_test.go.
describe('abortStepWeight (the step an aborted dynamicStableScale update is back at)', () => {
  const steps = [20, 60];
  it.each<[string, AbortWeightInput, number]>([
    [
      'canary 6 available, stable 4: back to setWeight 20',
      { replicas: 10, setWeights: steps, stableAvailable: 4, canaryAvailable: 6 },
      20,
    ],
    [
      'fewer canaries than expected: the stable shortfall (6) counts',
      { replicas: 10, setWeights: steps, stableAvailable: 4, canaryAvailable: 1 },
      20,
    ],
    [
      'TestDynamicScalingDecreaseWeightAccordingToStepWeightsAvailabilityWhenAborted: 50 while 4 canaries hold',
      { replicas: 5, setWeights: [50, undefined], stableAvailable: 3, canaryAvailable: 4 },
      50,
    ],
    [
      'the canary down to 1 pod: below every step, 0',
      { replicas: 4, setWeights: [25, undefined, 75], stableAvailable: 3, canaryAvailable: 1 },
      0,
    ],
    [
      'canary 3 of 4 at 75 with stable 1: back to 25',
      { replicas: 4, setWeights: [25, undefined, 75], stableAvailable: 1, canaryAvailable: 3 },
      25,
    ],
    [
      'no setWeight steps: 0',
      { replicas: 5, setWeights: [undefined], stableAvailable: 1, canaryAvailable: 4 },
      0,
    ],
    [
      '#4841: a canary held at minPodsPerReplicaSet with the stable fully up goes to 0 (Argo parks at 5)',
      {
        replicas: 10,
        setWeights: [5, undefined, 50],
        stableAvailable: 10,
        canaryAvailable: 3,
        minPodsPerReplicaSet: 3,
      },
      0,
    ],
    [
      'minPodsPerReplicaSet: a canary above its floor still steps back as Argo does',
      {
        replicas: 10,
        setWeights: [5, undefined, 50],
        stableAvailable: 5,
        canaryAvailable: 5,
        minPodsPerReplicaSet: 3,
      },
      5,
    ],
  ])('%s', (_name, input, expected) => {
    expect(abortStepWeight(input)).toBe(expected);
  });
});

// calculateDesiredWeightOnAbortOrStableRollback, values from rollout/trafficrouting_test.go.
describe('abortOrRollbackWeight', () => {
  it.each<[string, Parameters<typeof abortOrRollbackWeight>[0], number]>([
    [
      'TestDynamicScalingDontIncreaseWeightWhenAborted: recorded 0 stays 0 with 4 of 5 stable pods',
      { replicas: 5, stableAvailable: 4, desired: 0, recorded: 0 },
      0,
    ],
    [
      'TestDynamicScalingDecreaseWeightAccordingToStepWeightsAvailabilityWhenAborted: step 50',
      { replicas: 5, stableAvailable: 3, desired: 50, recorded: 100 },
      50,
    ],
    [
      'TestDynamicScalingDecreaseWeightAccordingToStableAvailabilityWhenAborted: 1 of 5 stable pods → 80',
      { replicas: 5, stableAvailable: 1, desired: 0, recorded: 100 },
      80,
    ],
    [
      'TestDynamicScalingDecreaseWeightAccordingToStableAvailabilityWhenAbortedAndResetService: stable up → 0',
      { replicas: 5, stableAvailable: 5, desired: 0, recorded: 20 },
      0,
    ],
    [
      'the stable cannot take the step yet: the recorded weight holds',
      { replicas: 4, stableAvailable: 1, desired: 25, recorded: 75 },
      75,
    ],
    [
      'TestDontWeightToZeroWhenDynamicallyRollingBackToStable: rolling back keeps the recorded weight',
      { replicas: 10, stableAvailable: 1, desired: 100, recorded: 10 },
      10,
    ],
    ['no recorded weights: the larger of the two', { replicas: 4, stableAvailable: 2, desired: 25 }, 50],
    ['zero replicas: 0', { replicas: 0, stableAvailable: 0, desired: 50, recorded: 50 }, 0],
  ])('%s', (_name, input, expected) => {
    expect(abortOrRollbackWeight(input)).toBe(expected);
  });
});
