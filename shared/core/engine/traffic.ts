/**
 * Traffic routing of one pass (Argo Rollouts `reconcileTrafficRouting` with the Istio reconciler): the desired
 * canary weight, Service selectors (host-level), DestinationRule subset labels (subset-level), header/mirror
 * routes, and VirtualService weights — as guarded patches on each changed object.
 *
 * Two deliberate improvements over Argo Rollouts:
 * - The DestinationRule switch delay (#2507) only holds a subset label flip onto a hash whose ReplicaSet is not fully
 *   available **and** whose subset would receive traffic. A subset already pointing at its hash, or the canary
 *   subset while the canary weight is 0, is never delayed. So a degraded stable ReplicaSet cannot block an abort or
 *   a promotion forever (#4839): the delay only withholds traffic writes of this pass, while abort, promotion and
 *   step bookkeeping in the planner never wait on it (a setWeight step does wait: its weight must be in place).
 * - Header and mirror routes are derived from the committed step index (every such step up to the current one),
 *   so a GitOps revert of the VirtualService is put right like the weights (#2463).
 * Pure module: no I/O.
 */
import type { IstioVirtualServiceRef, KubeObject, Rollout, RolloutStatus } from '../model/types.js';
import { replicaSetAvailable } from '../model/replicas.js';
import { currentSetWeight, previousSetWeight } from '../model/steps.js';
import { IstioError } from '../istio/errors.js';
import { removeManagedRoutes, setHeaderRoute, setMirrorRoute } from '../istio/managed-routes.js';
import { virtualServiceRefs } from '../istio/names.js';
import { setWeight } from '../istio/virtual-service.js';
import { guardedPatch } from './json-diff.js';
import { jsonEqual } from '../model/json.js';
import { findReplicaSetByHash, rolloutReplicas } from './replicasets.js';
import { switchService } from './services.js';
import { drWrite } from './dr-switch.js';
import { abortWeight, isDynamic, promoteFullWeight, rollingBackFrom } from './dynamic-scale.js';
import type { EventRecord, TrafficInput, Write } from './types.js';
import * as ev from './events.js';

export type { TrafficInput } from './types.js';

/** The traffic writes of one pass. `applied` = after the writes, the VirtualServices carry `weight`. */
export interface TrafficPlan {
  weight: number;
  /** Service, DestinationRule and VirtualService writes, each carrying the Events that describe it. */
  writes: Write[];
  /** Events of no write (`TrafficRoutingError`): recorded with the pass's status commit. */
  events: EventRecord[];
  applied: boolean;
  /** Why traffic writes were withheld (stable not available, DestinationRule delay, Istio error). */
  waiting?: string;
  /** `status.canary.weights` to record when applied. */
  weights?: NonNullable<NonNullable<RolloutStatus['canary']>['weights']>;
}

type Branch = 'rollback' | 'promoted' | 'aborted' | 'no-canary' | 'promote-full' | 'steps';

/** The weight, the branch that chose it and, when rolling back, the recorded canary hash traffic is split with. */
type Choice = { weight: number; branch: Branch; canaryHash?: string };

/**
 * The branches before the steps: rolling back to the stable template with dynamicStableScale, promoted, aborted,
 * no available canary, full promotion; or undefined.
 */
function beforeSteps(input: TrafficInput): Choice | undefined {
  const { rollout: r, newHash, stableHash } = input;
  const s = r.status ?? {};
  const rss = input.observed.replicaSets;
  const newRS = findReplicaSetByHash(rss, newHash);
  const previous = rollingBackFrom(r, rss, newHash, stableHash);
  if (previous !== undefined)
    return { weight: abortWeight(r, rss, newHash, stableHash), branch: 'rollback', canaryHash: previous };
  if (stableHash === newHash) return { weight: 0, branch: 'promoted' };
  if (s.abort === true) return { weight: abortWeight(r, rss, newHash, stableHash), branch: 'aborted' };
  if (!newRS || replicaSetAvailable(newRS) === 0) return { weight: 0, branch: 'no-canary' };
  if (s.promoteFull === true) {
    const weight = isDynamic(r) ? promoteFullWeight(r, newRS) : (s.canary?.weights?.canary.weight ?? 0);
    return { weight, branch: 'promote-full' };
  }
  return undefined;
}

/** The desired canary weight W and which branch of `reconcileTrafficRouting` chose it (first match wins). */
export function desiredWeight(input: TrafficInput): Choice {
  const early = beforeSteps(input);
  if (early) return early;
  const r = input.rollout;
  const steps = r.spec.strategy?.canary?.steps ?? [];
  if (steps.length === 0) return { weight: 0, branch: 'steps' };
  const index = r.status?.currentStepIndex ?? 0;
  if (!input.atDesiredCounts) return { weight: previousSetWeight(steps, index), branch: 'steps' };
  if (index < steps.length) return { weight: currentSetWeight(r), branch: 'steps' };
  return { weight: 100, branch: 'steps' };
}

function stepRouteNames(r: Rollout): string[] {
  return (r.spec.strategy?.canary?.steps ?? []).flatMap((s) => {
    const name = s.setHeaderRoute?.name ?? s.setMirrorRoute?.name;
    return name === undefined ? [] : [name];
  });
}

type RouteTarget = Parameters<typeof setHeaderRoute>[3];

/**
 * Applies the header/mirror routes of steps 0..index in order (level-triggered: a revert is put right). Only the
 * current step's route gets a note ("set headerRoute"/"set mirrorRoute", when it changed the object): Argo sets and
 * records the current step's route alone (`rollout/trafficrouting.go`), so replaying earlier steps on a later write
 * must not record their Events again. A revert put right is recorded as `DriftCorrected` instead.
 */
function applyStepRoutes(
  r: Rollout,
  vs: KubeObject,
  ref: IstioVirtualServiceRef,
  target: RouteTarget,
  notes: string[],
): KubeObject {
  const steps = r.spec.strategy?.canary?.steps ?? [];
  const current = r.status?.currentStepIndex ?? 0;
  let object = vs;
  steps.slice(0, Math.min(current, steps.length - 1) + 1).forEach((step, i) => {
    const before = object;
    if (step.setHeaderRoute) object = setHeaderRoute(object, ref, step.setHeaderRoute, target).object;
    else if (step.setMirrorRoute) object = setMirrorRoute(object, ref, step.setMirrorRoute, target).object;
    else return;
    if (i === current && !jsonEqual(before, object)) {
      const kind = step.setHeaderRoute ? 'headerRoute' : 'mirrorRoute';
      notes.push(`set ${kind} '${step.setHeaderRoute?.name ?? step.setMirrorRoute?.name ?? ''}'`);
    }
  });
  return object;
}

/** Where header/mirror routes send traffic: the canary Service or subset, and the managed route names. */
function routeTarget(input: TrafficInput): RouteTarget {
  const canary = input.rollout.spec.strategy?.canary ?? {};
  const dr = canary.trafficRouting?.istio?.destinationRule;
  const drHost = (input.observed.destinationRule?.spec as { host?: string } | undefined)?.host;
  return {
    canaryService: canary.canaryService,
    canarySubset: dr?.canarySubsetName,
    destinationRuleHost: dr ? drHost : undefined,
    managedRoutes: (canary.trafficRouting?.managedRoutes ?? []).map((m) => m.name),
  };
}

/** Header/mirror routes of steps 0..index on the `steps` branch; otherwise every managed route removed. */
function editRoutes(
  input: TrafficInput,
  vs: KubeObject,
  ref: IstioVirtualServiceRef,
  branch: Branch,
  notes: string[],
): KubeObject {
  const r = input.rollout;
  const target = routeTarget(input);
  const managed = target.managedRoutes ?? [];
  if (branch === 'steps') return applyStepRoutes(r, vs, ref, target, notes);
  if (branch === 'rollback') return vs; // Argo leaves the routes alone while rolling back (no RemoveManagedRoutes)
  if (managed.length === 0 && stepRouteNames(r).length === 0) return vs;
  const removed = removeManagedRoutes(vs, managed, stepRouteNames(r));
  if (removed.modified) notes.push('removed all managed routes.');
  return removed.object;
}

/** Applies header/mirror routes of steps 0..index, or removes all managed routes; then the weights. */
function editVirtualService(
  input: TrafficInput,
  vs: KubeObject,
  ref: IstioVirtualServiceRef,
  w: number,
  branch: Branch,
): { object: KubeObject; notes: string[] } {
  const canary = input.rollout.spec.strategy?.canary ?? {};
  const dr = canary.trafficRouting?.istio?.destinationRule;
  const notes: string[] = [];
  const object = editRoutes(input, vs, ref, branch, notes);
  const weighted = setWeight(object, ref, {
    weight: w,
    canaryService: canary.canaryService,
    stableService: canary.stableService,
    canarySubset: dr?.canarySubsetName,
    stableSubset: dr?.stableSubsetName,
    additionalSubsetNames: dr?.additionalSubsetNames,
    managedRoutes: (canary.trafficRouting?.managedRoutes ?? []).map((m) => m.name),
  });
  if (!jsonEqual(object, weighted.object)) notes.push(`set to desiredWeight '${w}'`);
  return { object: weighted.object, notes };
}

/** The VirtualService writes, each carrying its `Updated VirtualService` Events (one per change, as Argo's). */
function vsWrites(input: TrafficInput, w: number, branch: Branch): Write[] {
  const writes: Write[] = [];
  const refs = virtualServiceRefs(input.rollout.spec.strategy?.canary?.trafficRouting?.istio ?? {});
  for (const observedVs of input.observed.virtualServices) {
    const ref = refs[observedVs.index];
    if (!observedVs.object || !ref) continue;
    const { object, notes } = editVirtualService(input, observedVs.object, ref, w, branch);
    const patch = guardedPatch(observedVs.object, object);
    if (patch.length === 0) continue;
    const { namespace, name } = observedVs.key;
    writes.push({
      op: 'patch',
      target: { resource: 'virtualservices', namespace, name },
      patch,
      reason: `VirtualService ${namespace}/${name}: ${notes.join('; ') || 'routes and weights re-derived from the committed step'}`,
      events: notes.map((note) => ev.virtualServiceUpdated(name, note)),
    });
  }
  return writes;
}

function serviceWrites(
  input: TrafficInput,
  canaryHash: string,
  aborted: boolean,
): { writes: Write[]; waiting: string[] } {
  const { rollout: r, observed } = input;
  const canary = r.spec.strategy?.canary ?? {};
  const out = { writes: [] as Write[], waiting: [] as string[] };
  const targets = [
    { name: canary.stableService, hash: input.stableHash, force: false },
    { name: canary.canaryService, hash: canaryHash, force: aborted },
  ];
  for (const t of targets) {
    const svc = t.name ? observed.services[t.name] : undefined;
    if (!svc || t.hash === '') continue;
    const rs = findReplicaSetByHash(observed.replicaSets, t.hash);
    const res = switchService(r, { service: svc, hash: t.hash, rs, force: t.force });
    if (res.write) out.writes.push(res.write);
    if (res.waiting) out.waiting.push(res.waiting);
  }
  return out;
}

function stableGate(input: TrafficInput, w: number, aborted: boolean): string | undefined {
  if (aborted) return undefined; // moving traffic off a bad canary never waits for a degraded stable (#4839)
  const stable = findReplicaSetByHash(input.observed.replicaSets, input.stableHash);
  const need = Math.floor(((100 - w) * rolloutReplicas(input.rollout)) / 100);
  if (!stable) return `stable ReplicaSet with hash ${input.stableHash} does not exist`;
  if (replicaSetAvailable(stable) < need) {
    return `stable ReplicaSet ${stable.metadata.name} has ${replicaSetAvailable(stable)} of ${need} pods available`;
  }
  return undefined;
}

/**
 * Plans the traffic writes of one pass: Services first, then the DestinationRule and VirtualServices (the
 * VirtualService first when the canary weight is 0, so traffic leaves a subset before its label moves).
 */
export function planTraffic(input: TrafficInput): TrafficPlan {
  const choice = desiredWeight(input);
  const { weight: w, branch } = choice;
  const aborted = branch === 'aborted';
  // An abort points the canary at the stable pods once no traffic goes to the canary (at once without
  // dynamicStableScale, where the weight is 0); a rollback keeps splitting with the canary it came from.
  const canaryHash = choice.canaryHash ?? (aborted && w === 0 ? input.stableHash : input.newHash);
  const services = serviceWrites(input, canaryHash, aborted);
  const out: TrafficPlan = { weight: w, writes: [...services.writes], events: [], applied: false };
  const gate = stableGate(input, w, aborted);
  if (gate) return { ...out, waiting: `traffic unchanged: ${gate}` };
  try {
    const dr = drWrite(input, canaryHash, w);
    if (dr.waiting) return { ...out, waiting: dr.waiting };
    const vs = vsWrites(input, w, branch);
    const drWrites = dr.write ? [dr.write] : [];
    out.writes.push(...(w === 0 ? [...vs, ...drWrites] : [...drWrites, ...vs]));
  } catch (error) {
    if (!(error instanceof IstioError)) throw error;
    return {
      ...out,
      waiting: error.message,
      events: [...out.events, ev.trafficRoutingError(error.message)],
    };
  }
  const canary = input.rollout.spec.strategy?.canary ?? {};
  out.applied = true;
  out.weights = {
    canary: {
      weight: w,
      podTemplateHash: choice.canaryHash ?? input.newHash,
      ...svcName(canary.canaryService),
    },
    stable: { weight: 100 - w, podTemplateHash: input.stableHash, ...svcName(canary.stableService) },
  };
  return out;
}

function svcName(name: string | undefined): { serviceName?: string } {
  return name ? { serviceName: name } : {};
}
