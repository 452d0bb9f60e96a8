/** The differential scenarios: the same manifests and the same kubectl-argo-rollouts commands on both sides. */
import type { CanaryStep, Rollout } from '../../shared/core/model/types.js';
import { hostSeed, IMAGE_V2, IMAGE_V3, subsetSeed, workloadRefSeed } from '../journeys/fixtures.js';

/** What a scenario can do on one side. */
export interface Driver {
  /** The real `kubectl argo rollouts` plugin, with `-n <this side's namespace>` appended. */
  plugin(...args: string[]): void;
  setImage(image: string): Promise<void>;
  /** Sets the image of the Deployment `reviews` a workloadRef names (a new template for the Rollout). */
  setWorkloadImage(image: string): Promise<void>;
}

/** A point where both sides are compared once they reached `until` and went quiet. */
export interface Checkpoint {
  name: string;
  act?: (d: Driver) => Promise<void>;
  until: (r: Rollout) => boolean;
}

export interface Scenario {
  name: string;
  objects: () => unknown[];
  checkpoints: Checkpoint[];
}

export const STEPS: CanaryStep[] = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }];
/** A short scale-down delay so the old ReplicaSet goes to 0 within the scenario. */
export const CANARY = { scaleDownDelaySeconds: 2, abortScaleDownDelaySeconds: 2 };

export const observed = (r: Rollout): boolean =>
  r.status?.observedGeneration === String(r.metadata.generation ?? '');
export const healthy = (r: Rollout): boolean =>
  observed(r) &&
  r.status?.phase === 'Healthy' &&
  !!r.status.stableRS &&
  r.status.stableRS === r.status.currentPodHash &&
  r.status.replicas === r.spec.replicas;
export const pausedAt =
  (step: number) =>
  (r: Rollout): boolean =>
    observed(r) && r.status?.phase === 'Paused' && r.status.currentStepIndex === step;
const degraded = (r: Rollout): boolean => r.status?.phase === 'Degraded';

export const deploy: Checkpoint = { name: 'initial deploy', until: healthy };
const update: Checkpoint = {
  name: 'new image: paused at step 2',
  act: (d) => d.setImage(IMAGE_V2),
  until: pausedAt(1),
};

/**
 * Without steps (the field left out: Argo's Update of the whole object would drop an empty list) and with
 * `revisionHistoryLimit: 1`: three revisions leave the current and one old ReplicaSet.
 */
function historySeed(): unknown[] {
  const objects = hostSeed({ canary: CANARY }) as { kind: string; spec: Record<string, unknown> }[];
  const rollout = objects.find((o) => o.kind === 'Rollout');
  if (rollout) {
    rollout.spec['revisionHistoryLimit'] = 1;
    delete (rollout.spec['strategy'] as { canary: Record<string, unknown> }).canary['steps'];
  }
  return objects;
}

/** The first scenarios; more are added as sluice's differences are closed. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'host-level: revisionHistoryLimit 1 over three revisions',
    objects: historySeed,
    checkpoints: [
      deploy,
      { name: 'second revision: healthy', act: (d) => d.setImage(IMAGE_V2), until: healthy },
      {
        name: 'third revision: healthy, the first ReplicaSet deleted',
        act: (d) => d.setImage(IMAGE_V3),
        until: healthy,
      },
    ],
  },
  {
    name: 'host-level: setWeight, pause, promote, promote --full',
    objects: () => hostSeed({ steps: STEPS, canary: CANARY }),
    checkpoints: [
      deploy,
      update,
      {
        name: 'promote: paused at step 4',
        act: async (d) => d.plugin('promote', 'reviews'),
        until: pausedAt(3),
      },
      {
        name: 'promote --full: healthy',
        act: async (d) => d.plugin('promote', 'reviews', '--full'),
        until: healthy,
      },
    ],
  },
  {
    name: 'subset-level: setWeight, pause, promote',
    objects: () => {
      const objects = subsetSeed(STEPS) as { kind: string; spec: Record<string, unknown> }[];
      const rollout = objects.find((o) => o.kind === 'Rollout');
      const strategy = rollout?.spec['strategy'] as { canary: Record<string, unknown> };
      Object.assign(strategy.canary, CANARY);
      return objects;
    },
    checkpoints: [
      deploy,
      update,
      {
        name: 'promote: paused at step 4',
        act: async (d) => d.plugin('promote', 'reviews'),
        until: pausedAt(3),
      },
      { name: 'promote: healthy', act: async (d) => d.plugin('promote', 'reviews'), until: healthy },
    ],
  },
  {
    name: 'host-level: abort while paused',
    objects: () => hostSeed({ steps: STEPS, canary: CANARY }),
    checkpoints: [
      deploy,
      update,
      { name: 'abort: degraded', act: async (d) => d.plugin('abort', 'reviews'), until: degraded },
    ],
  },
  {
    name: 'host-level: abort, then retry',
    objects: () => hostSeed({ steps: STEPS, canary: CANARY }),
    checkpoints: [
      deploy,
      update,
      { name: 'abort: degraded', act: async (d) => d.plugin('abort', 'reviews'), until: degraded },
      {
        name: 'retry: paused at step 2 again',
        act: async (d) => d.plugin('retry', 'rollout', 'reviews'),
        until: pausedAt(1),
      },
    ],
  },
  {
    name: 'host-level: workloadRef to a Deployment, scaleDown onsuccess, a template change in the Deployment',
    objects: () => {
      const objects = workloadRefSeed({ ref: { scaleDown: 'onsuccess' }, steps: STEPS }) as {
        kind: string;
        spec: Record<string, unknown>;
      }[];
      const rollout = objects.find((o) => o.kind === 'Rollout');
      Object.assign((rollout?.spec['strategy'] as { canary: Record<string, unknown> }).canary, CANARY);
      return objects;
    },
    checkpoints: [
      deploy,
      {
        name: 'Deployment template changed: paused at step 2',
        act: (d) => d.setWorkloadImage(IMAGE_V2),
        until: pausedAt(1),
      },
      {
        name: 'promote --full: healthy',
        act: async (d) => d.plugin('promote', 'reviews', '--full'),
        until: healthy,
      },
    ],
  },
];

/** dynamicStableScale: the stable follows the weight; an abort moves traffic back as stable pods come up. */
const DYNAMIC = { dynamicStableScale: true };
const abortedAtZero = (r: Rollout): boolean => degraded(r) && r.status?.canary?.weights?.canary.weight === 0;

SCENARIOS.push(
  {
    name: 'host-level dynamicStableScale: setWeight, pause, promote',
    objects: () => hostSeed({ steps: STEPS, canary: DYNAMIC }),
    checkpoints: [
      deploy,
      update,
      {
        name: 'promote: paused at step 4',
        act: async (d) => d.plugin('promote', 'reviews'),
        until: pausedAt(3),
      },
      { name: 'promote: healthy', act: async (d) => d.plugin('promote', 'reviews'), until: healthy },
    ],
  },
  {
    name: 'host-level dynamicStableScale: abort at 50%',
    objects: () => hostSeed({ steps: STEPS, canary: DYNAMIC }),
    checkpoints: [
      deploy,
      update,
      {
        name: 'promote: paused at step 4',
        act: async (d) => d.plugin('promote', 'reviews'),
        until: pausedAt(3),
      },
      {
        name: 'abort: degraded, weight back to 0',
        act: async (d) => d.plugin('abort', 'reviews'),
        until: abortedAtZero,
      },
    ],
  },
);
