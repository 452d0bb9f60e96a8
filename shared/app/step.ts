/**
 * One engine pass against a cluster: observe → plan → apply → commit, with bounded re-plan on conflict.
 */
import type { Observed, Plan } from '../core/engine/types.js';
import type { RolloutStatus } from '../core/model/types.js';
import type { KubeGateway } from './kube-port/gateway.js';
import { KubeApiError } from './kube-port/errors.js';
import { observe } from './observe.js';
import { applyPlan, type ApplyResult } from './apply.js';
import type { Logger } from './logger.js';
import type { DriftCorrection } from './drift-record.js';
import { plan as enginePlan } from '../core/engine/plan.js';
import { measureRuns } from './analysis-pass.js';
import type { MetricProviders } from './ports.js';
import { evictForRestart } from './restart.js';
import { RESTART_CHECK_SECONDS } from '../core/engine/restart.js';

/** What {@link runStep} needs. `plan` is injectable for tests; it defaults to the engine's planner. */
export interface StepDeps {
  gateway: KubeGateway;
  /** Gateway of the Istio primary cluster for VirtualServices/DestinationRules; defaults to `gateway`. */
  istioGateway?: KubeGateway;
  now: () => Date;
  /** Stale events and conflicts at debug; the writes at info (see applyPlan). */
  log?: Logger;
  plan?: (observed: Observed) => Plan;
  /** Re-read and re-plan at most this many times after a conflict (default 5). */
  maxConflicts?: number;
  /** Registered cluster name, for the metric providers' per-cluster allow-list and credentials. */
  cluster?: string;
  /** Metric providers for AnalysisRun measurements (an Error measurement is recorded without them). */
  metrics?: MetricProviders;
  /** Epoch ms by which provider calls must end (the invocation's remaining time). */
  deadline?: () => number;
}

/** Which Rollout, and the step index the caller saw (stale/duplicate events are detected with it). */
export interface StepRequest {
  namespace: string;
  name: string;
  expectedStep?: number;
  /** The time the timer that asked for this pass was set for, when a timer asked for it. */
  wokenAt?: Date;
}

/**
 * How a {@link runStep} ended, for callers to branch on (never on `reason`, which is prose):
 * - `ran`: a pass observed, planned and applied (it may have written nothing);
 * - `stale`: the Rollout was not at the expected step, so nothing that moves it was committed;
 * - `not-found`: there is no such Rollout; nothing was written.
 */
export type StepOutcome = 'ran' | 'stale' | 'not-found';

/** The result of one {@link runStep}. */
export interface StepResult {
  rollout: string;
  outcome: StepOutcome;
  stepBefore?: number;
  stepAfter?: number;
  phase?: string;
  weights?: { canary: number; stable: number };
  writes: number;
  transition?: string;
  /** Why, in words (the engine's reason, `stale event`, `rollout not found`): for people, not for branching. */
  reason: string;
  requeueAfterSeconds?: number;
  /** The same wake-up as an exact ISO time (the plan's `wakeAt`). */
  wakeAt?: string;
  /** Foreign changes this invocation put back (each recorded as one `DriftCorrected` Event); absent when none. */
  driftCorrected?: DriftCorrection[];
  /** More work may be due now: this pass wrote something, so the next pass sees a changed world (a fixpoint is a
   * pass with no writes). Always false for a stale event. */
  followUp: boolean;
}

/** Transitions a stale event may still commit: they do not move the rollout along. */
const SAFE_WHEN_STALE = new Set<string | undefined>([undefined, 'status-only']);

function summary(status: RolloutStatus | undefined): Pick<StepResult, 'phase' | 'weights'> {
  const out: Pick<StepResult, 'phase' | 'weights'> = {};
  if (status?.phase) out.phase = status.phase;
  const w = status?.canary?.weights;
  if (w) out.weights = { canary: w.canary.weight, stable: w.stable.weight };
  return out;
}

function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (base as Record<string, unknown>)[k] = v;
  return base;
}

/**
 * Runs one engine pass for a Rollout and commits AT MOST ONE transition.
 *
 * If `expectedStep` is given and differs from the observed `status.currentStepIndex`, the request is stale: derived
 * effects are applied only when the plan makes no transition, nothing is committed that moves the rollout, and the
 * reason is `stale event`. On a conflict (409, or a failed JSON Patch `test`) the Rollout is re-read and re-planned
 * (never resent), with the first observed step as the expected one, so a concurrent advance is never repeated.
 * A write that put back a foreign change records one `DriftCorrected` Event as soon as it lands and is listed in
 * `driftCorrected`, whichever caller asked for the pass (schedule, step event, drift check).
 *
 * @example
 * const r = await runStep({ gateway, now: () => new Date() }, { namespace: 'shop', name: 'reviews' });
 */
export async function runStep(deps: StepDeps, req: StepRequest): Promise<StepResult> {
  const maxConflicts = deps.maxConflicts ?? 5;
  const state: StepState = {
    id: `${req.namespace}/${req.name}`,
    pin: req.expectedStep === undefined ? undefined : { step: req.expectedStep },
    writes: 0,
    corrections: [],
  };
  for (let attempt = 0; ; attempt++) {
    const pass = await stepAttempt(deps, req, state);
    if ('result' in pass) return pass.result;
    const err = pass.error;
    if (!(err instanceof KubeApiError) || !err.isConflict || attempt >= maxConflicts) throw err;
    deps.log?.debug('conflict: re-reading and re-planning', {
      rollout: state.id,
      attempt: attempt + 1,
      error: err.message,
    });
    state.pin ??= { step: pass.stepBefore };
  }
}

/** What one {@link runStep} carries from one attempt to the next after a conflict. */
interface StepState {
  /** `namespace/name`. */
  id: string;
  /** The step index this invocation is pinned to: the caller's, or (after a conflict) the first one observed. */
  pin: { step: number | undefined } | undefined;
  writes: number;
  /** Kept across conflicts: an effect that landed before a conflicting commit stays landed, and so does its Event. */
  corrections: DriftCorrection[];
}

/** One attempt's end: the result, or the error the writes hit (with the step the attempt observed). */
type StepAttempt = { result: StepResult } | { error: unknown; stepBefore: number | undefined };

function driftOf(state: StepState): Partial<StepResult> {
  return state.corrections.length > 0 ? { driftCorrected: state.corrections } : {};
}

/** The AnalysisRuns' measurement pass before the plan; returns the earliest next measurement (epoch ms). */
async function analysisPass(
  deps: StepDeps,
  observed: Observed,
  state: StepState,
): Promise<number | undefined> {
  if (!observed.analysis) return undefined;
  const out = await measureRuns(
    {
      gateway: deps.gateway,
      cluster: deps.cluster ?? '',
      now: deps.now,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      ...(deps.deadline ? { deadline: deps.deadline } : {}),
      ...(deps.log ? { log: deps.log } : {}),
    },
    observed.rollout,
    observed.analysis,
  );
  state.writes += out.written.length;
  return out.nextDue;
}

/**
 * The restart's evictions (`spec.restartAt`, `./restart.ts`), before anything else, as Argo's pod restarter runs
 * first: when any landed the pass ends there (the ReplicaSets' availability does not count the evicted pods yet, so
 * no scaling, traffic or status is decided on it) and runs again in 30 s. Undefined when nothing was evicted.
 */
async function restartPass(
  deps: StepDeps,
  observed: Observed,
  state: StepState,
): Promise<StepResult | undefined> {
  const restart = await evictForRestart(deps.gateway, observed, deps.log);
  if (!restart || restart.evicted.length === 0) return undefined;
  state.writes += restart.evicted.length;
  const now = deps.now();
  const status = observed.rollout.status;
  return withOptional<StepResult>(
    {
      rollout: state.id,
      outcome: 'ran',
      writes: state.writes,
      followUp: false,
      reason: `restart: evicted ${restart.evicted.length} pod(s) older than spec.restartAt (${restart.evicted.join(', ')})`,
      requeueAfterSeconds: RESTART_CHECK_SECONDS,
      wakeAt: new Date(now.getTime() + RESTART_CHECK_SECONDS * 1000).toISOString(),
    },
    {
      stepBefore: status?.currentStepIndex,
      stepAfter: status?.currentStepIndex,
      ...summary(status),
      ...driftOf(state),
    },
  );
}

/** The plan's wake-up, brought forward to the next measurement due (at least one second away). */
function wakeUp(
  p: Pick<Plan, 'requeueAfterSeconds' | 'wakeAt'>,
  nextDue: number | undefined,
  now: Date,
): Pick<StepResult, 'requeueAfterSeconds' | 'wakeAt'> {
  const planned = { requeueAfterSeconds: p.requeueAfterSeconds, wakeAt: p.wakeAt };
  if (nextDue === undefined) return planned;
  const due = Math.max(nextDue, now.getTime() + 1000);
  const plannedAt =
    p.wakeAt !== undefined
      ? Date.parse(p.wakeAt)
      : p.requeueAfterSeconds === undefined
        ? Number.POSITIVE_INFINITY
        : now.getTime() + p.requeueAfterSeconds * 1000;
  if (plannedAt <= due) return planned;
  return {
    requeueAfterSeconds: Math.ceil((due - now.getTime()) / 1000),
    wakeAt: new Date(due).toISOString(),
  };
}

/**
 * The wake-up moved on by the time the pass's writes took (`lagMs`): what the plan timed from its clock reading
 * (`Plan.wakeFromCommit`: a pause it started, a wait for pods) is timed from when its writes landed, which is when
 * others see them, so throttled or slow writes never shorten a pause as seen from outside. Absolute times (a
 * recorded end, a deadline, `spec.restartAt`) are not moved.
 */
function afterWrites(result: StepResult, lagMs: number): StepResult {
  if (result.wakeAt === undefined || lagMs <= 0) return result;
  return { ...result, wakeAt: new Date(Date.parse(result.wakeAt) + lagMs).toISOString() };
}

/** Observe, plan and apply once. Errors while observing are thrown; errors while writing are returned. */
async function stepAttempt(deps: StepDeps, req: StepRequest, state: StepState): Promise<StepAttempt> {
  const observed = await observe(deps.gateway, req.namespace, req.name, deps.now(), deps.istioGateway);
  if (!observed) {
    const result: StepResult = {
      rollout: state.id,
      outcome: 'not-found',
      writes: state.writes,
      reason: 'rollout not found',
      followUp: false,
      ...driftOf(state),
    };
    return { result };
  }
  const restarted = await restartPass(deps, observed, state);
  if (restarted) return { result: restarted };
  const nextDue = await analysisPass(deps, observed, state);
  const status = observed.rollout.status;
  const stepBefore = status?.currentStepIndex;
  const stale = state.pin !== undefined && stepBefore !== state.pin.step;
  // The plan's clock is read after the reads and the measurements, just before the writes.
  const planNow = deps.now();
  const p = (deps.plan ?? enginePlan)({
    ...observed,
    now: planNow,
    ...(req.wokenAt ? { wokenAt: req.wokenAt } : {}),
  });
  const base = withOptional(
    { rollout: state.id, outcome: 'ran', writes: 0, followUp: false, reason: '' } as StepResult,
    { stepBefore, ...wakeUp(p, nextDue, deps.now()) },
  );
  if (stale && !SAFE_WHEN_STALE.has(p.transition)) {
    deps.log?.debug('stale event: no writes', {
      rollout: state.id,
      expected: state.pin?.step,
      observed: stepBefore,
      planned: p.transition,
    });
    const result = withOptional<StepResult>(
      { ...base, outcome: 'stale', writes: state.writes, reason: 'stale event' },
      { stepAfter: stepBefore, ...summary(status), ...driftOf(state) },
    );
    return { result };
  }
  try {
    const applied = await applyPlan(deps.gateway, observed.rollout, p, {
      istioGateway: deps.istioGateway,
      log: deps.log,
      now: deps.now,
      observed,
      onDriftCorrected: (c) => state.corrections.push(c),
    });
    state.writes += applied.writes;
    const fromCommit = applied.writes > 0 && p.wakeFromCommit === true && base.wakeAt === p.wakeAt;
    const landed = fromCommit ? afterWrites(base, deps.now().getTime() - planNow.getTime()) : base;
    return { result: appliedResult(state, landed, { plan: p, stale, status }, applied) };
  } catch (error) {
    return { error, stepBefore };
  }
}

/** What an attempt saw and planned. */
interface PlannedPass {
  plan: Plan;
  /** The Rollout was not at the pinned step. */
  stale: boolean;
  /** The status observed before the writes. */
  status: RolloutStatus | undefined;
}

/** The result of a pass whose writes landed (when `stale`, only derived effects could be applied). */
function appliedResult(
  state: StepState,
  base: StepResult,
  pass: PlannedPass,
  applied: ApplyResult,
): StepResult {
  const { plan: p, stale } = pass;
  const after = applied.rollout?.status ?? pass.status;
  return withOptional(
    {
      ...base,
      outcome: stale ? 'stale' : 'ran',
      writes: state.writes,
      reason: stale ? 'stale event' : p.reason,
      followUp: !stale && applied.writes > 0,
    },
    {
      stepAfter: after?.currentStepIndex,
      transition: applied.committed ? p.transition : undefined,
      ...summary(after),
      ...driftOf(state),
    },
  );
}

/**
 * Calls {@link runStep} while it reports `followUp` (more work due now), at most `maxPasses` times.
 * Returns every pass's result, in order. Used by the local control plane and tests.
 */
export async function runUntilSettled(
  deps: StepDeps,
  req: StepRequest,
  maxPasses = 20,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (let i = 0; i < maxPasses; i++) {
    const r = await runStep(deps, {
      namespace: req.namespace,
      name: req.name,
      ...(i === 0 && req.expectedStep !== undefined ? { expectedStep: req.expectedStep } : {}),
    });
    results.push(r);
    if (!r.followUp) break;
  }
  return results;
}
