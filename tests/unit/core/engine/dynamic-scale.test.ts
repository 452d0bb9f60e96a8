/**
 * dynamicStableScale in the traffic planner: the weights of an abort, of a rollback to the stable template and of a
 * full promotion, and which hash the canary side keeps (`reconcileTrafficRouting` branches 1, 3 and 5). Values from
 * Argo Rollouts' rollout/trafficrouting_test.go where a test exists.
 */
import { describe, expect, it } from '@jest/globals';
import { desiredWeight, planTraffic } from '../../../../shared/core/engine/traffic.js';
import type { TrafficInput } from '../../../../shared/core/engine/types.js';
import {
  LABELS,
  type CanaryStep,
  type ReplicaSet,
  type RolloutStatus,
} from '../../../../shared/core/model/types.js';
import { NS, T0, rollout, service } from './support/fixtures.js';

const rs = (hash: string, replicas: number, available: number): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: `demo-${hash}`, namespace: NS, labels: { [LABELS.podTemplateHash]: hash } },
  spec: { replicas, selector: { matchLabels: {} }, template: {} },
  status: { replicas: available, availableReplicas: available },
});

const weights = (canary: number, canaryHash = 'new'): RolloutStatus['canary'] => ({
  weights: {
    canary: { weight: canary, podTemplateHash: canaryHash, serviceName: 'demo-canary' },
    stable: { weight: 100 - canary, podTemplateHash: 'old', serviceName: 'demo-stable' },
  },
});

interface Row {
  case: string;
  replicas: number;
  steps: CanaryStep[];
  status: RolloutStatus;
  /** [replicas, available] of the ReplicaSets `old` (stable) and `new`. */
  old: [number, number];
  fresh?: [number, number];
  /** The desired hash (`new`, or `old` when the template went back to the stable's). */
  newHash?: string;
  canary?: Record<string, unknown>;
  want: { weight: number; branch: string; canaryHash?: string };
}

function svc(name: string, hash: string): ReturnType<typeof service> {
  const out = service(name);
  out.spec = { ...out.spec, selector: { app: 'demo', [LABELS.podTemplateHash]: hash } };
  return out;
}

function input(row: Row): TrafficInput {
  const r = rollout('host', row.steps);
  r.spec.replicas = row.replicas;
  Object.assign(r.spec.strategy?.canary ?? {}, { dynamicStableScale: true, ...row.canary });
  const replicaSets = [rs('old', ...row.old), ...(row.fresh ? [rs('new', ...row.fresh)] : [])];
  const withStatus = { ...r, status: { stableRS: 'old', ...row.status } };
  return {
    observed: {
      rollout: withStatus,
      replicaSets,
      services: { 'demo-canary': svc('demo-canary', 'new'), 'demo-stable': svc('demo-stable', 'old') },
      virtualServices: [],
      now: T0,
    },
    rollout: withStatus,
    newHash: row.newHash ?? 'new',
    stableHash: 'old',
    atDesiredCounts: true,
  };
}

const S50: CanaryStep[] = [{ setWeight: 50 }, { pause: {} }];

describe('desiredWeight with dynamicStableScale', () => {
  it.each<Row>([
    {
      case: 'TestDynamicScalingDontIncreaseWeightWhenAborted: recorded 0 stays 0',
      replicas: 5,
      steps: S50,
      status: { abort: true, currentStepIndex: 0, canary: weights(0) },
      old: [5, 4],
      fresh: [0, 0],
      want: { weight: 0, branch: 'aborted' },
    },
    {
      case: 'TestDynamicScalingDecreaseWeightAccordingToStepWeightsAvailabilityWhenAborted: 50',
      replicas: 5,
      steps: S50,
      status: { abort: true, currentStepIndex: 0, canary: weights(100) },
      old: [5, 3],
      fresh: [4, 4],
      want: { weight: 50, branch: 'aborted' },
    },
    {
      case: 'TestDynamicScalingDecreaseWeightAccordingToStableAvailabilityWhenAborted: 80',
      replicas: 5,
      steps: [{ pause: {} }],
      status: { abort: true, currentStepIndex: 0, canary: weights(100) },
      old: [5, 1],
      fresh: [4, 4],
      want: { weight: 80, branch: 'aborted' },
    },
    {
      case: 'TestDynamicScalingDecreaseWeightAccordingToStableAvailabilityWhenAbortedAndResetService: 0',
      replicas: 5,
      steps: S50,
      status: { abort: true, currentStepIndex: 0, canary: weights(20) },
      old: [5, 5],
      fresh: [0, 0],
      want: { weight: 0, branch: 'aborted' },
    },
    {
      case: '#4841: canary held at minPodsPerReplicaSet, stable fully up → 0 (Argo: 5)',
      replicas: 10,
      steps: [{ setWeight: 5 }, { pause: {} }, { setWeight: 50 }, { pause: {} }],
      canary: { minPodsPerReplicaSet: 3 },
      status: { abort: true, currentStepIndex: 0, canary: weights(5) },
      old: [10, 10],
      fresh: [3, 3],
      want: { weight: 0, branch: 'aborted' },
    },
    {
      case: 'TestRolloutUseDynamicWeightOnPromoteFull: 5 of 10 canary pods → 50',
      replicas: 10,
      steps: [{ setWeight: 5 }, { setWeight: 25 }],
      status: { promoteFull: true, currentStepIndex: 0, canary: weights(5) },
      old: [5, 5],
      fresh: [10, 5],
      want: { weight: 50, branch: 'promote-full' },
    },
    {
      case: '#4424: promoteFull with a canary larger than spec.replicas is capped at 100 (Argo: 150)',
      replicas: 4,
      steps: [{ setCanaryScale: { replicas: 6 } }, { setWeight: 50 }],
      status: { promoteFull: true, currentStepIndex: 1, canary: weights(50) },
      old: [2, 2],
      fresh: [6, 6],
      want: { weight: 100, branch: 'promote-full' },
    },
    {
      case: 'TestDontWeightToZeroWhenDynamicallyRollingBackToStable: the recorded 10 holds, split with it',
      replicas: 10,
      steps: [{ setWeight: 90 }, { pause: {} }],
      newHash: 'old',
      status: { currentPodHash: 'old', currentStepIndex: 2, canary: weights(10, 'new') },
      old: [10, 1],
      fresh: [9, 9],
      want: { weight: 10, branch: 'rollback', canaryHash: 'new' },
    },
    {
      case: 'rolled back and the stable fully available: promoted, weight 0',
      replicas: 10,
      steps: [{ setWeight: 90 }, { pause: {} }],
      newHash: 'old',
      status: { currentPodHash: 'old', currentStepIndex: 2, canary: weights(10, 'new') },
      old: [10, 10],
      fresh: [9, 9],
      want: { weight: 0, branch: 'promoted' },
    },
  ])('$case', (row) => {
    expect(desiredWeight(input(row))).toEqual(row.want);
  });
});

/** The JSON Patch operations of the pass's write to the canary Service. */
const canaryServiceOps = (plan: ReturnType<typeof planTraffic>): unknown[] =>
  plan.writes.flatMap((w) => (w.op === 'patch' && w.target.name === 'demo-canary' ? w.patch : []));

describe('planTraffic with dynamicStableScale: the canary side while traffic is still on it', () => {
  const aborted = (stableAvailable: number): Row => ({
    case: 'abort',
    replicas: 4,
    steps: [{ setWeight: 25 }, { pause: {} }, { setWeight: 75 }, { pause: {} }],
    status: { abort: true, currentStepIndex: 0, canary: weights(75) },
    old: [4, stableAvailable],
    fresh: [3, 3],
    want: { weight: 0, branch: 'aborted' },
  });

  it('an abort with weight left on the canary keeps the canary Service and records the canary hash', () => {
    const plan = planTraffic(input(aborted(3)));
    expect(plan.weight).toBe(25);
    expect(JSON.stringify(canaryServiceOps(plan))).not.toContain('/spec/selector');
    expect(plan.weights?.canary).toMatchObject({ weight: 25, podTemplateHash: 'new' });
  });

  it('the abort at weight 0 points the canary Service at the stable pods', () => {
    const row = aborted(4);
    row.status = { ...row.status, canary: weights(25) };
    row.fresh = [1, 1];
    const plan = planTraffic(input(row));
    expect(plan.weight).toBe(0);
    expect(canaryServiceOps(plan)).toContainEqual({
      op: 'replace',
      path: `/spec/selector/${LABELS.podTemplateHash.replace('/', '~1')}`,
      value: 'old',
    });
  });
});
