/**
 * Tenancy: which objects a Rollout may change. A Rollout changes only what is its own:
 *
 * - VirtualServices, DestinationRules and Services in its own namespace; a VirtualService in another namespace only
 *   when that VirtualService opts in for this Rollout with the annotation `sluice.io/allow-rollouts` (a
 *   comma-separated list of `<namespace>/<rollout>` or `<namespace>/*`);
 * - in the routes it weights, only destinations that are its own: its canary/stable Services in its namespace
 *   (host-level), or the DestinationRule's host with its canary/stable/additional subsets (subset-level, the host
 *   must be the DestinationRule's, a subset name alone is not enough); a route that also sends traffic elsewhere is
 *   not changed;
 * - a DestinationRule or Service claimed by another Rollout (annotation `argo-rollouts.argoproj.io/managed-by-rollouts`)
 *   is not changed (the Service check is Argo's, in `validate-references.ts`).
 *
 * - a ReplicaSet is deleted only when the Rollout owns it (ownerReference uid) and it is neither its stable nor its
 *   current one (revision history); an AnalysisRun only when the Rollout controls it (ownerReference uid, the uid
 *   the delete is guarded by) and it is in the Rollout's namespace (run history, TTL).
 *
 * A refusal is a field error for the InvalidSpec condition; the plan then has zero effects. {@link forbiddenEffect}
 * re-checks each planned write against the same facts just before it is sent. Pure module: no I/O.
 */
import { referencedDeployment } from '../model/workload-ref.js';
import {
  ANNOTATIONS,
  LABELS,
  type IstioVirtualServiceRef,
  type KubeObject,
  type Rollout,
} from '../model/types.js';
import { forbidden, goQuote } from '../model/field-error.js';
import { isJsonObject } from '../model/json.js';
import { virtualServiceRefs } from '../istio/names.js';
import { type ParsedDestination, type Section, selectSection, shortHost } from '../istio/routes.js';
import { virtualServiceCheckOptions } from '../istio/validate.js';
import { referencedServices } from '../model/validate-references.js';
import type { Observed, ObservedVirtualService, Target, Write } from './types.js';

/** The annotation by which a VirtualService in another namespace lets Rollouts change it. */
export const ALLOW_ROLLOUTS_ANNOTATION = 'sluice.io/allow-rollouts';

const ISTIO = 'spec.strategy.canary.trafficRouting.istio';

/**
 * Namespace and name a destination host denotes, resolved as Istio resolves it: a short name (`reviews`) lives in
 * the namespace of the object that names it; `reviews.shop`, `reviews.shop.svc` and `reviews.shop.svc.<domain>`
 * name Service `reviews` in `shop`. Undefined for any other host (an external name such as `api.example.com`).
 *
 * @example
 * resolveServiceHost('reviews', 'shop');                          // { namespace: 'shop', name: 'reviews' }
 * resolveServiceHost('reviews.other.svc.cluster.local', 'shop');  // { namespace: 'other', name: 'reviews' }
 * resolveServiceHost('api.example.com', 'shop');                  // undefined
 */
export function resolveServiceHost(
  host: string,
  relativeTo: string,
): { namespace: string; name: string } | undefined {
  const parts = host.split('.');
  if (parts.some((p) => p === '')) return undefined;
  const [name, namespace, svc] = parts as [string, string | undefined, string | undefined];
  if (namespace === undefined) return { namespace: relativeTo, name };
  if (svc !== undefined && svc !== 'svc') return undefined;
  return { namespace, name };
}

/**
 * True when `annotation` (the value of {@link ALLOW_ROLLOUTS_ANNOTATION}) lists the Rollout `namespace/name`, by
 * name or as `namespace/*`. Entries are comma-separated; blanks around them are ignored.
 *
 * @example
 * allowsRollout('shop/reviews, web/*', 'web', 'cart'); // true
 */
export function allowsRollout(annotation: string | undefined, namespace: string, name: string): boolean {
  if (annotation === undefined) return false;
  return annotation
    .split(',')
    .map((entry) => entry.trim())
    .some((entry) => entry === `${namespace}/${name}` || entry === `${namespace}/*`);
}

function refPath(r: Rollout): string {
  return `${ISTIO}.${r.spec.strategy?.canary?.trafficRouting?.istio?.virtualServices ? 'virtualServices' : 'virtualService'}`;
}

/** A VirtualService in another namespace that has not opted in for this Rollout. */
function namespaceRefusal(r: Rollout, vs: ObservedVirtualService): string | undefined {
  const own = r.metadata.namespace;
  if (!vs.object || vs.key.namespace === own) return undefined;
  const allow = vs.object.metadata.annotations?.[ALLOW_ROLLOUTS_ANNOTATION];
  if (allowsRollout(allow, own, r.metadata.name)) return undefined;
  return forbidden(
    `${refPath(r)}.name`,
    `VirtualService ${vs.key.namespace}/${vs.key.name} is in another namespace that has not opted in for ` +
      `Rollout ${own}/${r.metadata.name}: its annotation ${ALLOW_ROLLOUTS_ANNOTATION} must list ` +
      `${goQuote(`${own}/${r.metadata.name}`)} or ${goQuote(`${own}/*`)}`,
  );
}

/** The referenced DestinationRule when another Rollout claims it. */
function destinationRuleRefusal(observed: Observed): string | undefined {
  const r = observed.rollout;
  const manager = observed.destinationRule?.metadata.annotations?.[ANNOTATIONS.managedBy];
  if (manager === undefined || manager === r.metadata.name) return undefined;
  const name = observed.destinationRule?.metadata.name ?? '';
  return forbidden(
    `${ISTIO}.destinationRule.name`,
    `DestinationRule ${r.metadata.namespace}/${name} is managed by another Rollout (${goQuote(manager)})`,
  );
}

/**
 * The first reason the Rollout may not change the VirtualServices and DestinationRule it references (a field
 * error for the InvalidSpec message), checked before their routes are read: a VirtualService in a namespace that
 * has not opted in, a DestinationRule claimed by another Rollout. Undefined when none.
 */
export function ownershipError(observed: Observed): string | undefined {
  for (const vs of observed.virtualServices) {
    const refusal = namespaceRefusal(observed.rollout, vs);
    if (refusal) return refusal;
  }
  return destinationRuleRefusal(observed);
}

/** Who the Rollout's own destinations are. */
interface OwnDestinations {
  namespace: string;
  services: Set<string>;
  /** The DestinationRule's host, resolved in the Rollout's namespace; undefined without a DestinationRule. */
  drHost?: { namespace: string; name: string } | undefined;
  drHostText: string;
  subsets: Set<string>;
}

function ownDestinations(observed: Observed): OwnDestinations {
  const r = observed.rollout;
  const canary = r.spec.strategy?.canary ?? {};
  const dr = canary.trafficRouting?.istio?.destinationRule;
  const spec = observed.destinationRule?.spec;
  const host = isJsonObject(spec) && typeof spec['host'] === 'string' ? spec['host'] : '';
  const services = [canary.canaryService, canary.stableService].filter((s): s is string => !!s);
  const subsets = dr ? [dr.canarySubsetName, dr.stableSubsetName, ...(dr.additionalSubsetNames ?? [])] : [];
  return {
    namespace: r.metadata.namespace,
    services: new Set(services),
    drHost: dr ? resolveServiceHost(host, r.metadata.namespace) : undefined,
    drHostText: host,
    subsets: new Set(subsets),
  };
}

const sameKey = (a?: { namespace: string; name: string }, b?: { namespace: string; name: string }): boolean =>
  a !== undefined && b !== undefined && a.namespace === b.namespace && a.name === b.name;

/** Why one destination of a weighted route is not the Rollout's own, or undefined when it is. */
function destinationProblem(
  d: ParsedDestination,
  vsNamespace: string,
  own: OwnDestinations,
): string | undefined {
  const resolved = resolveServiceHost(d.host, vsNamespace);
  if (d.subset !== '' && own.subsets.has(d.subset)) {
    if (sameKey(resolved, own.drHost)) return undefined;
    return (
      `destination ${goQuote(d.host)} subset ${goQuote(d.subset)} is not on the DestinationRule's host ` +
      `${goQuote(own.drHostText)}`
    );
  }
  if (own.services.has(shortHost(d.host))) {
    if (resolved?.namespace === own.namespace && own.services.has(resolved.name)) return undefined;
    return `destination ${goQuote(d.host)} is not this Rollout's Service ${own.namespace}/${shortHost(d.host)}`;
  }
  if (d.weight === 0) return undefined;
  return `destination ${goQuote(d.host)} (weight ${d.weight}) is not this Rollout's; the route is not changed`;
}

function routeLabel(section: Section, index: number, name: string): string {
  return name === '' ? `${section}[${index}]` : `${section}[${index}] (${goQuote(name)})`;
}

/** The first destination of a route the Rollout weights in `vs` that is not its own. */
function routesProblem(
  vs: ObservedVirtualService & { object: KubeObject },
  ref: IstioVirtualServiceRef,
  observed: Observed,
  own: OwnDestinations,
): string | undefined {
  const opts = virtualServiceCheckOptions(observed.rollout);
  for (const section of ['http', 'tls', 'tcp'] as const) {
    const selection = selectSection(vs.object.spec, section, ref, opts);
    for (const index of selection?.selected ?? []) {
      const route = selection?.routes[index];
      for (const d of route?.destinations ?? []) {
        const problem = destinationProblem(d, vs.key.namespace, own);
        if (problem) return `route ${routeLabel(section, index, route?.name ?? '')}: ${problem}`;
      }
    }
  }
  return undefined;
}

/**
 * The first weighted route whose destinations are not all the Rollout's own (see the module comment), as a field
 * error for the InvalidSpec message; undefined when every one is. Run after the references were validated (the
 * routes parse and the canary/stable destinations are present).
 */
export function routeOwnershipError(observed: Observed): string | undefined {
  const r = observed.rollout;
  const istio = r.spec.strategy?.canary?.trafficRouting?.istio ?? {};
  const refs = virtualServiceRefs(istio);
  const own = ownDestinations(observed);
  for (const vs of observed.virtualServices) {
    const ref = refs[vs.index];
    if (!vs.object || !ref) continue;
    const problem = routesProblem({ ...vs, object: vs.object }, ref, observed, own);
    if (problem) {
      return forbidden(`${refPath(r)}.name`, `VirtualService ${vs.key.namespace}/${vs.key.name} ${problem}`);
    }
  }
  return undefined;
}

/** Whether the Rollout may write `target`, by resource type (see {@link forbiddenWrite}). */
const WRITABLE: Record<Target['resource'], (observed: Observed, target: Target) => boolean> = {
  rollouts: (o, t) => t.namespace === o.rollout.metadata.namespace && t.name === o.rollout.metadata.name,
  replicasets: (o, t) => t.namespace === o.rollout.metadata.namespace,
  services: (o, t) =>
    t.namespace === o.rollout.metadata.namespace &&
    referencedServices(o.rollout).some((s) => s.name === t.name),
  destinationrules: (o, t) =>
    t.namespace === o.rollout.metadata.namespace &&
    t.name === o.rollout.spec.strategy?.canary?.trafficRouting?.istio?.destinationRule?.name,
  virtualservices: (o, t) =>
    o.virtualServices.some(
      (vs) => vs.object !== undefined && sameKey(vs.key, t) && namespaceRefusal(o.rollout, vs) === undefined,
    ),
  // Only the Deployment the Rollout's workloadRef names, in its namespace, as this pass read it (scaleDown).
  deployments: (o, t) =>
    t.namespace === o.rollout.metadata.namespace &&
    t.name === referencedDeployment(o.rollout) &&
    o.workload?.object?.metadata.name === t.name &&
    o.workload.object.metadata.namespace === t.namespace,
  events: () => false,
  secrets: () => false,
  // Pods are never patched, created or deleted: a restart evicts them ({@link forbiddenEviction}).
  pods: () => false,
  // The Rollout's own AnalysisRuns live in its namespace; templates are only read.
  analysisruns: (o, t) => t.namespace === o.rollout.metadata.namespace,
  analysistemplates: () => false,
  clusteranalysistemplates: () => false,
};

/**
 * Why a planned write is not the Rollout's to make, or undefined when it is: its own status, ReplicaSets in its
 * namespace, its canary/stable (ping/pong) Services, its DestinationRule, and the VirtualServices it references
 * that {@link ownershipError} cleared. A last check before any write (Events are recorded apart from the plan).
 */
export function forbiddenWrite(observed: Observed, target: Target): string | undefined {
  if (WRITABLE[target.resource](observed, target)) return undefined;
  const r = observed.rollout;
  return (
    `refused to write ${target.resource} ${target.namespace}/${target.name}: it is not Rollout ` +
    `${r.metadata.namespace}/${r.metadata.name}'s to change`
  );
}

/** True when `rs` is controlled by the Rollout (ownerReference uid) and has the uid the delete is guarded by. */
function ownedAsRead(r: Rollout, rs: KubeObject | undefined, uid: string): boolean {
  const owner = rs?.metadata.ownerReferences?.find((ref) => ref.controller)?.uid;
  return rs !== undefined && owner !== undefined && owner === r.metadata.uid && rs.metadata.uid === uid;
}

/** Why a run delete is not the Rollout's to make: only an AnalysisRun it controls, as read, in its namespace. */
function forbiddenRunDelete(observed: Observed, write: Write & { op: 'delete' }): string | undefined {
  const r = observed.rollout;
  const { target, preconditions } = write;
  const run = observed.analysis?.runs.find(
    (o) => o.metadata.name === target.name && o.metadata.namespace === target.namespace,
  ) as KubeObject | undefined;
  if (target.namespace === r.metadata.namespace && ownedAsRead(r, run, preconditions.uid)) return undefined;
  return (
    `refused to delete ${target.resource} ${target.namespace}/${target.name}: it is not an AnalysisRun ` +
    `Rollout ${r.metadata.namespace}/${r.metadata.name} owns (by ownerReference uid)`
  );
}

/**
 * Why a delete is not the Rollout's to make: only its own old ReplicaSets, never its stable or current one, and its
 * own AnalysisRuns.
 */
function forbiddenDelete(observed: Observed, write: Write & { op: 'delete' }): string | undefined {
  const r = observed.rollout;
  const { target, preconditions } = write;
  if (target.resource === 'analysisruns') return forbiddenRunDelete(observed, write);
  const rs = observed.replicaSets.find(
    (o) => o.metadata.name === target.name && o.metadata.namespace === target.namespace,
  );
  const what = `refused to delete ${target.resource} ${target.namespace}/${target.name}`;
  const whose = `Rollout ${r.metadata.namespace}/${r.metadata.name}`;
  if (target.resource !== 'replicasets')
    return `${what}: ${whose} deletes only old ReplicaSets and its own AnalysisRuns`;
  if (!ownedAsRead(r, rs, preconditions.uid))
    return `${what}: it is not a ReplicaSet ${whose} owns (by ownerReference uid)`;
  const hash = rs?.metadata.labels?.[LABELS.podTemplateHash];
  if (hash !== undefined && (hash === r.status?.stableRS || hash === r.status?.currentPodHash))
    return `${what}: it is the stable or current ReplicaSet of ${whose}`;
  return undefined;
}

/**
 * Why an eviction is not the Rollout's to make, or undefined when it is: only a pod in the Rollout's namespace that
 * this pass listed and that is owned (ownerReference uid) by one of the Rollout's ReplicaSets. A pod with the same
 * labels but another owner is never evicted.
 */
export function forbiddenEviction(observed: Observed, namespace: string, name: string): string | undefined {
  const r = observed.rollout;
  const uids = new Set(observed.replicaSets.map((rs) => rs.metadata.uid));
  const pod = (observed.pods ?? []).find(
    (p) => p.metadata.name === name && p.metadata.namespace === namespace,
  );
  const owned = pod?.metadata.ownerReferences?.some((ref) => uids.has(ref.uid)) === true;
  if (namespace === r.metadata.namespace && owned) return undefined;
  return (
    `refused to evict pod ${namespace}/${name}: it is not a pod of Rollout ` +
    `${r.metadata.namespace}/${r.metadata.name}'s ReplicaSets (by ownerReference uid)`
  );
}

/**
 * {@link forbiddenWrite} for one planned effect, and for a delete also: the target must be a ReplicaSet the Rollout
 * owns (controller ownerReference uid, the uid the delete is guarded by), and neither its stable nor its current one,
 * or an AnalysisRun it controls as read.
 */
export function forbiddenEffect(observed: Observed, write: Write): string | undefined {
  return (
    forbiddenWrite(observed, write.target) ??
    (write.op === 'delete' ? forbiddenDelete(observed, write) : undefined)
  );
}
