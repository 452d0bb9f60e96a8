/** Small objects for the use-case unit tests. */
import type { Rollout, RolloutStatus } from '../../../shared/core/model/types.js';
import type { Plan, Write } from '../../../shared/core/engine/types.js';

export const NS = 'shop';

export function rollout(status?: RolloutStatus): Rollout {
  const r: Rollout = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'reviews', namespace: NS, uid: 'uid-reviews', generation: 1 },
    spec: {
      replicas: 2,
      strategy: {
        canary: {
          canaryService: 'reviews-canary',
          stableService: 'reviews-stable',
          steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }],
          trafficRouting: { istio: { virtualService: { name: 'reviews' } } },
        },
      },
    },
  };
  if (status) r.status = status;
  return r;
}

export function vsPatch(weight: number, rv = '1'): Write {
  return {
    op: 'patch',
    target: { resource: 'virtualservices', namespace: NS, name: 'reviews' },
    patch: [
      { op: 'test', path: '/metadata/resourceVersion', value: rv },
      { op: 'replace', path: '/spec/http/0/route/1/weight', value: weight },
    ],
    reason: `canary weight ${weight}`,
  };
}

export function plan(partial: Partial<Plan>): Plan {
  return { effects: [], events: [], reason: 'test plan', ...partial };
}
