/**
 * Which Services, DestinationRules and VirtualServices a Rollout references, and short readable summaries of the
 * fields sluice manages on them (for `DriftCorrected` Event messages). Pure.
 */
import { parseVirtualServiceName, virtualServiceRefs } from '../core/istio/names.js';
import type { KubeObject, Rollout } from '../core/model/types.js';
import type { ResourceName } from '../core/engine/types.js';

/** The kinds of object drift is watched on. */
export type DriftKind = 'VirtualService' | 'DestinationRule' | 'Service';

/** Resource name of each {@link DriftKind}. */
export const DRIFT_RESOURCES: Record<DriftKind, ResourceName> = {
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
  Service: 'services',
};

/** One referenced object. */
export interface ObjectRef {
  kind: DriftKind;
  namespace: string;
  name: string;
}

/** `Kind/namespace/name`, a map key. */
export function refKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/**
 * The objects a Rollout references: canary/stable (and ping/pong) Services and the DestinationRule in its own
 * namespace, and its VirtualServices (`name` or `name.namespace`).
 */
export function referencedObjects(rollout: Rollout): ObjectRef[] {
  const namespace = rollout.metadata.namespace;
  const canary = rollout.spec.strategy?.canary;
  if (!canary) return [];
  const refs: ObjectRef[] = [];
  const services = [
    canary.canaryService,
    canary.stableService,
    canary.pingPong?.pingService,
    canary.pingPong?.pongService,
  ];
  for (const name of services) if (name) refs.push({ kind: 'Service', namespace, name });
  const istio = canary.trafficRouting?.istio;
  if (istio?.destinationRule?.name)
    refs.push({ kind: 'DestinationRule', namespace, name: istio.destinationRule.name });
  for (const vs of istio ? virtualServiceRefs(istio) : []) {
    refs.push({ kind: 'VirtualService', ...parseVirtualServiceName(vs.name, namespace) });
  }
  return refs;
}

/** True when the Rollout references the object. */
export function references(rollout: Rollout, ref: ObjectRef): boolean {
  return referencedObjects(rollout).some((r) => refKey(r) === refKey(ref));
}

type Dest = { destination?: { host?: string; subset?: string }; weight?: number };
type Route = { name?: string; route?: Dest[] };

function routeSummary(kind: string, routes: unknown): string[] {
  if (!Array.isArray(routes)) return [];
  return (routes as Route[]).map((r, i) => {
    const dests = (r.route ?? []).map((d) => {
      const where = `${d.destination?.host ?? '?'}${d.destination?.subset ? `/${d.destination.subset}` : ''}`;
      return `${where}=${d.weight ?? 0}`;
    });
    return `${kind}[${r.name ?? i}] ${dests.join(', ')}`;
  });
}

/**
 * The sluice-managed fields of an object, as one line: VirtualService route weights, DestinationRule subset
 * labels, Service selector. `absent` for a missing object.
 */
export function managedSummary(kind: DriftKind, object: KubeObject | undefined): string {
  if (!object) return 'absent';
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  if (kind === 'VirtualService') {
    const parts = [
      ...routeSummary('http', spec.http),
      ...routeSummary('tls', spec.tls),
      ...routeSummary('tcp', spec.tcp),
    ];
    return parts.join('; ') || 'no routes';
  }
  if (kind === 'DestinationRule') {
    const subsets = (Array.isArray(spec.subsets) ? spec.subsets : []) as { name?: string; labels?: object }[];
    return subsets.map((s) => `${s.name ?? '?'}${JSON.stringify(s.labels ?? {})}`).join(', ') || 'no subsets';
  }
  return `selector ${JSON.stringify(spec.selector ?? {})}`;
}
