/**
 * VirtualService weights (Argo Rollouts `reconcileVirtualService`): the canary/stable destinations of the routes a
 * Rollout selects get the desired weights; every other field stays as read. Pure: takes the object as read and
 * returns a new one.
 */
import type { IstioVirtualServiceRef, KubeObject } from '../model/types.js';
import { deepCopy, type Loose } from './json.js';
import { orderManagedRoutes } from './order.js';
import {
  type DestinationNames,
  type ParsedDestination,
  type ParsedRoute,
  type Section,
  selectSection,
  shortHost,
} from './routes.js';

/** What {@link setWeight} needs to know. */
export interface WeightOptions extends DestinationNames {
  /** Desired canary weight; clamped to 0..100 and rounded. */
  weight: number;
  /** `destinationRule.additionalSubsetNames`: destinations with these subsets keep their weight. */
  additionalSubsetNames?: string[];
  /** `trafficRouting.managedRoutes` names: mirror routes among them follow the weights; order of http routes. */
  managedRoutes?: string[];
}

/** A new object and whether it differs from the one given. */
export interface EditResult {
  object: KubeObject;
  modified: boolean;
}

type Role = 'canary' | 'stable' | 'additional' | 'foreign' | 'skip';

function roleOf(dest: ParsedDestination, opts: WeightOptions): Role {
  const host = shortHost(dest.host);
  if (host === '') return 'skip';
  const subset = dest.subset;
  if (
    (opts.canaryService && host === opts.canaryService) ||
    (subset !== '' && subset === opts.canarySubset)
  ) {
    return 'canary';
  }
  if (
    (opts.stableService && host === opts.stableService) ||
    (subset !== '' && subset === opts.stableSubset)
  ) {
    return 'stable';
  }
  if (subset !== '' && (opts.additionalSubsetNames ?? []).includes(subset)) return 'additional';
  return 'foreign';
}

/** The canary weight actually written: an integer within 0..100 (Argo can compute more, #4424). */
export function clampWeight(weight: number): number {
  if (!Number.isFinite(weight)) return 0;
  return Math.min(100, Math.max(0, Math.round(weight)));
}

/**
 * Rewrites one raw route's destinations. Returns true when something changed.
 * Never leaves a non-empty route with every weight 0 (Istio rejects it, #3141): stable gets 100 then, or the
 * route is left as read when it has no stable destination.
 */
function weighRoute(raw: Loose, parsed: ParsedRoute, opts: WeightOptions, canary: number): boolean {
  const additional = parsed.destinations
    .filter((d) => roleOf(d, opts) === 'additional')
    .reduce((sum, d) => sum + d.weight, 0);
  const stable = Math.max(0, 100 - canary - additional);
  const entries = raw['route'] as Loose[];
  const roles = parsed.destinations.map((d) => roleOf(d, opts));
  const targets = parsed.destinations.map((d, i) => {
    const role = roles[i];
    return role === 'canary' ? canary : role === 'stable' ? stable : d.weight;
  });
  const keep = parsed.destinations.map((d, i) => roles[i] !== 'foreign' || d.weight === 0);
  const keptTargets = targets.filter((_, i) => keep[i]);
  if (keptTargets.length > 0 && keptTargets.every((w) => w === 0)) {
    // Istio rejects a route whose weights total 0 (#3141): stable keeps the traffic; with no stable
    // destination (only possible on an unvalidated managed mirror route) the route is left as read.
    if (!roles.includes('stable')) return false;
    roles.forEach((role, i) => {
      if (role === 'stable') targets[i] = 100;
    });
  }
  let modified = false;
  const next: Loose[] = [];
  entries.forEach((entry, i) => {
    if (!keep[i]) {
      modified = true;
      return;
    }
    const current = parsed.destinations[i]?.weight ?? 0;
    if (targets[i] !== current) {
      entry['weight'] = targets[i];
      modified = true;
    }
    next.push(entry);
  });
  if (modified) raw['route'] = next;
  return modified;
}

function mirrorRouteIndexes(routes: ParsedRoute[], managedRoutes: string[] | undefined): number[] {
  const managed = new Set(managedRoutes ?? []);
  return routes.flatMap((route, i) =>
    route.mirror && route.name !== '' && managed.has(route.name) ? [i] : [],
  );
}

const SECTIONS: Section[] = ['http', 'tls', 'tcp'];

/**
 * Sets the canary weight on the routes `ref` selects in each section present (`http`, `tls`, `tcp`).
 * Per destination (host compared before its first dot): canary Service or canary subset → `weight`; stable Service
 * or subset → `100 − weight − Σ additional-subset weights` (never below 0); additional subsets keep theirs; any
 * other destination with a non-zero weight is removed. HTTP mirror routes named in `managedRoutes` follow too.
 * When the result would leave a route with all weights 0, the stable destination keeps 100 (Istio rejects a
 * total weight of 0). When something changed and `managedRoutes` is set, http routes are reordered.
 *
 * @returns a new object (the input is never mutated) and whether it differs.
 * @throws IstioError with Argo's message when a listed route is missing, canary/stable are not in a selected
 *   route, routes are ambiguous, or the VirtualService is malformed. Nothing is written then.
 * @example
 * const { object, modified } = setWeight(vs, { name: 'vs', routes: ['primary'] },
 *   { weight: 10, canaryService: 'canary', stableService: 'stable' });
 */
export function setWeight(vs: KubeObject, ref: IstioVirtualServiceRef, opts: WeightOptions): EditResult {
  const object = deepCopy(vs);
  const canary = clampWeight(opts.weight);
  let modified = false;
  for (const section of SECTIONS) {
    const selection = selectSection(object.spec, section, ref, opts);
    if (!selection) continue;
    const indexes = new Set(selection.selected);
    if (section === 'http')
      mirrorRouteIndexes(selection.routes, opts.managedRoutes).forEach((i) => indexes.add(i));
    const raw = (object.spec as Loose)[section] as Loose[];
    for (const index of indexes) {
      const parsed = selection.routes[index] as ParsedRoute;
      if (parsed.destinations.length === 0) continue;
      modified = weighRoute(raw[index] as Loose, parsed, opts, canary) || modified;
    }
  }
  if (modified && opts.managedRoutes?.length) {
    const spec = object.spec as Loose;
    if (Array.isArray(spec['http'])) spec['http'] = orderManagedRoutes(spec['http'], opts.managedRoutes);
  }
  return { object, modified };
}

/**
 * Current canary/stable weights of the first route `ref` selects (http, then tls, then tcp) — what a drift report
 * compares against. Undefined when no such route, no canary or stable destination, or the object is malformed.
 */
export function readWeights(
  vs: KubeObject,
  ref: IstioVirtualServiceRef,
  opts: DestinationNames & { managedRoutes?: string[] },
): { canary: number; stable: number } | undefined {
  for (const section of SECTIONS) {
    let selection;
    try {
      selection = selectSection(vs.spec, section, ref, opts);
    } catch {
      return undefined;
    }
    const first = selection?.selected[0];
    if (first === undefined || !selection) continue;
    const route = selection.routes[first] as ParsedRoute;
    const names: WeightOptions = { ...opts, weight: 0 };
    const canary = route.destinations.find((d) => roleOf(d, names) === 'canary');
    const stable = route.destinations.find((d) => roleOf(d, names) === 'stable');
    if (!canary || !stable) return undefined;
    return { canary: canary.weight, stable: stable.weight };
  }
  return undefined;
}
