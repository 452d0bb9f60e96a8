/**
 * Which Rollouts need a step now. The `schedule` function lists the Rollouts of a cluster once a minute and emits
 * one `sluice.step` event per Rollout this module calls due; a Rollout with nothing due costs nothing.
 *
 * Pure: looks only at the Rollout and the time passed in. It errs on the side of "due": a false positive costs one
 * step pass that writes nothing, a false negative leaves a rollout stuck until the next change.
 */
import type { CanaryStep, Rollout } from '../model/types.js';
import { dueTasks } from '../analysis/schedule.js';
import { isCompleted, type AnalysisRun } from '../analysis/types.js';
import { atIndefiniteStep, deadlineOf, TIMED_OUT_REASON } from './progress.js';
import { needsRestart } from './restart.js';

/** Default `scaleDownDelaySeconds` / `abortScaleDownDelaySeconds` (Argo Rollouts: 30 s). */
const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;

/** Go `time.ParseDuration` units, in seconds. */
const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * Seconds of a canary `pause.duration`: an integer (seconds), a numeric string (seconds) or a Go duration
 * (`30s`, `10m`, `1h30m`). Undefined when it cannot be parsed (the engine reports that as an invalid spec).
 */
export function pauseDurationSeconds(duration: number | string | undefined): number | undefined {
  if (typeof duration === 'number') return Number.isFinite(duration) && duration >= 0 ? duration : undefined;
  if (typeof duration !== 'string' || duration === '') return undefined;
  if (/^\d+$/.test(duration)) return Number(duration);
  const parts = duration.match(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g);
  if (!parts || parts.join('') !== duration) return undefined;
  return parts.reduce((sum, part) => {
    const [, value = '0', unit = 's'] = /^(\d+(?:\.\d+)?)(\D+)$/.exec(part) ?? [];
    return sum + Number(value) * (UNIT_SECONDS[unit] ?? 0);
  }, 0);
}

/** The step at `status.currentStepIndex`, or undefined once the index is past the end. */
function currentStep(rollout: Rollout): CanaryStep | undefined {
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  return steps[rollout.status?.currentStepIndex ?? 0];
}

/** The spec changed since the engine last committed a status (template, steps, paused, ...). */
function specChanged(rollout: Rollout): string | undefined {
  const generation = rollout.metadata.generation;
  const observed = rollout.status?.observedGeneration;
  if (generation === undefined) return undefined;
  if (observed === undefined || Number(observed) !== generation) {
    return `spec changed (generation ${generation}, observed ${observed ?? 'none'})`;
  }
  return undefined;
}

/** An operator action written to the status that the engine has not acted on yet. */
function actionRequested(rollout: Rollout): string | undefined {
  const status = rollout.status ?? {};
  if (status.abort === true && !status.abortedAt) return 'abort requested';
  if (status.abort !== true && status.abortedAt) return 'retry requested';
  if (status.promoteFull === true && status.currentPodHash !== status.stableRS)
    return 'full promotion requested';
  if (status.controllerPause === true && (status.pauseConditions ?? []).length === 0)
    return 'promotion requested';
  return undefined;
}

/** A timed pause whose time is up, or a pause step the engine has not started yet. */
function pauseDue(rollout: Rollout, now: Date): string | undefined {
  const step = currentStep(rollout);
  const status = rollout.status ?? {};
  if (!step?.pause || rollout.spec.paused === true || status.abort === true || status.phase === 'Degraded') {
    return undefined;
  }
  const condition = (status.pauseConditions ?? []).find((c) => c.reason === 'CanaryPauseStep');
  if (!condition) return 'pause step not started';
  const seconds = pauseDurationSeconds(step.pause.duration);
  if (step.pause.duration === undefined || seconds === undefined) return undefined;
  // The recorded start is rounded down to the second and the true start lies within the second after it: the pass
  // that started the pause armed a timer for its exact end, so the schedule (the safety net) waits one second
  // past the recorded end and never ends a pause before its duration (a 30 s pause lasts 30-31 s).
  const endsAt = Date.parse(condition.startTime) + seconds * 1000 + 1000;
  return Number.isNaN(endsAt) || now.getTime() >= endsAt ? 'timed pause expired' : undefined;
}

/**
 * The progress deadline: passed since the Progressing condition's last update (the pass marks the rollout
 * timed out), or already exceeded and not aborted (a pass sees whether the ReplicaSet became available since, as
 * Argo Rollouts does when it is told of a ReplicaSet change). Paused, aborted and indefinite steps are exempt.
 */
function deadlineDue(rollout: Rollout, now: Date): string | undefined {
  const status = rollout.status ?? {};
  if (rollout.spec.paused === true || (status.pauseConditions ?? []).length > 0 || status.abort === true) {
    return undefined;
  }
  const cond = (status.conditions ?? []).find((c) => c.type === 'Progressing');
  if (cond?.reason === TIMED_OUT_REASON) return 'progress deadline exceeded: checking for progress';
  if (atIndefiniteStep(rollout)) return undefined;
  const deadline = deadlineOf(rollout, cond);
  return deadline !== undefined && now.getTime() > deadline ? 'progress deadline passed' : undefined;
}

/** The canary is still moving (waiting for ReplicaSets to become ready, or between steps). */
function progressing(rollout: Rollout): string | undefined {
  const status = rollout.status ?? {};
  if (rollout.spec.paused === true) return undefined;
  if (status.phase === 'Progressing') return 'progressing (waiting for readiness)';
  return undefined;
}

/**
 * Old ReplicaSets still hold pods (status.replicas above spec.replicas) and the scale-down delay since the last
 * transition has passed. The deadline annotation lives on the ReplicaSet; the last condition update is when it
 * was set, so this is the same deadline seen from the Rollout.
 */
function scaleDownDue(rollout: Rollout, now: Date): string | undefined {
  const status = rollout.status ?? {};
  const desired = rollout.spec.replicas ?? 1;
  if ((status.replicas ?? 0) <= desired) return undefined;
  const canary = rollout.spec.strategy?.canary ?? {};
  const delay = status.abort
    ? (canary.abortScaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS)
    : (canary.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS);
  if (status.abort && delay === 0) return undefined;
  const times = (status.conditions ?? [])
    .map((c) => Date.parse(c.lastUpdateTime))
    .filter((t) => !Number.isNaN(t));
  const since = times.length > 0 ? Math.max(...times) : Number.NEGATIVE_INFINITY;
  return now.getTime() >= since + delay * 1000 ? 'scale-down deadline passed' : undefined;
}

/**
 * A Rollout with `spec.workloadRef`: its Deployment may have changed (a new template, a new generation) with no
 * change to the Rollout, and nothing watches Deployments, so every tick looks (a pass that finds nothing writes
 * nothing).
 */
function workloadDue(rollout: Rollout): string | undefined {
  return rollout.spec['workloadRef'] === undefined
    ? undefined
    : 'workloadRef: its Deployment may have changed';
}

/**
 * Work a write to the Rollout itself made due and no pass has acted on yet: never reconciled, a spec change
 * (generation ahead of observedGeneration), or an operator action in the status (abort, retry, promote,
 * promote --full). Undefined once a pass committed on it, so sluice's own status commits never count; what the
 * watch on Rollouts reacts to.
 */
export function changeDue(rollout: Rollout): string | undefined {
  if (!rollout.status) return 'never reconciled';
  return specChanged(rollout) ?? actionRequested(rollout);
}

/** The AnalysisRuns the caller read, by name (see {@link waitingRuns}). */
export type RunLookup = (name: string) => AnalysisRun | undefined;

/**
 * The current AnalysisRuns (named in the Rollout's status) that are not completed and whose measurements a step
 * pass would take: none while the Rollout is paused by an operator, aborted or paused on an Inconclusive run. The
 * schedule reads these runs to tell whether a measurement is due.
 */
export function waitingRuns(rollout: Rollout): string[] {
  const status = rollout.status ?? {};
  if (rollout.spec.paused === true || status.abort === true) return [];
  if ((status.pauseConditions ?? []).some((c) => c.reason === 'InconclusiveAnalysisRun')) return [];
  const c = status.canary;
  return [c?.currentStepAnalysisRunStatus, c?.currentBackgroundAnalysisRunStatus].flatMap((ref) =>
    ref && !['Successful', 'Failed', 'Error', 'Inconclusive'].includes(ref.status) ? [ref.name] : [],
  );
}

/**
 * Why a run needs a pass at `now`: not started yet, completed (the Rollout has to react), terminating, or a
 * measurement due (its next measurement time has come). Undefined while its next measurement is still ahead.
 */
export function runDueReason(run: AnalysisRun, now: Date): string | undefined {
  const at = now.getTime();
  const metrics = run.spec.metrics ?? [];
  if (!run.status?.startedAt) return 'not started';
  if (isCompleted(run.status.phase)) return `completed (${run.status.phase})`;
  if (run.spec.terminate === true) return 'terminating';
  // The same schedule the measurement pass follows: due exactly when a pass at `now` would measure.
  return dueTasks(metrics, run.status, run.spec.terminate, at).length > 0 ? 'measurement due' : undefined;
}

/**
 * A current AnalysisRun that needs a pass. Its measurements are taken by step passes, which arm a timer for the
 * next one; the schedule is the safety net, so a run is due when its next measurement time has come (`runs` gives
 * the run). A run the caller did not read (no `runs`, or not found) is due: a false positive costs one pass.
 */
function analysisDue(rollout: Rollout, now: Date, runs: RunLookup | undefined): string | undefined {
  for (const name of waitingRuns(rollout)) {
    const run = runs?.(name);
    if (!run) return `AnalysisRun ${name} in progress`;
    const why = runDueReason(run, now);
    if (why) return `AnalysisRun ${name}: ${why}`;
  }
  return undefined;
}

/**
 * Why the Rollout has work due at `now`, or undefined when it has none. `runs` gives the AnalysisRuns
 * {@link waitingRuns} names, when the caller read them; without it a current unfinished run counts as due.
 *
 * @example
 * dueReason(rolloutAtIndefinitePause, new Date()) // undefined
 * dueReason({...rollout, metadata: {...rollout.metadata, generation: 3}}, now) // 'spec changed (generation 3, observed 2)'
 */
export function dueReason(rollout: Rollout, now: Date, runs?: RunLookup): string | undefined {
  return (
    changeDue(rollout) ??
    (needsRestart(rollout, now) ? 'restart due (spec.restartAt passed)' : undefined) ??
    pauseDue(rollout, now) ??
    deadlineDue(rollout, now) ??
    progressing(rollout) ??
    analysisDue(rollout, now, runs) ??
    scaleDownDue(rollout, now) ??
    workloadDue(rollout)
  );
}

/** True when {@link dueReason} finds work due. */
export function isDue(rollout: Rollout, now: Date, runs?: RunLookup): boolean {
  return dueReason(rollout, now, runs) !== undefined;
}
