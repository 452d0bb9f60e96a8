/** Manifests for the journeys: the Argo Rollouts Istio guide's shapes (host-level and subset-level). */
import type { CanaryStep } from '../../shared/rollout/types.js';

export const IMAGE_V1 = 'registry.example/reviews:v1';
export const IMAGE_V2 = 'registry.example/reviews:v2';
export const IMAGE_V3 = 'registry.example/reviews:v3';

/** The seed steps: setWeight 20 / pause {} / setWeight 50 / pause 2s. */
export const SEED_STEPS: CanaryStep[] = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 50 },
  { pause: { duration: '2s' } },
];

const template = (image: string) => ({
  metadata: { labels: { app: 'reviews' } },
  spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
});

export function service(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: 'reviews' }, ports: [{ port: 80, targetPort: 8080 }] },
  };
}

/** A host-level Rollout with canary/stable Services. `canary` extends `spec.strategy.canary`. */
export function hostRollout(
  opts: {
    name?: string;
    replicas?: number;
    steps?: CanaryStep[];
    canary?: Record<string, unknown>;
    image?: string;
  } = {},
) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: opts.name ?? 'reviews' },
    spec: {
      replicas: opts.replicas ?? 4,
      selector: { matchLabels: { app: 'reviews' } },
      template: template(opts.image ?? IMAGE_V1),
      strategy: {
        canary: {
          canaryService: 'reviews-canary',
          stableService: 'reviews-stable',
          steps: opts.steps ?? SEED_STEPS,
          trafficRouting: { istio: { virtualService: { name: 'reviews', routes: ['primary'] } } },
          ...opts.canary,
        },
      },
    },
  };
}

/** A VirtualService with one weighted http route `primary` (stable 100 / canary 0) plus extra fields to keep. */
export function hostVirtualService(name = 'reviews', extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name },
    spec: {
      hosts: ['reviews'],
      http: [
        {
          name: 'primary',
          retries: { attempts: 3, perTryTimeout: '2s' },
          route: [
            { destination: { host: 'reviews-stable' }, weight: 100 },
            { destination: { host: 'reviews-canary' }, weight: 0 },
          ],
        },
      ],
      ...extra,
    },
  };
}

/** The host-level seed: Services, VirtualService, Rollout. */
export function hostSeed(rolloutOpts: Parameters<typeof hostRollout>[0] = {}) {
  return [
    service('reviews-canary'),
    service('reviews-stable'),
    hostVirtualService(),
    hostRollout(rolloutOpts),
  ];
}

/** The subset-level seed: one Service, a DestinationRule with canary/stable subsets, a VS routing to subsets. */
export function subsetSeed(steps: CanaryStep[] = SEED_STEPS) {
  return [
    service('reviews'),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'reviews' },
      spec: {
        host: 'reviews',
        trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 } } },
        subsets: [
          { name: 'canary', labels: { app: 'reviews' } },
          { name: 'stable', labels: { app: 'reviews' } },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews' },
      spec: {
        hosts: ['reviews'],
        http: [
          {
            route: [
              { destination: { host: 'reviews', subset: 'stable' }, weight: 100 },
              { destination: { host: 'reviews', subset: 'canary' }, weight: 0 },
            ],
          },
        ],
      },
    },
    {
      ...hostRollout({ steps }),
      spec: {
        ...hostRollout({ steps }).spec,
        strategy: {
          canary: {
            steps,
            trafficRouting: {
              istio: {
                virtualService: { name: 'reviews' },
                destinationRule: { name: 'reviews', canarySubsetName: 'canary', stableSubsetName: 'stable' },
              },
            },
          },
        },
      },
    },
  ];
}
