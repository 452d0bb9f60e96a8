/**
 * Whether a pass's write puts back a foreign change (drift), decided from what the pass read and what its write
 * returned. Every path that runs a pass (schedule tick, step event, drift check, `sluice run`) applies it to each
 * write that landed, so a restoration is recorded once, by the pass whose conditional write landed. Pure.
 */
import type { EventRecord, JsonPatchOp, Observed, Target, TransitionKind } from '../core/engine/types.js';
import { ANNOTATIONS, type KubeObject } from '../core/model/types.js';
import { driftCorrected } from '../core/engine/events.js';
import { lastWrittenBySluice, ownedByOthers } from '../core/model/managed-fields.js';
import { managedSummary, type DriftKind, type ObjectRef } from './references.js';

/** One foreign change a pass put back: the object, its managed fields before → after, and the Event to record. */
export interface DriftCorrection {
  object: ObjectRef;
  before: string;
  after: string;
  event: EventRecord;
}

const KIND_OF: Partial<Record<Target['resource'], DriftKind>> = {
  virtualservices: 'VirtualService',
  destinationrules: 'DestinationRule',
  services: 'Service',
};

/** The object `target` names as the pass read it (undefined when it was not read or not found). */
export function observedObject(observed: Observed, target: Target): KubeObject | undefined {
  if (target.subresource) return undefined;
  if (target.resource === 'services') {
    return target.namespace === observed.rollout.metadata.namespace
      ? observed.services[target.name]
      : undefined;
  }
  if (target.resource === 'virtualservices') {
    return observed.virtualServices.find(
      (vs) => vs.key.namespace === target.namespace && vs.key.name === target.name,
    )?.object;
  }
  if (target.resource === 'destinationrules') {
    const dr = observed.destinationRule;
    return dr?.metadata.name === target.name && dr.metadata.namespace === target.namespace ? dr : undefined;
  }
  return undefined;
}

/**
 * Whether the object as read shows someone else's change to a state sluice had set, rather than work sluice had
 * not done yet: another field manager owns a spec field the write sets (managedFields: the server gives a field to
 * whoever last changed its value; with times only, sluice did not write the object last; with no managed fields at
 * all there is no evidence, so no drift), and a Service or
 * DestinationRule already carried sluice's managed-by annotation (its first switch is adoption, not drift).
 */
export function foreignChange(kind: DriftKind, read: KubeObject, patch: JsonPatchOp[]): boolean {
  const paths = patch.filter((op) => op.op !== 'test' && op.path.startsWith('/spec/')).map((op) => op.path);
  const owned = ownedByOthers(read, paths) ?? (lastWrittenBySluice(read) === false ? true : undefined);
  // No managed fields at all (the sandbox's in-memory API): no evidence, and derived writes are not drift.
  if (owned !== true) return false;
  if (kind === 'VirtualService') return true;
  return read.metadata.annotations?.[ANNOTATIONS.managedBy] !== undefined;
}

/** What {@link driftCorrection} looks at for one write that landed. */
export interface LandedWrite {
  target: Target;
  /** The JSON Patch the pass sent (what it writes). */
  patch: JsonPatchOp[];
  /** The object as the pass read it before writing. */
  read: KubeObject | undefined;
  /** The object as the write returned it. */
  written: KubeObject;
  /** The transition the pass commits (its writes belong to the new step: no drift), if any. */
  transition: TransitionKind | undefined;
}

/**
 * The correction a landed write made, or undefined when it is none: a write to a VirtualService, DestinationRule or
 * Service (not a status), by a pass that moves the rollout nowhere (no transition, or status-only), to an object
 * that showed a foreign change ({@link foreignChange}), which changed the fields sluice manages.
 *
 * @example
 * driftCorrection({ target, patch, read: vsAt100, written: vsAt50, transition: undefined })
 * // { object: { kind: 'VirtualService', ... }, before: 'http[primary] ...=100, ...=0', after: '...=50, ...=50', event }
 */
export function driftCorrection(w: LandedWrite): DriftCorrection | undefined {
  const kind = KIND_OF[w.target.resource];
  if (!kind || w.target.subresource || !w.read) return undefined;
  if (w.transition !== undefined && w.transition !== 'status-only') return undefined;
  if (!foreignChange(kind, w.read, w.patch)) return undefined;
  const before = managedSummary(kind, w.read);
  const after = managedSummary(kind, w.written);
  if (before === after) return undefined;
  const object: ObjectRef = { kind, namespace: w.target.namespace, name: w.target.name };
  const event = driftCorrected(object, before, after);
  return { object, before, after, event };
}
