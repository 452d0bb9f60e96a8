/**
 * Drift correction: which sluice Rollouts reference a changed VirtualService, DestinationRule or Service, and one
 * engine pass for such a Rollout that re-asserts the committed step's weights, subset labels and selectors. When
 * the object's managed fields were put back, a `DriftCorrected` Event is recorded on the Rollout naming the object
 * and what changed (before → after). Used by the drift-check function and by `sluice run`.
 */
import type { Target } from '../core/engine/types.js';
import type { KubeGateway } from '../adapters/kube/gateway.js';
import { decorateGateway } from '../adapters/kube/decorate.js';
import { lastWrittenBySluice } from '../adapters/kube/field-manager.js';
import { recordEvent } from '../adapters/kube/events.js';
import * as ev from '../core/engine/events.js';
import { ANNOTATIONS, LABELS, type KubeObject, type Rollout } from '../core/model/types.js';
import { DRIFT_RESOURCES, managedSummary, references, type ObjectRef } from './references.js';
import type { Logger } from './logger.js';
import { runStep, type StepResult } from './step.js';

/** One Rollout's outcome of a drift check. */
export interface DriftCheckEntry {
  rollout: string;
  writes: number;
  corrected: boolean;
  before?: string;
  after?: string;
}

/** What {@link correctDrift} needs. */
export interface DriftDeps {
  gateway: KubeGateway;
  /** Gateway of the Istio primary cluster (VirtualServices, DestinationRules); defaults to `gateway`. */
  istioGateway?: KubeGateway;
  now: () => Date;
  /** Corrections at info, a DriftCorrected Event not recorded at warn. */
  log?: Logger;
}

/** A gateway that remembers the last read of `object` before it is first written, and whether it was written. */
function watching(
  inner: KubeGateway,
  object: ObjectRef,
): { gateway: KubeGateway; seenBeforeWrite(): KubeObject | undefined; written(): boolean } {
  const resource = DRIFT_RESOURCES[object.kind];
  let seen: KubeObject | undefined;
  let wrote = false;
  const isIt = (r: string, ns: string, n: string): boolean =>
    r === resource && ns === object.namespace && n === object.name;
  const noteWrite = <T>(target: Target, p: Promise<T>): Promise<T> => {
    if (!isIt(target.resource, target.namespace, target.name) || target.subresource) return p;
    return p.then((v) => ((wrote = true), v));
  };
  const gateway = decorateGateway(inner, {
    around: (request, send) =>
      request.method === 'patch' || request.method === 'mergePatch'
        ? noteWrite(request.target, send(inner))
        : send(inner),
    overrides: {
      get: async (r, ns, n) => {
        const got = await inner.get(r, ns, n);
        if (!wrote && isIt(r, ns, n)) seen = got;
        return got;
      },
    },
  });
  return { gateway, seenBeforeWrite: () => seen, written: () => wrote };
}

/**
 * The Rollouts labelled with `instanceId` that reference the object. A VirtualService may be referenced from
 * another namespace (`name.namespace`), so all namespaces are listed for it; Services and DRs only in their own.
 */
export async function affectedRollouts(
  gateway: KubeGateway,
  instanceId: string,
  object: ObjectRef,
): Promise<Rollout[]> {
  const namespace = object.kind === 'VirtualService' ? undefined : object.namespace;
  const { items } = await gateway.list('rollouts', namespace, {
    labelSelector: `${LABELS.instanceId}=${instanceId}`,
  });
  return (items as Rollout[]).filter((r) => references(r, object));
}

/**
 * Whether the object as read shows someone else's change to a state sluice had set, rather than work sluice had
 * not done yet: sluice did not write it last (managedFields, where the server tracks them), and a Service or
 * DestinationRule already carried sluice's managed-by annotation (its first switch is adoption, not drift).
 */
function foreignChange(kind: ObjectRef['kind'], seen: KubeObject | undefined): boolean {
  if (lastWrittenBySluice(seen) === true) return false;
  if (kind === 'VirtualService') return true;
  return seen?.metadata.annotations?.[ANNOTATIONS.managedBy] !== undefined;
}

/**
 * One engine pass for `rollout` after `object` changed, pinned to the step the Rollout was seen at (a concurrent
 * advance makes it a stale event: no transition). It is a correction when the pass wrote the object without
 * committing a transition, and the object as read shows a foreign change (see foreignChange); `before` is the object as the pass read it, `after` as read back. Returns the entry (with before/after when the object's managed
 * fields were restored) and the pass's result, for the caller's follow-up events.
 *
 * @example
 * const { entry } = await correctDrift({ gateway, now: () => new Date() },
 *   { kind: 'VirtualService', namespace: 'shop', name: 'reviews' }, rollout);
 * // entry.corrected === true, entry.before === 'http[primary] reviews-stable=100, reviews-canary=0'
 */
export async function correctDrift(
  deps: DriftDeps,
  object: ObjectRef,
  rollout: Rollout,
): Promise<{ entry: DriftCheckEntry; result: StepResult }> {
  const { namespace, name } = rollout.metadata;
  const onIstio = object.kind !== 'Service' && deps.istioGateway !== undefined;
  const watched = watching(onIstio ? (deps.istioGateway as KubeGateway) : deps.gateway, object);
  const read = (): Promise<KubeObject | undefined> =>
    watched.gateway.get(DRIFT_RESOURCES[object.kind], object.namespace, object.name);
  const result = await runStep(
    {
      gateway: onIstio ? deps.gateway : watched.gateway,
      ...(onIstio ? { istioGateway: watched.gateway } : {}),
      now: deps.now,
      ...(deps.log ? { log: deps.log } : {}),
    },
    {
      namespace,
      name,
      ...(rollout.status?.currentStepIndex === undefined
        ? {}
        : { expectedStep: rollout.status.currentStepIndex }),
    },
  );
  // What the pass saw (its last read before writing): the drifted state it corrected.
  const before = managedSummary(object.kind, watched.seenBeforeWrite());
  const entry: DriftCheckEntry = { rollout: `${namespace}/${name}`, writes: result.writes, corrected: false };
  // The object was not written, or the pass moved the rollout on (its writes belong to the new step).
  if (!watched.written() || (result.transition !== undefined && result.transition !== 'status-only'))
    return { entry, result };
  if (!foreignChange(object.kind, watched.seenBeforeWrite())) return { entry, result };
  const after = managedSummary(object.kind, await read());
  if (after === before) return { entry, result };
  Object.assign(entry, { corrected: true, before, after });
  try {
    await recordEvent(deps.gateway, rollout, ev.driftCorrected(object, before, after), deps.now());
  } catch (err) {
    deps.log?.warn('DriftCorrected event not recorded', {
      rollout: entry.rollout,
      error: err instanceof Error ? err.message : String(err),
    });
  }
  deps.log?.info('drift corrected', { rollout: entry.rollout, kind: object.kind, before, after });
  return { entry, result };
}
