/**
 * Executes a {@link Plan}: effects in order (each one's Events recorded as it lands), then ONE conditional status
 * write, then the transition's Events (best effort).
 */
import type { KubeObject, Rollout, RolloutStatus } from '../core/model/types.js';
import type { EventRecord, JsonPatchOp, Observed, Plan, Target, Write } from '../core/engine/types.js';
import type { KubeGateway, WriteOptions } from './kube-port/gateway.js';
import { KubeApiError } from './kube-port/errors.js';
import { recordEvent } from './events.js';
import type { Logger } from './logger.js';
import { driftCorrection, observedObject, type DriftCorrection } from './drift-record.js';
import { forbiddenEffect } from '../core/engine/tenancy.js';

/** Options for {@link applyPlan}. */
export interface ApplyOptions {
  /** Send every write with `dryRun=All` (validated by the API server, nothing persisted); no Events. */
  dryRun?: boolean;
  /** Gateway for VirtualService/DestinationRule writes (Istio primary cluster); defaults to the main gateway. */
  istioGateway?: KubeGateway;
  /** Writes at info, already-done writes at debug, Events not recorded at warn. */
  log?: Logger;
  /** Clock for Event timestamps. */
  now?: () => Date;
  /**
   * What the plan was made from. Given it, every effect write that landed and put back a foreign change records
   * one `DriftCorrected` Event with its own Events (before the status commit, which may still conflict) and is
   * reported to `onDriftCorrected`.
   */
  observed?: Observed;
  onDriftCorrected?: (correction: DriftCorrection) => void;
}

/** What {@link applyPlan} did. */
export interface ApplyResult {
  /** Writes the API server accepted (effects + status commit). */
  writes: number;
  /** Effect writes that found their object already in place (create of an identical ReplicaSet). */
  alreadyDone: number;
  /** True when the status was committed. */
  committed: boolean;
  /** The Rollout as returned by the status commit, when there was one. */
  rollout?: Rollout;
  /** Events that could not be recorded (messages). */
  eventFailures: string[];
}

const ISTIO_RESOURCES = new Set(['virtualservices', 'destinationrules']);

/** The status commit: `test` the resourceVersion as observed, then replace (or add) the whole status. */
export function statusCommitPatch(rollout: Rollout, status: RolloutStatus): JsonPatchOp[] {
  const rv = rollout.metadata.resourceVersion;
  if (!rv)
    throw new Error(
      `commit status of rollout ${rollout.metadata.namespace}/${rollout.metadata.name} failed: no resourceVersion as read`,
    );
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: rv },
    { op: rollout.status === undefined ? 'add' : 'replace', path: '/status', value: status },
  ];
}

/** True when `existing` is the ReplicaSet `body` would create (same owner and pod-template-hash label). */
function sameReplicaSet(existing: KubeObject, body: KubeObject): boolean {
  const hash = (o: KubeObject): string | undefined => o.metadata.labels?.['rollouts-pod-template-hash'];
  const owner = (o: KubeObject): string | undefined =>
    o.metadata.ownerReferences?.find((r) => r.controller)?.uid;
  return hash(existing) === hash(body) && owner(existing) === owner(body);
}

/** True when an existing AnalysisRun is the one `body` would create (same name, same controller). */
function sameRun(existing: KubeObject, body: KubeObject): boolean {
  const owner = (o: KubeObject): string | undefined =>
    o.metadata.ownerReferences?.find((r) => r.controller)?.uid;
  return owner(existing) !== undefined && owner(existing) === owner(body);
}

/** A run the Rollout terminates may be gone already (deleted with its ReplicaSet, or by a person): nothing to do. */
async function patchRun(
  gw: KubeGateway,
  write: Write & { op: 'patch' },
  options: WriteOptions,
): Promise<{ outcome: 'done'; written: KubeObject } | { outcome: 'already' }> {
  try {
    return { outcome: 'done' as const, written: await gw.patch(write.target, write.patch, options) };
  } catch (err) {
    if (err instanceof KubeApiError && (err.code === 404 || err.code === 422)) {
      const still = await gw.get(write.target.resource, write.target.namespace, write.target.name);
      if (!still || (still.spec as { terminate?: boolean } | undefined)?.terminate === true)
        return { outcome: 'already' as const };
    }
    throw err;
  }
}

/**
 * A delete guarded by the uid and resourceVersion as read: a changed object gives 409 (re-read, re-plan); one that
 * is gone already (a concurrent pass deleted it) is done.
 */
async function deleteObject(
  gw: KubeGateway,
  write: Write & { op: 'delete' },
  options: WriteOptions,
): Promise<{ outcome: 'done' } | { outcome: 'already' }> {
  try {
    await gw.delete(write.target, { ...options, preconditions: write.preconditions });
    return { outcome: 'done' };
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) return { outcome: 'already' };
    throw err;
  }
}

/**
 * Applies one effect. Returns 'already' (idempotent create, delete of an object gone), or 'done' with the object as
 * written (none for a delete). Throws KubeApiError otherwise.
 */
async function applyWrite(
  gw: KubeGateway,
  write: Write,
  options: WriteOptions,
): Promise<{ outcome: 'done'; written?: KubeObject } | { outcome: 'already' }> {
  if (write.op === 'delete') return deleteObject(gw, write, options);
  if (write.op === 'patch' && write.target.resource === 'analysisruns') return patchRun(gw, write, options);
  if (write.op === 'patch')
    return { outcome: 'done', written: await gw.patch(write.target, write.patch, options) };
  const { resource, namespace } = write.target;
  try {
    return { outcome: 'done', written: await gw.create(resource, namespace, write.body, options) };
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.code !== 409 || err.reason !== 'AlreadyExists') throw err;
    const existing = await gw.get(resource, namespace, write.body.metadata.name);
    const same = resource === 'analysisruns' ? sameRun : sameReplicaSet;
    if (existing && same(existing, write.body)) return { outcome: 'already' };
    throw err;
  }
}

/** Records plan events; failures are logged and returned, never thrown. */
async function recordEvents(
  gw: KubeGateway,
  rollout: Rollout,
  events: EventRecord[],
  now: Date,
  log: Logger | undefined,
): Promise<string[]> {
  // Independent writes: sent together, so a transition's Events cost one round trip, not one each.
  const outcomes = await Promise.allSettled(events.map((ev) => recordEvent(gw, rollout, ev, now)));
  const failures: string[] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') return;
    const err: unknown = outcome.reason;
    const message = err instanceof Error ? err.message : String(err);
    failures.push(message);
    log?.warn('event not recorded', { reason: events[i]?.reason, error: message });
  });
  return failures;
}

/** What a pass is applying: the Rollout as read, its plan, and the options. */
interface Pass {
  gw: KubeGateway;
  rollout: Rollout;
  plan: Plan;
  opts: ApplyOptions;
  /** The Rollout's resourceVersion after this pass's own write of its metadata (see rolloutAfter). */
  rolloutVersion?: string;
}

/**
 * The Rollout the status commit is guarded by: as read, or, after this pass's own metadata write (the revision
 * annotation, itself guarded by the resourceVersion as read, so nothing else came in between), as that write left
 * it. In dry-run mode nothing was persisted, so the version as read still holds.
 */
function rolloutAfter(pass: Pass): Rollout {
  const rv = pass.opts.dryRun ? undefined : pass.rolloutVersion;
  return rv ? { ...pass.rollout, metadata: { ...pass.rollout.metadata, resourceVersion: rv } } : pass.rollout;
}

/** True when `write` targets the Rollout object itself (not its status). */
function isRolloutItself(pass: Pass, write: Write): boolean {
  const { target } = write;
  const m = pass.rollout.metadata;
  return (
    target.resource === 'rollouts' &&
    !target.subresource &&
    target.name === m.name &&
    target.namespace === m.namespace
  );
}

/**
 * The `DriftCorrected` Event of a write that just landed and put back a foreign change (see driftCorrection), or
 * none. The write was conditional on the resourceVersion the pass read, so of two passes restoring the same change
 * only the one whose write landed gets here.
 */
function driftEvent(pass: Pass, write: Write, written: KubeObject | undefined): EventRecord[] {
  const { opts } = pass;
  if (!opts.observed || write.op !== 'patch' || !written) return [];
  const read = observedObject(opts.observed, write.target);
  const { target, patch } = write;
  const correction = driftCorrection({ target, patch, read, written, transition: pass.plan.transition });
  if (!correction) return [];
  opts.onDriftCorrected?.(correction);
  opts.log?.info('drift corrected', {
    target: describeTarget(write.target),
    before: correction.before,
    after: correction.after,
  });
  return [correction.event];
}

/**
 * Records the Events of a write that just landed: those the plan gave it (`write.events`), then `DriftCorrected`
 * when it put back a foreign change. Recorded now, before the status commit, which may still lose its race: the
 * re-planned pass finds the object in place and plans no write, so no Event, the second time. Best effort: failures
 * are logged and returned.
 */
async function recordLanded(pass: Pass, write: Write, written: KubeObject | undefined): Promise<string[]> {
  const { opts } = pass;
  if (opts.dryRun) return [];
  const events = [...(write.events ?? []), ...driftEvent(pass, write, written)];
  if (events.length === 0) return [];
  const now = (opts.now ?? (() => new Date()))();
  return recordEvents(pass.gw, pass.rollout, events, now, opts.log);
}

/** Applies the effects in order into `result` (writes, alreadyDone, Events of landed writes that failed). */
async function applyEffects(pass: Pass, writeOptions: WriteOptions, result: ApplyResult): Promise<void> {
  const { gw, opts } = pass;
  for (const write of pass.plan.effects) {
    const via = ISTIO_RESOURCES.has(write.target.resource) && opts.istioGateway ? opts.istioGateway : gw;
    const applied = await applyWrite(via, write, writeOptions);
    const fields = { op: write.op, target: describeTarget(write.target), reason: write.reason };
    if (applied.outcome === 'done') opts.log?.info('applied', fields);
    else opts.log?.debug('already applied', fields);
    if (applied.outcome === 'already') {
      result.alreadyDone += 1;
      continue;
    }
    result.writes += 1;
    if (isRolloutItself(pass, write)) pass.rolloutVersion = applied.written?.metadata.resourceVersion;
    result.eventFailures.push(...(await recordLanded(pass, write, applied.written)));
  }
}

/**
 * The last tenancy check, before the first write: every effect must target an object the Rollout may change
 * (`forbiddenEffect`), judged from what the plan was made from. One that is not stops the whole plan, nothing sent.
 */
function refuseForeignWrites(rollout: Rollout, plan: Plan, observed: Observed | undefined): void {
  if (!observed) return;
  for (const write of plan.effects) {
    const refusal = forbiddenEffect(observed, write);
    if (refusal)
      throw new Error(
        `apply plan of rollout ${rollout.metadata.namespace}/${rollout.metadata.name} failed: ${refusal}; nothing written`,
      );
  }
}

/**
 * Applies `plan.effects` in order, recording each effect's Events (`write.events`, and with `opts.observed` a
 * `DriftCorrected` when it put back a foreign change) as soon as it lands, then commits `plan.status` with one JSON
 * Patch on the `status` subresource guarded by the observed resourceVersion, then records `plan.events` (best
 * effort) when the commit succeeded or there was none. An effect that found its object in place records nothing.
 *
 * With `opts.observed`, a plan with a write the Rollout may not make (`forbiddenEffect`) is refused before anything
 * is sent. Any KubeApiError from an effect or the commit is thrown unchanged; on a conflict the caller re-reads and
 * re-plans (never resends). In `dryRun` mode every write carries `dryRun=All` and no Event is recorded.
 *
 * @example
 * const result = await applyPlan(gw, observed.rollout, plan(observed), { now: () => new Date() });
 */
export async function applyPlan(
  gw: KubeGateway,
  rollout: Rollout,
  plan: Plan,
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const writeOptions: WriteOptions = opts.dryRun ? { dryRun: true } : {};
  refuseForeignWrites(rollout, plan, opts.observed);
  const result: ApplyResult = { writes: 0, alreadyDone: 0, committed: false, eventFailures: [] };
  const pass: Pass = { gw, rollout, plan, opts };
  await applyEffects(pass, writeOptions, result);
  if (plan.status) {
    const target: Target = {
      resource: 'rollouts',
      namespace: rollout.metadata.namespace,
      name: rollout.metadata.name,
      subresource: 'status',
    };
    result.rollout = (await gw.patch(
      target,
      statusCommitPatch(rolloutAfter(pass), plan.status),
      writeOptions,
    )) as Rollout;
    result.writes += 1;
    result.committed = true;
    opts.log?.info('status committed', { transition: plan.transition, reason: plan.reason });
  }
  if (!opts.dryRun && plan.events.length > 0 && (plan.status === undefined || result.committed)) {
    const now = (opts.now ?? (() => new Date()))();
    result.eventFailures.push(
      ...(await recordEvents(gw, result.rollout ?? rollout, plan.events, now, opts.log)),
    );
  }
  return result;
}

/** `replicasets shop/reviews-abc` or `rollouts/status shop/reviews`. */
export function describeTarget(t: Target): string {
  return `${t.resource}${t.subresource ? `/${t.subresource}` : ''} ${t.namespace}/${t.name}`;
}
