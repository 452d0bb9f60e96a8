/**
 * A pass over a Rollout with `spec.workloadRef`, as Argo Rollouts makes it: the template (and selector) resolved from
 * the Deployment first (`resolveWorkload`), `status.workloadObservedGeneration` and the workload-generation
 * annotation kept at the Deployment's generation, and the Deployment scaled down per `workloadRef.scaleDown` during
 * the migration from it (Argo's `scaleDeployment`: only while the Rollout is at revision 1):
 * - `onsuccess`: to 0 once the Rollout, as read, is Healthy and fully promoted (`promoteStable`);
 * - `progressively`: to 0 once Healthy, else to `spec.replicas - status.readyReplicas` (not below 0) while the
 *   Rollout has ready pods or its canary ReplicaSet is being scaled down (`reconcileNewReplicaSet`);
 * - `never` (the default): the Deployment is left as it is.
 *
 * Pure module: no I/O.
 */
import {
  ANNOTATIONS,
  type KubeObject,
  type ReplicaSet,
  type Rollout,
  type RolloutStatus,
} from '../model/types.js';
import { resolveWorkload, scaleDownMode, WORKLOAD_GENERATION_ANNOTATION } from '../model/workload-ref.js';
import { guardedPatch } from './json-diff.js';
import { findReplicaSetByHash, rsRevision } from './replicasets.js';
import type { Observed, Plan, Write } from './types.js';

/**
 * The observation the engine plans on: with a workloadRef, the Rollout resolved from the Deployment read and
 * `workload.generation` set; without one, `observed` itself. `{error}` carries Argo's resolve error text.
 */
export function resolveObserved(observed: Observed): { observed: Observed } | { error: string } {
  if (observed.rollout.spec['workloadRef'] === undefined) return { observed };
  const resolved = resolveWorkload(observed.rollout, observed.workload?.object);
  if ('error' in resolved) return resolved;
  // The metadata stays as read: the annotation is written by the pass (workloadAnnotations), not assumed.
  const rollout: Rollout = { ...resolved.rollout, metadata: observed.rollout.metadata };
  return {
    observed: {
      ...observed,
      rollout,
      workload: { ...observed.workload, generation: resolved.generation },
    },
  };
}

/** The annotations a pass keeps on a workloadRef Rollout (the Deployment's generation), for its metadata write. */
export function workloadAnnotations(observed: Observed): Record<string, string> {
  const generation = observed.workload?.generation;
  return generation === undefined ? {} : { [WORKLOAD_GENERATION_ANNOTATION]: String(generation) };
}

/** `spec.replicas` of the Deployment as read (the API server defaults it to 1). */
function deploymentReplicas(d: KubeObject): number {
  const n = (d.spec as { replicas?: number } | undefined)?.replicas;
  return typeof n === 'number' ? n : 1;
}

/** The canary ReplicaSet's replicas this plan sets (a scale patch of it), or its count as read. */
function plannedReplicas(p: Plan, rs: ReplicaSet): number {
  const write = p.effects.find(
    (w) => w.op === 'patch' && w.target.resource === 'replicasets' && w.target.name === rs.metadata.name,
  );
  const op = write?.op === 'patch' ? write.patch.find((o) => o.path === '/spec/replicas') : undefined;
  return typeof op?.value === 'number' ? op.value : (rs.spec.replicas ?? 1);
}

/** Argo's `promoteStable` condition for `onsuccess`: revision 1, Healthy as read, all steps done, not aborted. */
function onSuccessTarget(r: Rollout): number | undefined {
  const s = r.status ?? {};
  const steps = r.spec.strategy?.canary?.steps ?? [];
  const promoted =
    !!s.stableRS &&
    s.stableRS === s.currentPodHash &&
    s.abort !== true &&
    (s.currentStepIndex ?? 0) >= steps.length;
  if (r.metadata.annotations?.[ANNOTATIONS.revision] !== '1') return undefined;
  return s.phase === 'Healthy' && promoted ? 0 : undefined;
}

/** Argo's `reconcileNewReplicaSet` condition for `progressively`: the canary ReplicaSet is revision 1. */
function progressiveTarget(observed: Observed, p: Plan): number | undefined {
  const r = observed.rollout;
  const s = r.status ?? {};
  const newRS = s.currentPodHash ? findReplicaSetByHash(observed.replicaSets, s.currentPodHash) : undefined;
  if (!newRS || rsRevision(newRS) !== 1) return undefined;
  if (s.phase === 'Healthy') return 0;
  const ready = s.readyReplicas ?? 0;
  const shrinking = (newRS.spec.replicas ?? 1) > plannedReplicas(p, newRS);
  if (r.spec.replicas === undefined || (ready <= 0 && !shrinking)) return undefined;
  return Math.max(0, r.spec.replicas - ready);
}

/** The scale write of the Deployment `scaleDown` asks for in this pass, or undefined. */
export function deploymentScaleWrite(observed: Observed, p: Plan): Write | undefined {
  const d = observed.workload?.object;
  const mode = scaleDownMode(observed.rollout);
  if (!d || mode === 'never') return undefined;
  const target = mode === 'onsuccess' ? onSuccessTarget(observed.rollout) : progressiveTarget(observed, p);
  const from = deploymentReplicas(d);
  if (target === undefined || target === from) return undefined;
  const after = { ...d, spec: { ...(d.spec as Record<string, unknown>), replicas: target } };
  const { namespace = '', name } = d.metadata;
  return {
    op: 'patch',
    target: { resource: 'deployments', namespace, name },
    patch: guardedPatch(d, after),
    reason: `scale Deployment ${namespace}/${name} from ${from} to ${target} (workloadRef scaleDown: ${mode})`,
  };
}

/**
 * A plan for a workloadRef Rollout completed: `status.workloadObservedGeneration` set to the Deployment's generation
 * (a status write of its own when nothing else changed, as Argo's `persistRolloutStatus` writes it every time) and
 * the Deployment's scale write appended. A plan for a Rollout without workloadRef drops a stale
 * workloadObservedGeneration (Argo writes it empty, so omitted).
 */
export function withWorkload(observed: Observed, p: Plan): Plan {
  const generation = observed.workload?.generation;
  const read = observed.rollout.status;
  if (generation === undefined) {
    if (p.status?.workloadObservedGeneration === undefined) return p;
    const status: RolloutStatus = { ...p.status };
    delete status.workloadObservedGeneration;
    return { ...p, status };
  }
  const value = String(generation);
  const scale = deploymentScaleWrite(observed, p);
  const effects = scale ? [...p.effects, scale] : p.effects;
  if (p.status) return { ...p, effects, status: { ...p.status, workloadObservedGeneration: value } };
  if (read === undefined || read.workloadObservedGeneration === value) return { ...p, effects };
  return {
    ...p,
    effects,
    status: { ...read, workloadObservedGeneration: value },
    transition: 'status-only',
    reason: `${p.reason}; the workloadRef Deployment is at generation ${value}`,
  };
}
