import { describe, expect, it } from '@jest/globals';
import {
  canaryReplicaCounts,
  isFullyAvailable,
  replicaSetAvailable,
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
