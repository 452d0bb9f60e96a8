/** The differential suite's transcription of Argo CD's Rollout health check (canary), one row per branch. */
import { describe, expect, it } from '@jest/globals';
import type { Rollout, RolloutStatus } from '../../../shared/core/model/types.js';
import { argoCdHealth } from '../../differential/argocd-health.js';

const HEALTHY: RolloutStatus = {
  observedGeneration: '2',
  currentPodHash: 'h1',
  stableRS: 'h1',
  replicas: 4,
  updatedReplicas: 4,
  availableReplicas: 4,
};

function rollout(status: Partial<RolloutStatus> | undefined, spec: Record<string, unknown> = {}): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'demo', namespace: 'shop', generation: 2 },
    spec: { replicas: 4, strategy: { canary: {} }, ...spec },
    ...(status ? { status: { ...HEALTHY, ...status } } : {}),
  } as Rollout;
}

const aborted = { type: 'Progressing', status: 'False', reason: 'RolloutAborted', message: 'aborted' };

describe('argoCdHealth', () => {
  it.each<[string, Rollout, string]>([
    ['stable is the current hash, counts complete', rollout({}), 'Healthy'],
    ['no status yet', rollout(undefined), 'Progressing'],
    ['generation not observed', rollout({ observedGeneration: '1' }), 'Progressing'],
    ['aborted', rollout({ conditions: [aborted] as RolloutStatus['conditions'] }), 'Degraded'],
    [
      'pause condition',
      rollout({ pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 't' }] }),
      'Suspended',
    ],
    ['spec.paused', rollout({}, { paused: true }), 'Suspended'],
    ['spec.paused false', rollout({}, { paused: false }), 'Healthy'],
    ['updated replicas missing', rollout({ updatedReplicas: 1 }), 'Progressing'],
    ['old replicas left', rollout({ replicas: 5 }), 'Progressing'],
    ['updated not yet available', rollout({ availableReplicas: 3 }), 'Progressing'],
    ['canary is not stable yet', rollout({ currentPodHash: 'h2' }), 'Progressing'],
  ])('%s → %s', (_what, r, status) => {
    expect(argoCdHealth(r).status).toBe(status);
  });
});
