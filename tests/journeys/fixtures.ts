/** Manifests for the journeys: the Argo Rollouts Istio guide's shapes (host-level and subset-level). */
import type { CanaryStep } from '../../shared/core/model/types.js';

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

/** Host-level seed whose VirtualService carries only a TCP route on port 3000 (`tcpRoutes: [{port: 3000}]`). */
export function tcpSeed(steps: CanaryStep[] = SEED_STEPS) {
  const port = { number: 3000 };
  return [
    service('reviews-canary'),
    service('reviews-stable'),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews' },
      spec: {
        hosts: ['reviews'],
        tcp: [
          {
            match: [{ port: 3000 }],
            route: [
              { destination: { host: 'reviews-stable', port }, weight: 100 },
              { destination: { host: 'reviews-canary', port }, weight: 0 },
            ],
          },
        ],
      },
    },
    hostRollout({
      steps,
      canary: {
        trafficRouting: { istio: { virtualService: { name: 'reviews', tcpRoutes: [{ port: 3000 }] } } },
      },
    }),
  ];
}

/** Steps of Argo Rollouts' header-route and mirror-route e2e, merged: routes appear, follow, and go. */
export const ROUTE_STEPS: CanaryStep[] = [
  { setWeight: 20 },
  {
    setHeaderRoute: {
      name: 'set-header-1',
      match: [{ headerName: 'agent', headerValue: { regex: '.*firefox.*' } }],
    },
  },
  { pause: {} },
  {
    setMirrorRoute: {
      name: 'mirror-route',
      match: [{ method: { exact: 'GET' }, path: { prefix: '/' } }],
      percentage: 50,
    },
  },
  { setWeight: 40 },
  { pause: {} },
  { setHeaderRoute: { name: 'set-header-1' } },
  { pause: {} },
];

/** Host-level seed with managedRoutes (header first, then mirror) and destinations on port 8080. */
export function routesSeed(steps: CanaryStep[] = ROUTE_STEPS) {
  const port = { number: 8080 };
  return [
    service('reviews-canary'),
    service('reviews-stable'),
    hostVirtualService('reviews', {
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: 'reviews-stable', port }, weight: 100 },
            { destination: { host: 'reviews-canary', port }, weight: 0 },
          ],
        },
      ],
    }),
    hostRollout({
      steps,
      canary: {
        trafficRouting: {
          managedRoutes: [{ name: 'set-header-1' }, { name: 'mirror-route' }],
          istio: { virtualService: { name: 'reviews', routes: ['primary'] } },
        },
      },
    }),
  ];
}

/**
 * Host-level seed with two VirtualServices: `reviews` beside the Rollout and `reviews-edge` in `otherNs`
 * (referenced as `reviews-edge.<otherNs>`, destinations as cluster FQDNs, opted in for the Rollout with
 * `sluice.io/allow-rollouts`). Both are weighted.
 */
export function twoVirtualServicesSeed(ns: string, otherNs: string, steps: CanaryStep[] = SEED_STEPS) {
  const fqdn = (svc: string) => `${svc}.${ns}.svc.cluster.local`;
  return [
    service('reviews-canary'),
    service('reviews-stable'),
    hostVirtualService(),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      // Another namespace: it opts in for the Rollout (docs/security.md, tenancy).
      metadata: {
        name: 'reviews-edge',
        namespace: otherNs,
        annotations: { 'sluice.io/allow-rollouts': `${ns}/reviews` },
      },
      spec: {
        hosts: ['reviews.example.com'],
        gateways: ['istio-system/edge'],
        http: [
          {
            name: 'primary',
            route: [
              { destination: { host: fqdn('reviews-stable') }, weight: 100 },
              { destination: { host: fqdn('reviews-canary') }, weight: 0 },
            ],
          },
        ],
      },
    },
    hostRollout({
      steps,
      canary: {
        trafficRouting: {
          istio: {
            virtualServices: [
              { name: 'reviews', routes: ['primary'] },
              { name: `reviews-edge.${otherNs}`, routes: ['primary'] },
            ],
          },
        },
      },
    }),
  ];
}

/** An `apps/v1` Deployment `reviews` with the journeys' pod template (the test cluster runs no pods for it). */
export function deployment(opts: { name?: string; replicas?: number; image?: string } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: opts.name ?? 'reviews' },
    spec: {
      replicas: opts.replicas ?? 4,
      selector: { matchLabels: { app: 'reviews' } },
      template: template(opts.image ?? IMAGE_V1),
    },
  };
}

/**
 * The host-level seed whose Rollout takes its pod template and selector from a Deployment (`spec.workloadRef`), and
 * that Deployment. `ref` extends the workloadRef (`scaleDown`, another `name` or `kind`).
 */
export function workloadRefSeed(
  opts: { ref?: Record<string, unknown>; steps?: CanaryStep[]; deploymentReplicas?: number } = {},
) {
  const rollout = hostRollout({ ...(opts.steps ? { steps: opts.steps } : {}) });
  const spec: Record<string, unknown> = { ...rollout.spec };
  delete spec['template'];
  delete spec['selector'];
  spec['workloadRef'] = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews', ...opts.ref };
  return [
    service('reviews-canary'),
    service('reviews-stable'),
    hostVirtualService(),
    deployment({ replicas: opts.deploymentReplicas ?? 4 }),
    { ...rollout, spec },
  ];
}
