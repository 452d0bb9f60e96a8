import type { Rollout, Service } from '../../../../shared/core/model/types.js';

/** A valid host-split Istio canary Rollout `shop/reviews`; each case mutates a fresh copy. */
export function istioRollout(mutate: (r: Rollout) => void = () => {}): Rollout {
  const r: Rollout = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'reviews', namespace: 'shop', generation: 1 },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'reviews' } },
      template: {
        metadata: { labels: { app: 'reviews', tier: 'web' } },
        spec: { containers: [{ name: 'app', image: 'reviews:1' }] },
      },
      strategy: {
        canary: {
          canaryService: 'reviews-canary',
          stableService: 'reviews-stable',
          trafficRouting: { istio: { virtualService: { name: 'reviews', routes: ['primary'] } } },
          steps: [{ setWeight: 20 }, { pause: { duration: '30s' } }, { setWeight: 50 }, { pause: {} }],
        },
      },
    },
  };
  mutate(r);
  return r;
}

/** The canary strategy of a fixture (always present in {@link istioRollout}). */
export function canaryOf(r: Rollout): NonNullable<NonNullable<Rollout['spec']['strategy']>['canary']> {
  const canary = r.spec.strategy?.canary;
  if (!canary) throw new Error('fixture has no canary strategy');
  return canary;
}

/** A Service `shop/<name>` selecting `selector`. */
export function service(
  name: string,
  selector: Record<string, string>,
  annotations?: Record<string, string>,
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'shop', ...(annotations ? { annotations } : {}) },
    spec: { selector, ports: [{ port: 80 }] },
  };
}
