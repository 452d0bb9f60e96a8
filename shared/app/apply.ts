/**
 * Executes a {@link Plan}: effects in order, then ONE conditional status write, then Events (best effort).
 */
import type { KubeObject, Rollout, RolloutStatus } from '../core/model/types.js';
import type { EventRecord, JsonPatchOp, Plan, Target, Write } from '../core/engine/types.js';
import type { KubeGateway, WriteOptions } from '../adapters/kube/gateway.js';
import { KubeApiError } from '../adapters/kube/errors.js';
import { recordEvent } from '../adapters/kube/events.js';
import type { Logger } from './logger.js';

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

/** Applies one effect. Returns 'done' or 'already' (idempotent create). Throws KubeApiError otherwise. */
async function applyWrite(gw: KubeGateway, write: Write, options: WriteOptions): Promise<'done' | 'already'> {
  if (write.op === 'patch') {
    await gw.patch(write.target, write.patch, options);
    return 'done';
  }
  const { resource, namespace } = write.target;
  try {
    await gw.create(resource, namespace, write.body, options);
    return 'done';
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.code !== 409 || err.reason !== 'AlreadyExists') throw err;
    const existing = await gw.get(resource, namespace, write.body.metadata.name);
    if (existing && sameReplicaSet(existing, write.body)) return 'already';
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

/**
 * Applies `plan.effects` in order, then commits `plan.status` with one JSON Patch on the `status` subresource
 * guarded by the observed resourceVersion, then records `plan.events` (best effort).
 *
 * Any KubeApiError from an effect or the commit is thrown unchanged; on a conflict the caller re-reads and
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
  const result: ApplyResult = { writes: 0, alreadyDone: 0, committed: false, eventFailures: [] };
  for (const write of plan.effects) {
    const target = write.target.resource;
    const via = ISTIO_RESOURCES.has(target) && opts.istioGateway ? opts.istioGateway : gw;
    const outcome = await applyWrite(via, write, writeOptions);
    if (outcome === 'done') result.writes += 1;
    else result.alreadyDone += 1;
    const fields = { op: write.op, target: describeTarget(write.target), reason: write.reason };
    if (outcome === 'done') opts.log?.info('applied', fields);
    else opts.log?.debug('already applied', fields);
  }
  if (plan.status) {
    const target: Target = {
      resource: 'rollouts',
      namespace: rollout.metadata.namespace,
      name: rollout.metadata.name,
      subresource: 'status',
    };
    result.rollout = (await gw.patch(
      target,
      statusCommitPatch(rollout, plan.status),
      writeOptions,
    )) as Rollout;
    result.writes += 1;
    result.committed = true;
    opts.log?.info('status committed', { transition: plan.transition, reason: plan.reason });
  }
  if (!opts.dryRun && plan.events.length > 0 && (plan.status === undefined || result.committed)) {
    const now = (opts.now ?? (() => new Date()))();
    result.eventFailures = await recordEvents(gw, result.rollout ?? rollout, plan.events, now, opts.log);
  }
  return result;
}

/** `replicasets shop/reviews-abc` or `rollouts/status shop/reviews`. */
export function describeTarget(t: Target): string {
  return `${t.resource}${t.subresource ? `/${t.subresource}` : ''} ${t.namespace}/${t.name}`;
}
