/**
 * Old ReplicaSets scaled as Argo Rollouts scales them (`scaleDownOldReplicaSetsForCanary` in rollout/canary.go,
 * `scaleReplicaSet` in rollout/sync.go): a superseded canary goes to 0 at once, a promoted rollout's previous stable
 * keeps its pods until its scale-down deadline (or goes at once with dynamicStableScale), and a full scale-down
 * removes the `scale-down-deadline` annotation unless an abort delay is running.
 */
import { describe, expect, it } from '@jest/globals';
import { planScaling, type ScalingInput } from '../../../../shared/core/engine/replicasets.js';
import { ANNOTATIONS, LABELS, type ReplicaSet } from '../../../../shared/core/model/types.js';
import { applyPatch } from './support/apply-patch.js';
import { rollout, T0 } from './support/fixtures.js';

const PAST = '2025-12-31T23:00:00Z';
const FUTURE = '2026-01-01T00:10:00Z';

const rs = (hash: string, replicas: number, deadline?: string): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: `demo-${hash}`,
    namespace: 'shop',
    resourceVersion: '7',
    labels: { [LABELS.podTemplateHash]: hash },
    annotations: {
      [ANNOTATIONS.revision]: '1',
      [ANNOTATIONS.desiredReplicas]: '4',
      ...(deadline ? { [ANNOTATIONS.scaleDownDeadline]: deadline } : {}),
    },
  },
  spec: { replicas },
  status: { replicas, readyReplicas: replicas, availableReplicas: replicas },
});

type Case = {
  case: string;
  old: ReplicaSet;
  stableHash: string;
  newHash?: string;
  aborted?: boolean;
  canary?: Record<string, unknown>;
  want: { replicas: number; deadline: string | undefined | 'set' };
};

describe('old ReplicaSets as Argo scales them', () => {
  it.each<Case>([
    {
      case: 'a superseded canary (mid-update, no deadline) goes to 0 at once',
      old: rs('v2', 2),
      stableHash: 'v1',
      want: { replicas: 0, deadline: undefined },
    },
    {
      case: 'the previous stable after promotion keeps its pods and gets a deadline',
      old: rs('v1', 4),
      stableHash: 'v3',
      want: { replicas: 4, deadline: 'set' },
    },
    {
      case: 'the previous stable past its deadline goes to 0 and loses the annotation',
      old: rs('v1', 4, PAST),
      stableHash: 'v3',
      want: { replicas: 0, deadline: undefined },
    },
    {
      case: 'mid-update, an old ReplicaSet with a deadline waits for it',
      old: rs('v1', 4, FUTURE),
      stableHash: 'v0',
      want: { replicas: 4, deadline: FUTURE },
    },
    {
      case: 'dynamicStableScale: the previous stable goes to 0 at once after promotion',
      old: rs('v1', 4),
      stableHash: 'v3',
      canary: { dynamicStableScale: true },
      want: { replicas: 0, deadline: undefined },
    },
    {
      case: 'aborted with the default abort delay: the deadline stays on a ReplicaSet scaled to 0',
      old: rs('v1', 4, PAST),
      stableHash: 'v0',
      aborted: true,
      want: { replicas: 0, deadline: PAST },
    },
    {
      case: 'aborted with abortScaleDownDelaySeconds 0: a full scale-down removes the deadline',
      old: rs('v1', 4, PAST),
      stableHash: 'v0',
      aborted: true,
      canary: { abortScaleDownDelaySeconds: 0 },
      want: { replicas: 0, deadline: undefined },
    },
  ])('$case', ({ old, stableHash, newHash, aborted, canary, want }) => {
    const r = rollout('host');
    Object.assign(r.spec.strategy!.canary!, canary ?? {});
    const input: ScalingInput = {
      rollout: r,
      replicaSets: [old],
      newHash: newHash ?? 'v3',
      stableHash,
      desiredCanary: 4,
      desiredStable: 4,
      aborted: aborted ?? false,
      referenced: new Set(),
      now: T0,
    };
    const plan = planScaling(input);
    const write = plan.writes.find((w) => w.target.name === old.metadata.name);
    const after = write?.op === 'patch' ? applyPatch(old, write.patch) : old;
    expect(after.spec.replicas).toBe(want.replicas);
    const deadline = after.metadata.annotations?.[ANNOTATIONS.scaleDownDeadline];
    if (want.deadline === 'set') expect(deadline).toBe('2026-01-01T00:00:30Z');
    else expect(deadline).toBe(want.deadline);
  });
});

// `reconcileNewReplicaSet` + `shouldDelayScaleDownOnAbort` (rollout/replicaset.go) with dynamicStableScale.
describe('an aborted canary with dynamicStableScale', () => {
  const stable = (replicas: number, available: number): ReplicaSet => {
    const out = rs('v1', replicas);
    out.status = { replicas: available, readyReplicas: available, availableReplicas: available };
    return out;
  };
  it.each<{
    case: string;
    abortDelay?: number;
    stable: ReplicaSet;
    want: { replicas: number; deadline: string | undefined | 'set' };
  }>([
    {
      case: 'no explicit delay: drained to the desired count as traffic leaves it',
      stable: stable(3, 1),
      want: { replicas: 1, deadline: undefined },
    },
    {
      case: 'abortScaleDownDelaySeconds 0 explicit: drained as well (the delay only applies when non-zero)',
      abortDelay: 0,
      stable: stable(3, 1),
      want: { replicas: 1, deadline: undefined },
    },
    {
      case: 'an explicit delay keeps the canary while the stable has fewer than spec.replicas available',
      abortDelay: 30,
      stable: stable(2, 2), // fully available at its own (dynamic) size, still short of spec.replicas 4
      want: { replicas: 3, deadline: undefined },
    },
    {
      case: 'an explicit delay starts once the stable has spec.replicas available',
      abortDelay: 30,
      stable: stable(4, 4),
      want: { replicas: 3, deadline: 'set' },
    },
  ])('$case', ({ abortDelay, stable: stableRS, want }) => {
    const r = rollout('host');
    Object.assign(r.spec.strategy!.canary!, {
      dynamicStableScale: true,
      ...(abortDelay === undefined ? {} : { abortScaleDownDelaySeconds: abortDelay }),
    });
    const canary = rs('v2', 3);
    const plan = planScaling({
      rollout: r,
      replicaSets: [stableRS, canary],
      newHash: 'v2',
      stableHash: 'v1',
      desiredCanary: 1,
      desiredStable: stableRS.spec.replicas ?? 0,
      aborted: true,
      referenced: new Set(),
      now: T0,
    });
    const write = plan.writes.find((w) => w.target.name === canary.metadata.name);
    const after = write?.op === 'patch' ? applyPatch(canary, write.patch) : canary;
    expect(after.spec.replicas).toBe(want.replicas);
    const deadline = after.metadata.annotations?.[ANNOTATIONS.scaleDownDeadline];
    if (want.deadline === 'set') expect(deadline).toBe('2026-01-01T00:00:30Z');
    else expect(deadline).toBe(want.deadline);
  });
});
