/** Which Rollout and ReplicaSet changes make a Rollout's work due (the Rollout/ReplicaSet watch's decisions). */
import { describe, expect, it } from '@jest/globals';
import { fullyAvailable, replicaSetWake, rolloutWake } from '../../../shared/app/watch-rollouts.js';
import {
  LABELS,
  type KubeObject,
  type Rollout,
  type RolloutStatus,
} from '../../../shared/core/model/types.js';
import { rollout as baseRollout } from './fixtures.js';

const INSTANCE = 'sluice';

/** An instance-labelled Rollout at generation 3 with the given status (observed at generation 3 by default). */
function rollout(status: Partial<RolloutStatus> | undefined, instance = INSTANCE): Rollout {
  const r = baseRollout(
    status === undefined ? undefined : { observedGeneration: '3', currentStepIndex: 1, ...status },
  );
  r.metadata = { ...r.metadata, generation: 3, labels: { [LABELS.instanceId]: instance } };
  return r;
}

describe('rolloutWake', () => {
  it.each<{ title: string; r: Rollout; due: string | undefined }>([
    { title: 'never reconciled', r: rollout(undefined), due: 'Rollout shop/reviews: never reconciled' },
    {
      title: 'a spec change (new image, pause, resume, restart) not yet observed',
      r: rollout({ observedGeneration: '2' }),
      due: 'Rollout shop/reviews: spec changed (generation 3, observed 2)',
    },
    {
      title: 'kubectl argo rollouts abort',
      r: rollout({ abort: true }),
      due: 'Rollout shop/reviews: abort requested',
    },
    {
      title: 'kubectl argo rollouts retry',
      r: rollout({ abort: false, abortedAt: '2030-01-01T00:00:00Z' }),
      due: 'Rollout shop/reviews: retry requested',
    },
    {
      title: 'kubectl argo rollouts promote (pause conditions cleared)',
      r: rollout({ controllerPause: true, pauseConditions: [] }),
      due: 'Rollout shop/reviews: promotion requested',
    },
    {
      title: 'kubectl argo rollouts promote --full',
      r: rollout({ promoteFull: true, currentPodHash: 'new', stableRS: 'old' }),
      due: 'Rollout shop/reviews: full promotion requested',
    },
    {
      title: "sluice's own commit (status moved, spec observed, no action pending)",
      r: rollout({ phase: 'Progressing', currentStepIndex: 2 }),
      due: undefined,
    },
    {
      title: 'a paused Rollout sluice already paused',
      r: rollout({
        controllerPause: true,
        pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2030-01-01T00:00:00Z' }],
      }),
      due: undefined,
    },
    { title: "another instance's Rollout", r: rollout({ abort: true }, 'other'), due: undefined },
  ])('$title', ({ r, due }) => {
    expect(rolloutWake(r, INSTANCE)).toBe(due);
  });
});

function rs(spec: number, available: number | undefined, generation = 2, observed = 2): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'reviews-abc', namespace: 'shop', generation },
    spec: { replicas: spec },
    status: available === undefined ? {} : { availableReplicas: available, observedGeneration: observed },
  } as unknown as KubeObject;
}

describe('replicaSetWake', () => {
  it.each<{
    title: string;
    type: 'ADDED' | 'MODIFIED' | 'DELETED';
    r: KubeObject;
    was: boolean | undefined;
    due: string | undefined;
  }>([
    {
      title: 'became fully available',
      type: 'MODIFIED',
      r: rs(2, 2),
      was: false,
      due: 'ReplicaSet shop/reviews-abc available',
    },
    {
      title: 'fully available, nothing seen before',
      type: 'MODIFIED',
      r: rs(2, 2),
      was: undefined,
      due: 'ReplicaSet shop/reviews-abc available',
    },
    { title: 'stayed fully available', type: 'MODIFIED', r: rs(2, 2), was: true, due: undefined },
    { title: 'partly available', type: 'MODIFIED', r: rs(3, 2), was: false, due: undefined },
    {
      title: 'scaled up by sluice (no longer available)',
      type: 'MODIFIED',
      r: rs(4, 2),
      was: true,
      due: undefined,
    },
    { title: 'created, no pods yet', type: 'ADDED', r: rs(2, undefined), was: undefined, due: undefined },
    {
      title: 'available counts of an older generation',
      type: 'MODIFIED',
      r: rs(2, 2, 3, 2),
      was: false,
      due: undefined,
    },
    {
      title: 'scaled to zero',
      type: 'MODIFIED',
      r: rs(0, 0),
      was: false,
      due: 'ReplicaSet shop/reviews-abc available',
    },
    {
      title: 'deleted',
      type: 'DELETED',
      r: rs(2, 2),
      was: true,
      due: 'ReplicaSet shop/reviews-abc deleted',
    },
  ])('$title', ({ type, r, was, due }) => {
    expect(replicaSetWake(type, r, was)).toBe(due);
  });

  it('fullyAvailable needs the current generation observed and every desired pod available', () => {
    expect(fullyAvailable(rs(2, 2))).toBe(true);
    expect(fullyAvailable(rs(2, 1))).toBe(false);
    expect(fullyAvailable(rs(2, 2, 3, 2))).toBe(false);
    expect(fullyAvailable(rs(2, undefined))).toBe(false);
  });
});
