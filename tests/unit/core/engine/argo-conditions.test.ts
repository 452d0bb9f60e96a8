/**
 * Conditions as Argo Rollouts writes them (`rollout/sync.go` checkPausedConditions and calculateRolloutConditions,
 * `utils/conditions/conditions.go` RolloutHealthy): Healthy only when the old ReplicaSet's pods are gone, Paused
 * with reason RolloutPaused both ways, Paused kept while aborted.
 */
import { describe, expect, it } from '@jest/globals';
import { buildStatus } from '../../../../shared/core/engine/status-builder.js';
import type { ReplicaSet, RolloutCondition, RolloutStatus } from '../../../../shared/core/model/types.js';
import { rollout, T0 } from './support/fixtures.js';

const rs = (hash: string, replicas: number, available = replicas): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: `demo-${hash}`,
    namespace: 'shop',
    labels: { 'rollouts-pod-template-hash': hash },
    annotations: { 'rollout.argoproj.io/revision': hash === 'new' ? '2' : '1' },
  },
  spec: { replicas },
  status: { replicas, readyReplicas: available, availableReplicas: available },
});

const cond = (type: string, status: string, reason: string, message: string): RolloutCondition => ({
  type,
  status: status as RolloutCondition['status'],
  reason,
  message,
  lastUpdateTime: '2025-12-31T00:00:00Z',
  lastTransitionTime: '2025-12-31T00:00:00Z',
});

const promoted: RolloutStatus = { stableRS: 'new', currentPodHash: 'new', currentStepIndex: 4 };
const healthyBefore = cond('Healthy', 'False', 'RolloutHealthy', 'Rollout is not healthy');

type Case = {
  case: string;
  rss: ReplicaSet[];
  status: RolloutStatus;
  before?: RolloutCondition[];
  want: Record<string, [string, string, string] | undefined>;
};

describe('conditions as Argo writes them', () => {
  it.each<Case>([
    {
      case: 'promoted while the old ReplicaSet still has pods: Healthy False, Progressing ReplicaSetUpdated',
      rss: [rs('new', 4), rs('old', 4)],
      status: promoted,
      before: [healthyBefore],
      want: {
        Healthy: ['False', 'RolloutHealthy', 'Rollout is not healthy'],
        Progressing: ['True', 'ReplicaSetUpdated', 'ReplicaSet "demo-new" is progressing.'],
      },
    },
    {
      case: 'promoted and the old ReplicaSet at 0: Healthy True, NewReplicaSetAvailable',
      rss: [rs('new', 4), rs('old', 0)],
      status: promoted,
      before: [healthyBefore],
      want: {
        Healthy: ['True', 'RolloutHealthy', 'Rollout is healthy'],
        Progressing: ['True', 'NewReplicaSetAvailable', 'ReplicaSet "demo-new" has successfully progressed.'],
      },
    },
    {
      case: 'never healthy before and not healthy now: no Healthy condition yet',
      rss: [rs('new', 4, 2)],
      status: { ...promoted },
      want: { Healthy: undefined },
    },
    {
      case: 'resumed after a pause: Paused False with reason RolloutPaused',
      rss: [rs('new', 1), rs('old', 4)],
      status: { stableRS: 'old', currentPodHash: 'new', currentStepIndex: 2 },
      before: [cond('Paused', 'True', 'RolloutPaused', 'Rollout is paused')],
      want: { Paused: ['False', 'RolloutPaused', 'Rollout is paused'] },
    },
    {
      case: 'paused at a step: Paused True',
      rss: [rs('new', 1), rs('old', 4)],
      status: {
        stableRS: 'old',
        currentPodHash: 'new',
        currentStepIndex: 1,
        pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }],
      },
      want: { Paused: ['True', 'RolloutPaused', 'Rollout is paused'] },
    },
    {
      case: 'aborted while paused: Paused True is kept',
      rss: [rs('new', 1), rs('old', 4)],
      status: { stableRS: 'old', currentPodHash: 'new', currentStepIndex: 0, abort: true },
      before: [cond('Paused', 'True', 'RolloutPaused', 'Rollout is paused')],
      want: {
        Paused: ['True', 'RolloutPaused', 'Rollout is paused'],
        Progressing: ['False', 'RolloutAborted', 'Rollout aborted update to revision 2'],
      },
    },
  ])('$case', ({ rss, status, before, want }) => {
    const r = rollout('host');
    r.status = { ...status, conditions: before ?? [] };
    const s = buildStatus(
      { rollout: r, replicaSets: rss, newRS: rss[0], now: T0 },
      structuredClone(r.status),
    );
    for (const [type, expected] of Object.entries(want)) {
      const c = s.conditions?.find((x) => x.type === type);
      expect(c ? [c.status, c.reason, c.message] : undefined).toEqual(expected);
    }
  });
});
