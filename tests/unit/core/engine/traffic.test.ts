/** desiredWeight: the canary weight of one pass and the branch of `reconcileTrafficRouting` that chose it. */
import { describe, expect, it } from '@jest/globals';
import { desiredWeight } from '../../../../shared/core/engine/traffic.js';
import type { TrafficInput } from '../../../../shared/core/engine/types.js';
import {
  LABELS,
  type CanaryStep,
  type ReplicaSet,
  type RolloutStatus,
} from '../../../../shared/core/model/types.js';
import { NS, STEPS, T0, rollout } from './support/fixtures.js';

const rs = (hash: string, available: number): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: `demo-${hash}`, namespace: NS, labels: { [LABELS.podTemplateHash]: hash } },
  spec: { replicas: 1, selector: { matchLabels: {} }, template: {} },
  status: { replicas: available, availableReplicas: available },
});

interface Row {
  case: string;
  status: RolloutStatus;
  steps?: CanaryStep[];
  /** Available pods of the canary ReplicaSet `new`; undefined = no such ReplicaSet. */
  canaryAvailable?: number;
  stable?: string;
  atDesiredCounts?: boolean;
  want: { weight: number; branch: string };
}

const input = (row: Row): TrafficInput => {
  const r = rollout('host', row.steps ?? STEPS);
  const replicaSets =
    row.canaryAvailable === undefined ? [rs('old', 1)] : [rs('old', 1), rs('new', row.canaryAvailable)];
  return {
    observed: { rollout: r, replicaSets, services: {}, virtualServices: [], now: T0 },
    rollout: { ...r, status: row.status },
    newHash: 'new',
    stableHash: row.stable ?? 'old',
    atDesiredCounts: row.atDesiredCounts ?? true,
  };
};

const weights = (canary: number): RolloutStatus['canary'] => ({
  weights: {
    canary: { weight: canary, podTemplateHash: 'new', serviceName: 'demo-canary' },
    stable: { weight: 100 - canary, podTemplateHash: 'old', serviceName: 'demo-stable' },
  },
});

describe('desiredWeight', () => {
  it.each<Row>([
    {
      case: 'promoted: stable is the new hash',
      status: { currentStepIndex: 2 },
      canaryAvailable: 1,
      stable: 'new',
      want: { weight: 0, branch: 'promoted' },
    },
    {
      case: 'promoted wins over abort',
      status: { abort: true },
      canaryAvailable: 1,
      stable: 'new',
      want: { weight: 0, branch: 'promoted' },
    },
    {
      case: 'aborted',
      status: { abort: true, currentStepIndex: 2 },
      canaryAvailable: 1,
      want: { weight: 0, branch: 'aborted' },
    },
    {
      case: 'aborted wins over promoteFull',
      status: { abort: true, promoteFull: true },
      canaryAvailable: 1,
      want: { weight: 0, branch: 'aborted' },
    },
    {
      case: 'no canary ReplicaSet',
      status: { currentStepIndex: 2 },
      want: { weight: 0, branch: 'no-canary' },
    },
    {
      case: 'canary without an available pod',
      status: { currentStepIndex: 2 },
      canaryAvailable: 0,
      want: { weight: 0, branch: 'no-canary' },
    },
    {
      case: 'promoteFull keeps the recorded weight',
      status: { promoteFull: true, canary: weights(25) },
      canaryAvailable: 1,
      want: { weight: 25, branch: 'promote-full' },
    },
    {
      case: 'promoteFull with no recorded weight',
      status: { promoteFull: true },
      canaryAvailable: 1,
      want: { weight: 0, branch: 'promote-full' },
    },
    { case: 'no steps', status: {}, steps: [], canaryAvailable: 1, want: { weight: 0, branch: 'steps' } },
    {
      case: 'step 0 (setWeight 25) at counts',
      status: { currentStepIndex: 0 },
      canaryAvailable: 1,
      want: { weight: 25, branch: 'steps' },
    },
    {
      case: 'step 0 not at counts: the weight before it',
      status: { currentStepIndex: 0 },
      canaryAvailable: 1,
      atDesiredCounts: false,
      want: { weight: 0, branch: 'steps' },
    },
    {
      case: 'step index unset counts as 0',
      status: {},
      canaryAvailable: 1,
      want: { weight: 25, branch: 'steps' },
    },
    {
      case: 'pause after setWeight 25',
      status: { currentStepIndex: 1 },
      canaryAvailable: 1,
      want: { weight: 25, branch: 'steps' },
    },
    {
      case: 'step 2 (setWeight 50) at counts',
      status: { currentStepIndex: 2 },
      canaryAvailable: 1,
      want: { weight: 50, branch: 'steps' },
    },
    {
      case: 'step 2 not at counts keeps 25',
      status: { currentStepIndex: 2 },
      canaryAvailable: 1,
      atDesiredCounts: false,
      want: { weight: 25, branch: 'steps' },
    },
    {
      case: 'timed pause after 50',
      status: { currentStepIndex: 3 },
      canaryAvailable: 1,
      want: { weight: 50, branch: 'steps' },
    },
    {
      case: 'past the last step: all traffic',
      status: { currentStepIndex: 4 },
      canaryAvailable: 1,
      want: { weight: 100, branch: 'steps' },
    },
    {
      case: 'past the last step, not at counts: last setWeight',
      status: { currentStepIndex: 4 },
      canaryAvailable: 1,
      atDesiredCounts: false,
      want: { weight: 50, branch: 'steps' },
    },
    {
      case: 'steps without setWeight give 0',
      status: { currentStepIndex: 1 },
      steps: [{ pause: {} }, { pause: {} }],
      canaryAvailable: 1,
      want: { weight: 0, branch: 'steps' },
    },
  ])('$case → $want.weight ($want.branch)', (row) => {
    expect(desiredWeight(input(row))).toEqual(row.want);
  });
});
