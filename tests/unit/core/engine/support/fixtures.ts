/** Seed Rollouts (host-level, subset-level, TCP) and a tiny in-memory world to drive the planner. */
import type { Observed, Plan, Write } from '../../../../../shared/core/engine/types.js';
import { parseVirtualServiceName, virtualServiceRefs } from '../../../../../shared/core/istio/names.js';
import type {
  CanaryStep,
  KubeObject,
  ReplicaSet,
  Rollout,
  Service,
} from '../../../../../shared/core/model/types.js';
import { applyPatch } from './apply-patch.js';

export const NS = 'shop';
export const T0 = new Date('2026-01-01T00:00:00Z');

const template = (image: string) => ({
  metadata: { labels: { app: 'demo' } },
  spec: { containers: [{ name: 'app', image }] },
});

export const STEPS: CanaryStep[] = [
  { setWeight: 25 },
  { pause: {} },
  { setWeight: 50 },
  { pause: { duration: '30s' } },
];

export function rollout(kind: 'host' | 'subset' | 'tcp', steps: CanaryStep[] = STEPS): Rollout {
  const canary: Record<string, unknown> =
    kind === 'subset'
      ? {
          trafficRouting: {
            istio: {
              virtualService: { name: 'demo-vs', routes: ['primary'] },
              destinationRule: { name: 'demo-dr', canarySubsetName: 'canary', stableSubsetName: 'stable' },
            },
          },
        }
      : {
          canaryService: 'demo-canary',
          stableService: 'demo-stable',
          trafficRouting: {
            istio: {
              virtualService:
                kind === 'tcp'
                  ? { name: 'demo-vs', tcpRoutes: [{ port: 5432 }] }
                  : { name: 'demo-vs', routes: ['primary'] },
            },
          },
        };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'demo', namespace: NS, uid: 'uid-1', generation: 1, resourceVersion: '1' },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'demo' } },
      template: template('demo:1'),
      strategy: { canary: { ...canary, steps } },
    },
  };
}

export function service(name: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, resourceVersion: '1' },
    spec: { selector: { app: 'demo' }, ports: [{ port: 80 }] },
  };
}

export function virtualService(
  kind: 'host' | 'subset' | 'tcp',
  name = 'demo-vs',
  namespace = NS,
): KubeObject {
  const dests =
    kind === 'subset'
      ? [
          { destination: { host: 'demo', subset: 'stable' }, weight: 100 },
          { destination: { host: 'demo', subset: 'canary' }, weight: 0 },
        ]
      : [
          { destination: { host: 'demo-stable', port: { number: 80 } }, weight: 100 },
          { destination: { host: 'demo-canary', port: { number: 80 } }, weight: 0 },
        ];
  const spec =
    kind === 'tcp'
      ? { hosts: ['demo'], tcp: [{ match: [{ port: 5432 }], route: dests }] }
      : { hosts: ['demo'], http: [{ name: 'primary', route: dests, retries: { attempts: 3 } }] };
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace, resourceVersion: '1' },
    spec,
  };
}

export function destinationRule(): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'demo-dr', namespace: NS, resourceVersion: '1' },
    spec: {
      host: 'demo',
      subsets: [
        { name: 'canary', labels: { app: 'demo' } },
        {
          name: 'stable',
          labels: { app: 'demo' },
          trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } },
        },
      ],
    },
  };
}

/** A world holding every object of one Rollout; `observed()` reads it like the use case does. */
export class World {
  rollout: Rollout;
  replicaSets: ReplicaSet[] = [];
  services: Record<string, Service> = {};
  virtualServices: Record<string, KubeObject> = {};
  destinationRule?: KubeObject;
  now = T0;
  private rv = 100;

  constructor(kind: 'host' | 'subset' | 'tcp', steps: CanaryStep[] = STEPS) {
    this.rollout = rollout(kind, steps);
    if (kind === 'subset') this.destinationRule = destinationRule();
    else for (const n of ['demo-canary', 'demo-stable']) this.services[n] = service(n);
    if (kind === 'subset') this.services['demo'] = service('demo');
    this.virtualServices[`${NS}/demo-vs`] = virtualService(kind);
  }

  observed(): Observed {
    const istio = this.rollout.spec.strategy?.canary?.trafficRouting?.istio ?? {};
    return {
      rollout: structuredClone(this.rollout),
      replicaSets: structuredClone(this.replicaSets),
      services: structuredClone(this.services),
      virtualServices: virtualServiceRefs(istio).map((ref, index) => {
        const key = parseVirtualServiceName(ref.name, NS);
        const object = this.virtualServices[`${key.namespace}/${key.name}`];
        return { key, index, ...(object ? { object: structuredClone(object) } : {}) };
      }),
      ...(this.destinationRule ? { destinationRule: structuredClone(this.destinationRule) } : {}),
      now: this.now,
    };
  }

  private bump<T extends KubeObject>(o: T): T {
    return { ...o, metadata: { ...o.metadata, resourceVersion: String(++this.rv) } };
  }

  /** Applies one patch write to the object it targets. */
  private patchOne(w: Extract<Write, { op: 'patch' }>): void {
    const { resource, namespace, name } = w.target;
    if (resource === 'replicasets') {
      const i = this.replicaSets.findIndex(
        (rs) => rs.metadata.name === name && rs.metadata.namespace === namespace,
      );
      if (i < 0) throw new Error(`no ReplicaSet ${name}`);
      this.replicaSets[i] = this.bump(applyPatch(this.replicaSets[i] as ReplicaSet, w.patch));
    } else if (resource === 'services') {
      const svc = this.services[name];
      if (!svc || namespace !== NS) throw new Error(`no Service ${namespace}/${name}`);
      this.services[name] = this.bump(applyPatch(svc, w.patch));
    } else if (resource === 'virtualservices') {
      const vs = this.virtualServices[`${namespace}/${name}`];
      if (!vs) throw new Error(`no VirtualService ${namespace}/${name}`);
      this.virtualServices[`${namespace}/${name}`] = this.bump(applyPatch(vs, w.patch));
    } else if (resource === 'destinationrules') {
      if (!this.destinationRule || name !== this.destinationRule.metadata.name)
        throw new Error(`no DR ${name}`);
      this.destinationRule = this.bump(applyPatch(this.destinationRule, w.patch));
    } else if (resource === 'rollouts' && name === this.rollout.metadata.name && !w.target.subresource) {
      this.rollout = this.bump(applyPatch(this.rollout, w.patch));
    } else throw new Error(`unexpected write to ${resource}`);
  }

  /** Deletes a ReplicaSet when its uid and resourceVersion are the delete's preconditions. */
  private deleteOne(w: Extract<Write, { op: 'delete' }>): void {
    const { resource, name } = w.target;
    const i = this.replicaSets.findIndex((rs) => rs.metadata.name === name);
    const rs = this.replicaSets[i];
    if (resource !== 'replicasets' || !rs) throw new Error(`no ReplicaSet ${name} to delete`);
    const { uid, resourceVersion } = rs.metadata;
    if (uid !== w.preconditions.uid || resourceVersion !== w.preconditions.resourceVersion)
      throw new Error(`ReplicaSet ${name} changed: delete precondition failed`);
    this.replicaSets.splice(i, 1);
  }

  /** Applies a plan's effects (patches checked against resourceVersion) and its status, as the use case would. */
  apply(p: Plan): void {
    for (const w of p.effects) {
      if (w.op === 'patch') {
        this.patchOne(w);
        continue;
      }
      if (w.op === 'delete') {
        this.deleteOne(w);
        continue;
      }
      const { resource, name } = w.target;
      if (resource !== 'replicasets') throw new Error(`unexpected create of ${resource}`);
      if (this.replicaSets.some((rs) => rs.metadata.name === name))
        throw new Error(`ReplicaSet ${name} exists`);
      this.replicaSets.push(this.bump(structuredClone(w.body) as ReplicaSet));
    }
    if (p.status) this.rollout = { ...this.rollout, status: structuredClone(p.status) };
  }

  /** Pods become ready: every ReplicaSet's status reports spec.replicas available. */
  settle(): void {
    for (const rs of this.replicaSets) {
      const n = rs.spec.replicas ?? 0;
      rs.status = { replicas: n, readyReplicas: n, availableReplicas: n };
    }
  }

  /** Changes the image (a new pod template): generation + 1. */
  updateImage(image: string): void {
    const r = structuredClone(this.rollout);
    r.spec.template = template(image);
    r.metadata.generation = (r.metadata.generation ?? 1) + 1;
    this.rollout = r;
  }

  setStatus(patch: Record<string, unknown>): void {
    const status = { ...(this.rollout.status ?? {}), ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === null) delete status[k];
    this.rollout = { ...this.rollout, status };
  }

  vs(key = `${NS}/demo-vs`): KubeObject {
    return this.virtualServices[key] as KubeObject;
  }
}

/** Weights of the first http (or tcp) route of a VS, keyed by host or subset. */
export function weightsOf(
  vs: KubeObject,
  section: 'http' | 'tcp' = 'http',
  route = 0,
): Record<string, number> {
  const routes = (
    vs.spec as Record<
      string,
      { route: { destination: { host: string; subset?: string }; weight: number }[] }[]
    >
  )[section];
  const out: Record<string, number> = {};
  for (const d of routes?.[route]?.route ?? []) out[d.destination.subset ?? d.destination.host] = d.weight;
  return out;
}
