/**
 * The complete `status` of one pass, as Argo Rollouts writes it: replica counters from the ReplicaSets, selector,
 * observedGeneration (decimal string), conditions Progressing/Available/Paused/Healthy/Completed, phase + message.
 *
 * Pure module: no I/O; time is passed in.
 */
import type { LabelSelector, ReplicaSet, Rollout, RolloutCondition, RolloutStatus } from '../model/types.js';
import {
  computePhase,
  getCondition,
  refreshCondition,
  removeCondition,
  setCondition,
  type ConditionUpdate,
} from '../model/status.js';
import { atIndefiniteStep, madeProgress, TIMED_OUT_REASON, timedOut, timedOutMessage } from './progress.js';
import { rolloutReplicas, rsRevision } from './replicasets.js';

/** `metav1.FormatLabelSelector`: `k=v,k2 in (a,b)`, keys of matchLabels sorted. */
export function formatSelector(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  const parts = Object.keys(sel.matchLabels ?? {})
    .sort()
    .map((k) => `${k}=${sel.matchLabels?.[k] ?? ''}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** What {@link buildStatus} needs beyond the status fields already decided by the planner. */
export interface StatusContext {
  rollout: Rollout;
  replicaSets: ReplicaSet[];
  /** The desired (canary) ReplicaSet, if it exists. */
  newRS: ReplicaSet | undefined;
  /** Why an AnalysisRun aborted the update in this pass: appended to the RolloutAborted message. */
  abortMessage?: string;
  /** The ReplicaSet created in this pass, if any (Progressing reason NewReplicaSetCreated). */
  createdRS?: ReplicaSet;
  now: Date;
}

const sum = (rss: ReplicaSet[], f: (rs: ReplicaSet) => number | undefined): number =>
  rss.reduce((n, rs) => n + (f(rs) ?? 0), 0);

/** The Progressing condition to set; `refresh` restamps lastUpdateTime even when nothing else changed. */
interface ProgressingUpdate {
  update: ConditionUpdate;
  refresh?: boolean;
}

/** Progressing False `RolloutAborted`; as Argo's SetRolloutCondition ignores a message-only change, the first message sticks. */
function abortedUpdate(ctx: StatusContext, s: RolloutStatus): ProgressingUpdate {
  const revision = rsRevision(ctx.newRS ?? ctx.createdRS);
  const held = s.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'RolloutAborted');
  const why = ctx.abortMessage ? `: ${ctx.abortMessage}` : '';
  const message =
    held?.status === 'False' ? held.message : `Rollout aborted update to revision ${revision}${why}`;
  return { update: { type: 'Progressing', status: 'False', reason: 'RolloutAborted', message } };
}

function progressing(
  ctx: StatusContext,
  s: RolloutStatus,
  completed: boolean,
  paused: boolean,
): ProgressingUpdate {
  const rsName = ctx.newRS?.metadata.name ?? ctx.createdRS?.metadata.name ?? '';
  if (s.abort === true && !completed) return abortedUpdate(ctx, s);
  if (ctx.createdRS) {
    return {
      update: {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetCreated',
        message: `Created new replica set "${rsName}"`,
      },
    };
  }
  if (paused && !completed) {
    return {
      update: {
        type: 'Progressing',
        status: 'Unknown',
        reason: 'RolloutPaused',
        message: 'Rollout is paused',
      },
    };
  }
  if (completed && rolloutHealthy(ctx.rollout, s)) {
    return {
      update: {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${rsName}" has successfully progressed.`,
      },
    };
  }
  return movingOrTimedOut(ctx, s, rsName);
}

/** Progressing for a rollout under way: progress restamps it, no progress past the deadline times it out. */
function movingOrTimedOut(ctx: StatusContext, s: RolloutStatus, rsName: string): ProgressingUpdate {
  const updated: ConditionUpdate = {
    type: 'Progressing',
    status: 'True',
    reason: 'ReplicaSetUpdated',
    message: `ReplicaSet "${rsName}" is progressing.`,
  };
  const r = ctx.rollout;
  if (madeProgress(r.status ?? {}, s)) return { update: updated, refresh: true };
  if (!atIndefiniteStep(r, s) && timedOut(r, getCondition(s.conditions, 'Progressing'), ctx.now)) {
    return {
      update: {
        type: 'Progressing',
        status: 'False',
        reason: TIMED_OUT_REASON,
        message: timedOutMessage(rsName),
      },
    };
  }
  return { update: updated };
}

/** Replica counters, selector and observedGeneration, from the ReplicaSets as observed. */
function fillCounters(ctx: StatusContext, s: RolloutStatus): void {
  const r = ctx.rollout;
  const rss = ctx.replicaSets;
  s.replicas = sum(rss, (rs) => rs.status?.replicas);
  s.updatedReplicas = ctx.newRS?.status?.replicas ?? 0;
  s.readyReplicas = sum(rss, (rs) => rs.status?.readyReplicas);
  s.availableReplicas = sum(rss, (rs) => rs.status?.availableReplicas);
  s.HPAReplicas = s.replicas;
  s.selector = formatSelector(r.spec.selector);
  if (r.metadata.generation !== undefined) s.observedGeneration = String(r.metadata.generation);
}

function availableCondition(available: boolean): ConditionUpdate {
  return {
    type: 'Available',
    status: available ? 'True' : 'False',
    reason: 'AvailableReason',
    message: available ? 'Rollout has minimum availability' : 'Rollout does not have minimum availability',
  };
}

/**
 * The Paused condition as `checkPausedConditions` (`rollout/sync.go`) writes it: reason `RolloutPaused` and message
 * "Rollout is paused" whether True or False; False only once a Paused condition was ever set; left as it is while
 * the Progressing condition says `RolloutAborted` (an aborted rollout keeps Paused True).
 */
function pausedConditions(
  conds: RolloutCondition[],
  paused: boolean,
  abortCond: boolean,
  t: Date,
): RolloutCondition[] {
  if (abortCond) return conds;
  if (!paused && !conds.some((c) => c.type === 'Paused')) return conds;
  return setCondition(
    conds,
    {
      type: 'Paused',
      status: paused ? 'True' : 'False',
      reason: 'RolloutPaused',
      message: 'Rollout is paused',
    },
    t,
  );
}

/**
 * `conditions.RolloutHealthy` (`utils/conditions/conditions.go`): every replica updated and available, no other
 * ReplicaSet's pods left (`status.replicas` = `spec.replicas`), all steps executed and the current ReplicaSet stable.
 */
export function rolloutHealthy(r: Rollout, s: RolloutStatus): boolean {
  const replicas = rolloutReplicas(r);
  const steps = r.spec.strategy?.canary?.steps ?? [];
  const allSteps =
    steps.length === 0 || s.currentStepIndex === undefined || s.currentStepIndex === steps.length;
  return (
    (s.updatedReplicas ?? 0) === replicas &&
    (s.availableReplicas ?? 0) === replicas &&
    (s.replicas ?? 0) === replicas &&
    allSteps &&
    !!s.stableRS &&
    s.stableRS === s.currentPodHash
  );
}

/** Healthy True as {@link rolloutHealthy} says (and not paused); False only once a Healthy condition was set. */
function healthyCondition(conds: RolloutCondition[], healthy: boolean, t: Date): RolloutCondition[] {
  if (!healthy && !conds.some((c) => c.type === 'Healthy')) return conds;
  return setCondition(
    conds,
    {
      type: 'Healthy',
      status: healthy ? 'True' : 'False',
      reason: 'RolloutHealthy',
      message: healthy ? 'Rollout is healthy' : 'Rollout is not healthy',
    },
    t,
  );
}

const retry = (): ProgressingUpdate => ({
  update: {
    type: 'Progressing',
    status: 'Unknown',
    reason: 'RolloutRetry',
    message: 'Retrying Rollout after abort',
  },
});

/**
 * Fills counters, selector, observedGeneration, conditions and phase into `s` (the status fields the planner
 * decided: hashes, step index, pause, abort, weights) and returns it. A valid Rollout loses its InvalidSpec
 * condition. `retrying` marks the pass that saw an abort cleared (Progressing Unknown `RolloutRetry`).
 */
export function buildStatus(ctx: StatusContext, s: RolloutStatus, retrying = false): RolloutStatus {
  const r = ctx.rollout;
  fillCounters(ctx, s);
  const completed = !!s.stableRS && s.stableRS === s.currentPodHash;
  const paused = r.spec.paused === true || (s.pauseConditions?.length ?? 0) > 0;
  const available = (s.availableReplicas ?? 0) >= rolloutReplicas(r);
  const t = ctx.now;
  let conds = removeCondition(s.conditions, 'InvalidSpec');
  const prog: ProgressingUpdate = retrying ? retry() : progressing(ctx, s, completed, paused);
  conds = (prog.refresh ? refreshCondition : setCondition)(conds, prog.update, t);
  conds = setCondition(conds, availableCondition(available), t);
  const abortCond =
    getCondition(ctx.rollout.status?.conditions, 'Progressing')?.reason === 'RolloutAborted' ||
    getCondition(conds, 'Progressing')?.reason === 'RolloutAborted';
  conds = pausedConditions(conds, paused, abortCond, t);
  conds = healthyCondition(conds, rolloutHealthy(r, s) && !paused, t);
  conds = setCondition(
    conds,
    {
      type: 'Completed',
      status: completed ? 'True' : 'False',
      reason: 'RolloutCompleted',
      message: 'RolloutCompleted',
    },
    t,
  );
  s.conditions = conds;
  const { phase, message } = computePhase(r, s);
  s.phase = phase;
  s.message = message;
  return argoShape(s);
}

const OMITTED_WHEN_ZERO = [
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'HPAReplicas',
];

/**
 * The status as Argo's Go types serialise it (`pkg/apis/rollouts/v1alpha1/types.go`): `message` and the replica
 * counters are `omitempty` (absent when empty or 0), `blueGreen` is a struct and always written (`{}`).
 */
function argoShape(s: RolloutStatus): RolloutStatus {
  if (s.message === '') delete s.message;
  for (const k of OMITTED_WHEN_ZERO) if (s[k] === 0) delete s[k];
  s['blueGreen'] ??= {};
  return s;
}
