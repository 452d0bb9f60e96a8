/**
 * Operator actions as pure decisions: what to write for promote, promote-full, abort, retry, pause and resume.
 *
 * The writes are the merge patches Argo Rollouts' kubectl plugin and Argo CD actions send (status patches go to
 * the `status` subresource). Unlike the plugin, an action may carry the step index the operator saw
 * (`expectedStep`): when the Rollout has moved on, or the pause at that step was already promoted (its pause
 * conditions cleared, the engine yet to advance), the action is a conflict, so a duplicate `promote` never skips a
 * step. A promote that skips a step clears `controllerPause`, so the next manual pause is entered (and announced)
 * afresh rather than taken as already promoted. Pure module: no I/O; time is passed in.
 */
import type { Rollout } from '../model/types.js';
import type { OperatorActionName } from '../model/actions.js';

/** Options of {@link operatorAction}. */
export interface OperatorActionOptions {
  /** The step index the operator saw; a different current index is a conflict. */
  expectedStep?: number;
  now: Date;
}

/** The writes of an accepted action (both may be absent: nothing to change), or why it was refused. */
export type OperatorActionResult =
  | { ok: true; statusPatch?: object; specPatch?: object; before: number | undefined }
  | { ok: false; outcome: 'conflict' | 'invalid'; message: string };

const UNPAUSE = { spec: { paused: false } };

function conflict(message: string): OperatorActionResult {
  return { ok: false, outcome: 'conflict', message };
}

function ok(before: number | undefined, statusPatch?: object, specPatch?: object): OperatorActionResult {
  return {
    ok: true,
    before,
    ...(statusPatch ? { statusPatch } : {}),
    ...(specPatch ? { specPatch } : {}),
  };
}

function fullyPromoted(r: Rollout): boolean {
  const s = r.status ?? {};
  return s.stableRS !== undefined && s.stableRS !== '' && s.stableRS === s.currentPodHash;
}

function paused(r: Rollout): boolean {
  return (r.status?.pauseConditions?.length ?? 0) > 0;
}

/**
 * The pause of the current step was promoted and the engine has not advanced yet: `controllerPause` still set
 * and no pause condition left (the state the engine reads as "promotion requested").
 */
export function pausePromoted(r: Rollout): boolean {
  return r.status?.controllerPause === true && !paused(r);
}

function unpause(r: Rollout): object | undefined {
  return r.spec.paused === true ? UNPAUSE : undefined;
}

/** The current `analysis` step's run is Inconclusive (the plugin's `isInconclusive`). */
function inconclusiveStep(r: Rollout, index: number | undefined, steps: number): boolean {
  const run = r.status?.canary?.currentStepAnalysisRunStatus;
  return run?.status === 'Inconclusive' && index !== undefined && index < steps;
}

/** Why a promote is refused before looking at the steps, or undefined. */
function promoteRefusal(r: Rollout, name: string): OperatorActionResult | undefined {
  if (r.status?.abort === true) return conflict(`Rollout ${name} is aborted: retry it before promoting`);
  if (fullyPromoted(r) && !unpause(r))
    return conflict(`Rollout ${name} is fully promoted: there is nothing to promote`);
  return undefined;
}

function promote(
  r: Rollout,
  name: string,
  index: number | undefined,
  expectedStep: number | undefined,
): OperatorActionResult {
  const steps = r.spec.strategy?.canary?.steps?.length ?? 0;
  const specPatch = unpause(r);
  const refused = promoteRefusal(r, name);
  if (refused) return refused;
  if (paused(r) && inconclusiveStep(r, index, steps)) {
    // As the kubectl plugin: an Inconclusive step analysis is promoted past its step (a new run is not started).
    const skip = { pauseConditions: null, controllerPause: false, currentStepIndex: (index ?? 0) + 1 };
    return ok(index, { status: skip }, specPatch);
  }
  if (paused(r)) return ok(index, { status: { pauseConditions: null } }, specPatch);
  if (expectedStep !== undefined && pausePromoted(r)) {
    return conflict(
      `Rollout ${name}: the pause at step ${expectedStep} is already promoted (the engine has yet to advance); nothing changed`,
    );
  }
  if (index !== undefined && index < steps) {
    const skip = { pauseConditions: null, controllerPause: null, currentStepIndex: index + 1 };
    return ok(index, { status: skip }, specPatch);
  }
  if (specPatch) return ok(index, undefined, specPatch);
  return conflict(
    `Rollout ${name} has completed all ${steps} steps: it is promoted once the canary ReplicaSet is fully available`,
  );
}

type Decide = (
  r: Rollout,
  name: string,
  index: number | undefined,
  expectedStep: number | undefined,
) => OperatorActionResult;

/** One decision per action, once the canary strategy and the expected step are checked. */
const DECIDE: Record<OperatorActionName, Decide> = {
  promote,
  'promote-full': (r, name, index) => {
    if (fullyPromoted(r) && !unpause(r)) {
      return conflict(`Rollout ${name} is fully promoted: there is nothing to promote`);
    }
    return ok(index, fullyPromoted(r) ? undefined : { status: { promoteFull: true } }, unpause(r));
  },
  abort: (r, name, index) => {
    if (fullyPromoted(r)) return conflict(`Rollout ${name} is fully promoted: there is no update to abort`);
    return ok(index, r.status?.abort === true ? undefined : { status: { abort: true } });
  },
  retry: (r, _name, index) => ok(index, r.status?.abort === true ? { status: { abort: false } } : undefined),
  pause: (r, _name, index) =>
    ok(index, undefined, r.spec.paused === true ? undefined : { spec: { paused: true } }),
  resume: (r, _name, index) =>
    ok(index, paused(r) ? { status: { pauseConditions: null } } : undefined, unpause(r)),
};

/**
 * Decides one operator action on a Rollout as read.
 *
 * @returns the merge patches to write (`statusPatch` to the status subresource, `specPatch` to the object) and
 *   the step index before the action, or a conflict/invalid refusal with a sentence saying why.
 * @example operatorAction(r, 'promote', { expectedStep: 1, now }) // { ok: true, statusPatch: {status: {...}}, before: 1 }
 */
export function operatorAction(
  r: Rollout,
  action: OperatorActionName,
  opts: OperatorActionOptions,
): OperatorActionResult {
  const name = `${r.metadata.namespace}/${r.metadata.name}`;
  const index = r.status?.currentStepIndex;
  if (r.spec.strategy?.canary === undefined) {
    return { ok: false, outcome: 'invalid', message: `Rollout ${name} does not use the canary strategy` };
  }
  if (opts.expectedStep !== undefined && opts.expectedStep !== index) {
    return conflict(
      `Rollout ${name} is at step ${index ?? 'none'}, not at the expected step ${opts.expectedStep}: nothing changed`,
    );
  }
  if (!Object.hasOwn(DECIDE, action)) {
    return { ok: false, outcome: 'invalid', message: `unknown action ${String(action)} for Rollout ${name}` };
  }
  return DECIDE[action](r, name, index, opts.expectedStep);
}
