/**
 * Operator actions (promote, promote --full, abort, retry, pause, resume) written as Argo Rollouts' CLI writes them
 * (merge patches; status to the `status` subresource), but with a resourceVersion precondition and an Event.
 */
import { randomUUID } from 'node:crypto';
import type { Rollout } from '../core/model/types.js';
import type { EventRecord, Target } from '../core/engine/types.js';
import type { KubeGateway } from './kube-port/gateway.js';
import { KubeApiError } from './kube-port/errors.js';
import { operatorAction } from '../core/engine/actions.js';
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
 * actor, action, and the state before and after. A 409 re-reads and retries only while the step is unchanged
 * (at most 3 times); otherwise the answer is `conflict` and nothing more is written.
 *
 * @example
 * await applyOperatorAction({ gateway, now: () => new Date() },
 *   { namespace: 'shop', name: 'reviews', action: 'promote', expectedStep: 1, actor: 'cli:alice' });
 */
export async function applyOperatorAction(deps: ActionDeps, req: ActionRequest): Promise<ActionResult> {
  const id = `${req.namespace}/${req.name}`;
  let pinnedStep: number | undefined = req.expectedStep;
  for (let attempt = 0; ; attempt++) {
    const rollout = (await deps.gateway.get('rollouts', req.namespace, req.name)) as Rollout | undefined;
    if (!rollout) return { ok: false, outcome: 'not-found', message: `rollout ${id} not found` };
    const before = summarizeRollout(rollout);
    if (attempt > 0 && before.step !== pinnedStep) {
      return {
        ok: false,
        outcome: 'conflict',
        message: `rollout ${id} moved to step ${before.step ?? '-'} while ${req.action} was being applied; nothing written`,
        before,
      };
    }
    pinnedStep = before.step;
    const decision = operatorAction(rollout, req.action, withExpected(req.expectedStep, deps.now()));
    if (!decision.ok) return { ok: false, outcome: decision.outcome, message: decision.message, before };
    const target: Target = { resource: 'rollouts', namespace: req.namespace, name: req.name };
    const writes = decision.specPatch !== undefined || decision.statusPatch !== undefined;
    const claim =
      attempt === 0 && writes && req.requestId ? await claimRequest(deps, rollout, req) : 'claimed';
    if (claim !== 'claimed') {
      return claim === 'replayed'
        ? {
            ok: false,
            outcome: 'conflict',
            message: `request ${req.requestId} was already accepted (a replayed delivery); nothing written`,
            before,
          }
        : {
            ok: false,
            outcome: 'reused-key',
            message: `request ${req.requestId} was already used for a different request; nothing written`,
            before,
          };
    }
    try {
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
      const changed = decision.specPatch !== undefined || decision.statusPatch !== undefined;
      const event = ev.operatorActed(req.action, req.actor, describeSummary(before), describeSummary(after));
      const message = event.message;
      if (changed) await recordActionEvent(deps, current, req.action, event);
      return {
        ok: true,
        outcome: 'accepted',
        message: changed ? message : `${req.action}: nothing to change (${describeSummary(before)})`,
        before,
        after,
      };
    } catch (err) {
      if (!(err instanceof KubeApiError) || !err.isConflict || attempt >= 3) throw err;
      deps.log?.debug('conflict: re-reading', { rollout: id, action: req.action, attempt: attempt + 1 });
    }
  }
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
