/**
 * Operator actions (promote, promote --full, abort, retry, pause, resume) written as Argo Rollouts' CLI writes them
 * (merge patches; status to the `status` subresource), but with a resourceVersion precondition and an Event.
 */
import { randomUUID } from 'node:crypto';
import type { Rollout } from '../core/model/types.js';
import type { EventRecord, Target } from '../core/engine/types.js';
import type { KubeGateway } from './kube-port/gateway.js';
import { KubeApiError } from './kube-port/errors.js';
import { operatorAction, type OperatorActionResult } from '../core/engine/actions.js';
import type { OperatorActionName } from '../core/model/actions.js';
import { buildEvent, recordEvent } from './events.js';
import * as ev from '../core/engine/events.js';
import type { Logger } from './logger.js';

/** What {@link applyOperatorAction} needs. */
export interface ActionDeps {
  gateway: KubeGateway;
  now: () => Date;
  /** Conflicts re-read at debug, Events not recorded at warn. */
  log?: Logger;
}

/** One operator request. `expectedStep` makes the action conditional on the step the operator saw. */
export interface ActionRequest {
  namespace: string;
  name: string;
  action: OperatorActionName;
  expectedStep?: number;
  /** Who asked (CLI user, webhook caller): recorded in the Event. */
  actor: string;
  /**
   * A unique id of this delivery (the webhook uses a digest of its signature). When set, the request is claimed in
   * the cluster before anything is written, by creating an Event named after it: a replay of the same delivery,
   * from any process, finds the claim and writes nothing (`conflict`). Lowercase hex, at most 40 characters.
   */
  requestId?: string;
  /**
   * A digest of what is asked (method, path, body). With a client-chosen request id (an Idempotency-Key), a claim
   * holding another fingerprint means the key was reused for a different request: `reused-key`, nothing written.
   */
  fingerprint?: string;
}

/** A short, readable state of a Rollout, before and after an action. */
export interface RolloutSummary {
  step?: number;
  steps: number;
  phase?: string;
  paused: boolean;
  pauseConditions: number;
  abort: boolean;
  promoteFull: boolean;
}

/**
 * How an operator action ended, for callers to branch on (never on `message`, which is prose): `accepted` (written,
 * or nothing to change), else why nothing was written: `conflict` (the step moved, a replayed request, an aborted or
 * fully promoted Rollout), `invalid`, `not-found`, or `reused-key` (an Idempotency-Key reused for another request).
 */
export type ActionOutcome = 'accepted' | 'conflict' | 'invalid' | 'not-found' | 'reused-key';

/** The result of {@link applyOperatorAction}. `ok` is `outcome === 'accepted'`. */
export interface ActionResult {
  ok: boolean;
  outcome: ActionOutcome;
  message: string;
  before?: RolloutSummary;
  after?: RolloutSummary;
}

/** Summarises the fields operator actions change. */
export function summarizeRollout(r: Rollout): RolloutSummary {
  const s = r.status ?? {};
  const out: RolloutSummary = {
    steps: r.spec?.strategy?.canary?.steps?.length ?? 0,
    paused: r.spec?.paused === true,
    pauseConditions: s.pauseConditions?.length ?? 0,
    abort: s.abort === true,
    promoteFull: s.promoteFull === true,
  };
  if (s.currentStepIndex !== undefined) out.step = s.currentStepIndex;
  if (s.phase !== undefined) out.phase = s.phase;
  return out;
}

/** `step 1/4 Paused (pause condition)`: what an operator action changed reads as before -> after. */
export function describeSummary(s: RolloutSummary | undefined): string {
  if (!s) return 'unknown';
  const flags = [
    s.paused && 'spec paused',
    s.pauseConditions > 0 && 'pause condition',
    s.abort && 'aborted',
    s.promoteFull && 'promote-full',
  ].filter(Boolean);
  return `step ${s.step ?? '-'}/${s.steps} ${s.phase ?? 'no phase'}${flags.length ? ` (${flags.join(', ')})` : ''}`;
}

/** Merge-patches `patch` (`{spec: …}` or `{status: …}`) with `metadata.resourceVersion` as a precondition. */
async function mergeWithPrecondition(
  gw: KubeGateway,
  target: Target,
  rv: string,
  patch: object,
): Promise<Rollout> {
  const body = { ...patch, metadata: { resourceVersion: rv } };
  try {
    return (await gw.mergePatch(target, body)) as Rollout;
  } catch (err) {
    // Argo's CLI falls back to the main resource when the status subresource is not served.
    if (target.subresource === 'status' && err instanceof KubeApiError && err.code === 404) {
      const { subresource: _ignored, ...main } = target;
      return (await gw.mergePatch(main, body)) as Rollout;
    }
    throw err;
  }
}

/**
 * Applies one operator action to a Rollout. Reads it, asks the engine what to write, writes spec and status merge
 * patches guarded by the resourceVersion (status to the status subresource), then records an Event naming the
 * actor, action, and the state before and after. A 409 re-reads and retries only while the state the action
 * decided from ({@link decisionState}) is unchanged (at most 3 times); otherwise the answer is `conflict` and
 * nothing more is written, so of N concurrent actions decided from the same state exactly one wins.
 *
 * @example
 * await applyOperatorAction({ gateway, now: () => new Date() },
 *   { namespace: 'shop', name: 'reviews', action: 'promote', expectedStep: 1, actor: 'cli:alice' });
 */
export async function applyOperatorAction(deps: ActionDeps, req: ActionRequest): Promise<ActionResult> {
  let decidedFrom: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const rollout = (await deps.gateway.get('rollouts', req.namespace, req.name)) as Rollout | undefined;
    if (!rollout) return { ok: false, outcome: 'not-found', message: `rollout ${rolloutId(req)} not found` };
    const before = summarizeRollout(rollout);
    const state = decisionState(rollout);
    if (decidedFrom !== undefined && state !== decidedFrom) return movedWhileApplying(req, before);
    decidedFrom = state;
    const decision = operatorAction(rollout, req.action, withExpected(req.expectedStep, deps.now()));
    if (!decision.ok) return { ok: false, outcome: decision.outcome, message: decision.message, before };
    const refused = attempt === 0 ? await claimRefusal(deps, rollout, req) : undefined;
    if (refused) return { ...refused, before };
    try {
      return await writeDecision(deps, req, rollout, decision);
    } catch (err) {
      if (!isConflict(err) || attempt >= 3) throw err;
      deps.log?.debug('conflict: re-reading', {
        rollout: rolloutId(req),
        action: req.action,
        attempt: attempt + 1,
      });
    }
  }
}

/**
 * The whole state an operator action decides from: step index, pause conditions, `controllerPause`, `spec.paused`,
 * abort, promote-full and the pod hashes. A conflict retry goes ahead only when this is unchanged (the 409 came
 * from an unrelated write); otherwise another action or the engine moved the Rollout and the answer is `conflict`.
 */
export function decisionState(r: Rollout): string {
  const s = r.status ?? {};
  return JSON.stringify([
    s.currentStepIndex ?? null,
    (s.pauseConditions ?? []).map((c) => [c.reason, c.startTime]),
    s.controllerPause === true,
    r.spec?.paused === true,
    s.abort === true,
    s.promoteFull === true,
    s.currentPodHash ?? null,
    s.stableRS ?? null,
  ]);
}

/** An accepted decision of the engine: the patches to write (both absent when there is nothing to change). */
type AcceptedDecision = Extract<OperatorActionResult, { ok: true }>;

function rolloutId(req: ActionRequest): string {
  return `${req.namespace}/${req.name}`;
}

function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.isConflict;
}

function writesSomething(decision: AcceptedDecision): boolean {
  return decision.specPatch !== undefined || decision.statusPatch !== undefined;
}

/** A re-read after a conflict found the Rollout changed from the state the action decided from: nothing written. */
function movedWhileApplying(req: ActionRequest, before: RolloutSummary): ActionResult {
  return {
    ok: false,
    outcome: 'conflict',
    message: `rollout ${rolloutId(req)} changed (now ${describeSummary(before)}) while ${req.action} was being applied; nothing written`,
    before,
  };
}

/**
 * Claims the request (when it has an id), a no-op too: a replayed no-op (pause when already paused) is a 409 like
 * any other replay. Undefined when it may go ahead; otherwise why nothing is written: a replayed delivery, or a
 * request id reused for another request.
 */
async function claimRefusal(
  deps: ActionDeps,
  rollout: Rollout,
  req: ActionRequest,
): Promise<ActionResult | undefined> {
  if (!req.requestId) return undefined;
  const claim = await claimRequest(deps, rollout, req);
  if (claim === 'claimed') return undefined;
  return claim === 'replayed'
    ? {
        ok: false,
        outcome: 'conflict',
        message: `request ${req.requestId} was already accepted (a replayed delivery); nothing written`,
      }
    : {
        ok: false,
        outcome: 'reused-key',
        message: `request ${req.requestId} was already used for a different request; nothing written`,
      };
}

/**
 * Writes the decision's spec and status patches, each guarded by the resourceVersion the previous write returned,
 * and records the Event when something changed. Throws the gateway's error (a conflict is retried by the caller).
 */
async function writeDecision(
  deps: ActionDeps,
  req: ActionRequest,
  rollout: Rollout,
  decision: AcceptedDecision,
): Promise<ActionResult> {
  const target: Target = { resource: 'rollouts', namespace: req.namespace, name: req.name };
  const before = summarizeRollout(rollout);
  let current = rollout;
  const rv = (): string => current.metadata.resourceVersion ?? '';
  if (decision.specPatch !== undefined)
    current = await mergeWithPrecondition(deps.gateway, target, rv(), decision.specPatch);
  if (decision.statusPatch !== undefined)
    current = await mergeWithPrecondition(
      deps.gateway,
      { ...target, subresource: 'status' },
      rv(),
      decision.statusPatch,
    );
  const after = summarizeRollout(current);
  const changed = writesSomething(decision);
  const event = ev.operatorActed(req.action, req.actor, describeSummary(before), describeSummary(after));
  if (changed) await recordActionEvent(deps, current, req.action, event);
  return {
    ok: true,
    outcome: 'accepted',
    message: changed ? event.message : `${req.action}: nothing to change (${describeSummary(before)})`,
    before,
    after,
  };
}

/**
 * Claims `req.requestId` by creating the Event `<rollout>.req-<id>` (reason `OperatorRequest`). `replayed` when it
 * already exists for the same request (the same delivery, or a retry under the same Idempotency-Key), `reused` when
 * it exists for another request. Events live an hour by default, longer than the webhook's ±300 s window.
 */
async function claimRequest(
  deps: ActionDeps,
  rollout: Rollout,
  req: ActionRequest,
): Promise<'claimed' | 'replayed' | 'reused'> {
  // The nonce tells this invocation's own claim (a retried create whose first attempt landed) from a replay's.
  const nonce = randomUUID().slice(0, 8);
  const claim = ev.operatorRequest(req.action, req.actor, nonce, req.fingerprint);
  const event = buildEvent(rollout, claim, deps.now());
  event.metadata.name = `${rollout.metadata.name}.req-${req.requestId}`;
  try {
    await deps.gateway.create('events', req.namespace, event);
    return 'claimed';
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.code !== 409) throw err;
    const existing = String(
      (await deps.gateway.get('events', req.namespace, event.metadata.name))?.['message'],
    );
    if (existing === claim.message) return 'claimed';
    return existing.endsWith(`${ev.requestTag(req.fingerprint)})`) ? 'replayed' : 'reused';
  }
}

function withExpected(expectedStep: number | undefined, now: Date): { expectedStep?: number; now: Date } {
  return expectedStep === undefined ? { now } : { expectedStep, now };
}

async function recordActionEvent(
  deps: ActionDeps,
  rollout: Rollout,
  action: string,
  event: EventRecord,
): Promise<void> {
  try {
    await recordEvent(deps.gateway, rollout, event, deps.now());
  } catch (err) {
    deps.log?.warn('event not recorded', { action, error: err instanceof Error ? err.message : String(err) });
  }
}
