import { describe, expect, it } from '@jest/globals';
import {
  computePhase,
  kubeTime,
  removeCondition,
  setCondition,
} from '../../../../shared/core/model/status.js';
import type { Rollout, RolloutCondition, RolloutStatus } from '../../../../shared/core/model/types.js';
import { istioRollout } from './fixtures.js';

const T0 = '2030-01-01T00:00:00Z';
const NOW = new Date('2030-01-01T00:05:00.789Z');
const cond = (
  type: string,
  status: RolloutCondition['status'],
  reason: string,
  message = '',
): RolloutCondition => ({
  type,
  status,
  reason,
  message,
  lastUpdateTime: T0,
  lastTransitionTime: T0,
});
/** A settled rollout of 4 replicas; each row overrides what it needs. */
const settled: RolloutStatus = {
  currentPodHash: 'abc',
  stableRS: 'abc',
  replicas: 4,
  updatedReplicas: 4,
  availableReplicas: 4,
  conditions: [cond('Available', 'True', 'AvailableReason')],
};

describe('computePhase', () => {
  it.each<[string, (r: Rollout) => void, Partial<RolloutStatus>, string, string]>([
    ['a settled rollout is Healthy', () => {}, {}, 'Healthy', ''],
    [
      'an InvalidSpec condition makes it Degraded',
      (r) => void (r.spec.paused = true),
      { conditions: [cond('InvalidSpec', 'True', 'InvalidSpec', 'The Rollout "reviews" is invalid: x')] },
      'Degraded',
      'InvalidSpec: The Rollout "reviews" is invalid: x',
    ],
    [
      'an aborted Progressing condition makes it Degraded',
      () => {},
      {
        conditions: [cond('Progressing', 'False', 'RolloutAborted', 'Rollout aborted update to revision 2')],
      },
      'Degraded',
      'RolloutAborted: Rollout aborted update to revision 2',
    ],
    [
      'a progress deadline makes it Degraded',
      () => {},
      {
        conditions: [
          cond(
            'Progressing',
            'False',
            'ProgressDeadlineExceeded',
            'ReplicaSet "reviews-abc" has timed out progressing.',
          ),
        ],
      },
      'Degraded',
      'ProgressDeadlineExceeded: ReplicaSet "reviews-abc" has timed out progressing.',
    ],
    [
      'conditions are scanned in list order',
      () => {},
      {
        conditions: [
          cond('Progressing', 'False', 'RolloutAborted', 'first'),
          cond('InvalidSpec', 'True', 'InvalidSpec', 'second'),
        ],
      },
      'Degraded',
      'RolloutAborted: first',
    ],
    [
      'spec.paused is a manual pause',
      (r) => void (r.spec.paused = true),
      { pauseConditions: [{ reason: 'CanaryPauseStep', startTime: T0 }] },
      'Paused',
      'manually paused',
    ],
    [
      'a pause condition pauses with its reason',
      () => {},
      { pauseConditions: [{ reason: 'CanaryPauseStep', startTime: T0 }] },
      'Paused',
      'CanaryPauseStep',
    ],
    [
      'a pending restart is Progressing',
      (r) => void (r.spec['restartAt'] = '2030-01-01T00:01:00Z'),
      {},
      'Progressing',
      'rollout is restarting',
    ],
    [
      'a restart already done is not pending',
      (r) => void (r.spec['restartAt'] = '2030-01-01T00:01:00Z'),
      { restartedAt: '2030-01-01T00:01:00Z' },
      'Healthy',
      '',
    ],
    [
      'too few updated replicas',
      () => {},
      { updatedReplicas: 3 },
      'Progressing',
      'more replicas need to be updated',
    ],
    [
      'spec.replicas defaults to 1',
      (r) => delete r.spec.replicas,
      { updatedReplicas: 0, availableReplicas: 0 },
      'Progressing',
      'more replicas need to be updated',
    ],
    [
      'updated replicas not yet available',
      () => {},
      { availableReplicas: 3 },
      'Progressing',
      'updated replicas are still becoming available',
    ],
    [
      'a canary not yet promoted',
      () => {},
      { currentPodHash: 'def' },
      'Progressing',
      'waiting for all steps to complete',
    ],
    [
      'no stable ReplicaSet yet',
      () => {},
      { stableRS: undefined },
      'Progressing',
      'waiting for all steps to complete',
    ],
  ])('%s', (_name, mutate, status, phase, message) => {
    expect(computePhase(istioRollout(mutate), { ...settled, ...status })).toEqual({ phase, message });
  });
});

describe('setCondition', () => {
  const base = [
    cond('Available', 'True', 'AvailableReason', 'ok'),
    cond('Progressing', 'True', 'NewReplicaSetAvailable', 'done'),
  ];

  it('returns the same array when status, reason and message are unchanged', () => {
    const next = {
      type: 'Progressing',
      status: 'True' as const,
      reason: 'NewReplicaSetAvailable',
      message: 'done',
    };
    expect(setCondition(base, next, NOW)).toBe(base);
  });

  it.each<[string, { status: RolloutCondition['status']; reason: string; message: string }, string]>([
    [
      'keeps lastTransitionTime when only the reason changes',
      { status: 'True', reason: 'ReplicaSetUpdated', message: 'done' },
      T0,
    ],
    [
      'keeps lastTransitionTime when only the message changes',
      { status: 'True', reason: 'NewReplicaSetAvailable', message: 'x' },
      T0,
    ],
    [
      'moves lastTransitionTime when the status changes',
      { status: 'False', reason: 'RolloutAborted', message: 'x' },
      '2030-01-01T00:05:00Z',
    ],
  ])('%s, updates lastUpdateTime and moves the condition last', (_name, change, transition) => {
    const out = setCondition(base, { type: 'Progressing', ...change }, NOW);
    expect(out).not.toBe(base);
    expect(out.map((c) => c.type)).toEqual(['Available', 'Progressing']);
    expect(out[1]).toEqual({
      type: 'Progressing',
      ...change,
      lastUpdateTime: '2030-01-01T00:05:00Z',
      lastTransitionTime: transition,
    });
    expect(base[1]?.reason).toBe('NewReplicaSetAvailable');
  });

  it.each<[string, RolloutCondition[] | undefined]>([
    ['to no conditions', undefined],
    ['after existing ones', base],
  ])('adds a new condition %s with both times now', (_name, existing) => {
    const out = setCondition(
      existing,
      { type: 'InvalidSpec', status: 'True', reason: 'InvalidSpec', message: 'm' },
      NOW,
    );
    expect(out.at(-1)).toEqual({
      ...cond('InvalidSpec', 'True', 'InvalidSpec', 'm'),
      lastUpdateTime: '2030-01-01T00:05:00Z',
      lastTransitionTime: '2030-01-01T00:05:00Z',
    });
    expect(out).toHaveLength((existing?.length ?? 0) + 1);
  });
});

describe('removeCondition', () => {
  const base = [cond('Available', 'True', 'a'), cond('InvalidSpec', 'True', 'InvalidSpec')];
  it.each<[string, RolloutCondition[] | undefined, string, string[]]>([
    ['removes the condition of that type', base, 'InvalidSpec', ['Available']],
    ['keeps the others when the type is absent', base, 'Paused', ['Available', 'InvalidSpec']],
    ['gives an empty list for no conditions', undefined, 'Paused', []],
  ])('%s', (_name, conditions, type, expected) => {
    expect(removeCondition(conditions, type).map((c) => c.type)).toEqual(expected);
  });

  it('returns the same array when nothing was removed', () => {
    expect(removeCondition(base, 'Paused')).toBe(base);
  });
});

describe('kubeTime', () => {
  it('writes RFC 3339 UTC with whole seconds, as metav1.Time does', () => {
    expect(kubeTime(NOW)).toBe('2030-01-01T00:05:00Z');
  });
});
