/** Minimal valid manifests for the bench: host-level (canary/stable Services) and subset-level (DestinationRule). */
import type { CanaryStep } from '../../shared/core/model/types.js';

export type Mode = 'host' | 'subset';

type Manifest = Record<string, unknown>;

const template = (image: string): Manifest => ({
  metadata: { labels: { app: 'reviews' } },
  spec: { containers: [{ name: 'app', image }] },
});

const service = (name: string): Manifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: 'reviews' }, ports: [{ port: 80, targetPort: 8080 }] },
});

/** A Rollout in `mode` with `steps`; `labels` go on metadata (e.g. the instance-id label). */
export function rollout(
  mode: Mode,
  name: string,
  steps: CanaryStep[],
  opts: { image?: string; replicas?: number; labels?: Record<string, string>; vs?: string } = {},
): Manifest {
  const vs = opts.vs ?? name;
  const istio =
    mode === 'host'
      ? { virtualService: { name: vs, routes: ['primary'] } }
      : {
          virtualService: { name: vs },
          destinationRule: { name, canarySubsetName: 'canary', stableSubsetName: 'stable' },
        };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      replicas: opts.replicas ?? 2,
      selector: { matchLabels: { app: 'reviews' } },
      template: template(opts.image ?? 'registry.example/reviews:v1'),
      strategy: {
        canary: {
          ...(mode === 'host' ? { canaryService: `${name}-canary`, stableService: `${name}-stable` } : {}),
          scaleDownDelaySeconds: 0,
          steps,
          trafficRouting: { istio },
        },
      },
    },
  };
}

/** The objects a Rollout of `mode` named `name` references, without the Rollout. */
export function referenced(mode: Mode, name: string): unknown[] {
  if (mode === 'host') {
    return [
      service(`${name}-canary`),
      service(`${name}-stable`),
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name },
        spec: {
          hosts: [name],
          http: [
            {
              name: 'primary',
              route: [
                { destination: { host: `${name}-stable` }, weight: 100 },
                { destination: { host: `${name}-canary` }, weight: 0 },
              ],
            },
          ],
        },
      },
    ];
  }
  return [
    service(name),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name },
      spec: {
        host: name,
        subsets: [
          { name: 'canary', labels: { app: 'reviews' } },
          { name: 'stable', labels: { app: 'reviews' } },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name },
      spec: {
        hosts: [name],
        http: [
          {
            route: [
              { destination: { host: name, subset: 'stable' }, weight: 100 },
              { destination: { host: name, subset: 'canary' }, weight: 0 },
            ],
          },
        ],
      },
    },
  ];
}

const PATHS: Record<string, string> = {
  Rollout: 'apis/argoproj.io/v1alpha1/namespaces/NS/rollouts',
  Service: 'api/v1/namespaces/NS/services',
  VirtualService: 'apis/networking.istio.io/v1/namespaces/NS/virtualservices',
  DestinationRule: 'apis/networking.istio.io/v1/namespaces/NS/destinationrules',
};

/** Collection path for a manifest's kind in `ns`. */
export function collection(kind: string, ns: string): string {
  const p = PATHS[kind];
  if (!p) throw new Error(`bench fixtures: no path for kind ${kind}`);
  return `/${p.replace('NS', ns)}`;
}
