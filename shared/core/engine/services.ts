/**
 * Host-level splitting: point the canary and stable Services at their ReplicaSets through the
 * `rollouts-pod-template-hash` selector (Argo Rollouts `ensureSVCTargets`).
 *
 * Pure module: no I/O.
 */
import type { ReplicaSet, Rollout, Service } from '../model/types.js';
import { ANNOTATIONS, LABELS } from '../model/types.js';
import { isFullyAvailable, replicaSetAvailable } from '../model/replicas.js';
import { guardedPatch } from './json-diff.js';
import type { Write } from './types.js';
import * as ev from './events.js';

/** One Service to point at one pod-template hash. */
export interface ServiceTarget {
  service: Service;
  hash: string;
  /** The ReplicaSet with that hash (undefined when missing: no switch). */
  rs: ReplicaSet | undefined;
  /** Skip the availability rules (abort: the canary Service goes back to stable pods at once). */
  force?: boolean;
}

/** The hash a Service currently selects ('' when none). */
export function selectedHash(svc: Service | undefined): string {
  return svc?.spec?.selector?.[LABELS.podTemplateHash] ?? '';
}

/**
 * Why a Service may not be switched yet, or undefined when it may. A Service sluice (or Argo) has not adopted yet
 * (no managed-by annotation) waits until the ReplicaSet is fully available, an adopted one until one pod is.
 */
function notYet(t: ServiceTarget): string | undefined {
  if (t.force) return undefined;
  if (!t.rs) return `ReplicaSet with hash ${t.hash} does not exist`;
  const adopted = t.service.metadata.annotations?.[ANNOTATIONS.managedBy] !== undefined;
  if (!adopted && !isFullyAvailable(t.rs)) return `ReplicaSet ${t.rs.metadata.name} is not fully available`;
  if (replicaSetAvailable(t.rs) === 0) return `ReplicaSet ${t.rs.metadata.name} has no available pod`;
  return undefined;
}

/**
 * The write switching one Service's selector to `hash` (plus the managed-by annotation), carrying its
 * `SwitchService` Event when the selector changes, or nothing when it already selects that hash or must wait (the reason is returned).
 */
export function switchService(r: Rollout, t: ServiceTarget): { write?: Write; waiting?: string } {
  const from = selectedHash(t.service);
  if (from === t.hash && t.service.metadata.annotations?.[ANNOTATIONS.managedBy] === r.metadata.name)
    return {};
  if (from !== t.hash) {
    const waiting = notYet(t);
    if (waiting) return { waiting: `Service ${t.service.metadata.name} waits: ${waiting}` };
  }
  const after = structuredClone(t.service);
  after.spec = {
    ...(after.spec ?? {}),
    selector: { ...(after.spec?.selector ?? {}), [LABELS.podTemplateHash]: t.hash },
  };
  after.metadata.annotations = {
    ...(after.metadata.annotations ?? {}),
    [ANNOTATIONS.managedBy]: r.metadata.name,
  };
  const name = t.service.metadata.name;
  const write: Write = {
    op: 'patch',
    target: { resource: 'services', namespace: t.service.metadata.namespace ?? r.metadata.namespace, name },
    patch: guardedPatch(t.service, after),
    reason: `point Service ${name} at pod-template hash ${t.hash}`,
  };
  if (from === t.hash) return { write };
  return { write: { ...write, events: [ev.serviceSwitched(name, from, t.hash)] } };
}
