/**
 * Scenarios driven only by the plugin's own commands (`pause`, `promote`, `set image`, `undo`, `restart`), on both
 * sides: what each command writes is the plugin's, and each controller must take it as Argo's does.
 */
import type { Rollout } from '../../shared/core/model/types.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import { CANARY, deploy, healthy, observed, pausedAt, STEPS, type Scenario } from './scenarios.js';

/** `kubectl argo rollouts pause` took: `spec.paused` set and the phase Paused. */
const manuallyPaused = (r: Rollout): boolean =>
  r.spec.paused === true && observed(r) && r.status?.phase === 'Paused';

export const PLUGIN_SCENARIOS: Scenario[] = [
  {
    name: 'host-level plugin: pause, promote, set image, undo',
    objects: () => hostSeed({ steps: STEPS, canary: CANARY }),
    checkpoints: [
      deploy,
      { name: 'pause: paused', act: async (d) => d.plugin('pause', 'reviews'), until: manuallyPaused },
      {
        name: 'promote: resumed, healthy',
        act: async (d) => d.plugin('promote', 'reviews'),
        until: (r) => r.spec.paused !== true && healthy(r),
      },
      {
        name: 'set image: paused at step 2',
        act: async (d) => d.plugin('set', 'image', 'reviews', `app=${IMAGE_V2}`),
        until: pausedAt(1),
      },
      {
        // The plugin writes the previous ReplicaSet's pod template (with the API server's defaults) into
        // spec.template: Argo finds that ReplicaSet by template and rolls back to it without steps.
        name: 'undo: fast rollback, healthy',
        act: async (d) => d.plugin('undo', 'reviews'),
        until: healthy,
      },
    ],
  },
  {
    name: 'host-level plugin: restart',
    objects: () => hostSeed({ steps: STEPS, canary: CANARY }),
    checkpoints: [
      deploy,
      {
        name: 'restart: restartedAt set',
        act: async (d) => d.plugin('restart', 'reviews'),
        until: (r) => observed(r) && !!r.status?.restartedAt,
      },
    ],
  },
];
