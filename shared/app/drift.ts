/**
 * Drift correction: which sluice Rollouts reference a changed VirtualService, DestinationRule or Service, and one
 * engine pass for such a Rollout that re-asserts the committed step's weights, subset labels and selectors. The
 * pass records the `DriftCorrected` Event (before → after) when its write put a foreign change back, whichever path
 * ran it. Used by the drift-check function and by `sluice run`.
 */
import type { KubeGateway } from './kube-port/gateway.js';
import { LABELS, type Rollout } from '../core/model/types.js';
import { references, refKey, type ObjectRef } from './references.js';
import type { Logger } from './logger.js';
import { runStep, type StepResult } from './step.js';
import { inScope, listInScope, type NamespaceScope } from './scope.js';

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

/**
 * The Rollouts labelled with `instanceId` that reference the object. A VirtualService may be referenced from
 * another namespace (`name.namespace`), so every namespace of `scope` (all when unscoped) is listed for it;
 * Services and DRs only in their own, and none when that namespace is outside the scope.
 */
export async function affectedRollouts(
  gateway: KubeGateway,
  instanceId: string,
  object: ObjectRef,
  scope?: NamespaceScope,
): Promise<Rollout[]> {
  const labelSelector = `${LABELS.instanceId}=${instanceId}`;
  if (object.kind !== 'VirtualService' && !inScope(scope, object.namespace)) return [];
  const items =
    object.kind === 'VirtualService'
      ? await listInScope(gateway, 'rollouts', scope, { labelSelector })
      : (await gateway.list('rollouts', object.namespace, { labelSelector })).items;
  return (items as Rollout[]).filter((r) => references(r, object));
}

/**
 * One engine pass for `rollout` after `object` changed, pinned to the step the Rollout was seen at (a concurrent
 * advance makes it a stale event: no transition). The pass itself records `DriftCorrected` when its write put a
 * foreign change back (see runStep), so this records nothing more: a change another pass already restored (a
 * schedule tick, a step event) was recorded by that pass. Returns the entry (`corrected` with before/after when this
 * pass restored `object`) and the pass's result, for the caller's follow-up events.
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
  const step = rollout.status?.currentStepIndex;
  const result = await runStep(deps, {
    namespace,
    name,
    ...(step === undefined ? {} : { expectedStep: step }),
  });
  const entry: DriftCheckEntry = { rollout: `${namespace}/${name}`, writes: result.writes, corrected: false };
  const mine = result.driftCorrected?.find((c) => refKey(c.object) === refKey(object));
  if (mine) Object.assign(entry, { corrected: true, before: mine.before, after: mine.after });
  return { entry, result };
}
