/**
 * The regular pass (pod template and steps unchanged since the last commit): scaling, Services and traffic derived
 * from the committed status, then at most one transition (abort, promotion, pause, step completion).
 *
 * Pure module: no I/O; time is passed in.
 */
import type { ReplicaSet, Rollout, RolloutStatus } from '../model/types.js';
import { canaryReplicaCounts, isFullyAvailable, replicaSetAvailable } from '../model/replicas.js';
import { activeCanaryScale, currentSetWeight, parseDuration, stepString } from '../model/steps.js';
import { kubeTime } from '../model/status.js';
import * as ev from './events.js';
import { jsonEqual } from '../model/json.js';
import { findReplicaSetByHash, planScaling, rolloutReplicas, rsRevision } from './replicasets.js';
import { selectedHash } from './services.js';
import { buildStatus } from './status-builder.js';
import { restartInPass } from './restart.js';
import { destinationRuleHashes } from './dr-switch.js';
import { planTraffic, type TrafficPlan } from './traffic.js';
import { abortDesiredWeight, isDynamic, recordedWeights } from './dynamic-scale.js';
import { secondsUntilDeadline, TIMED_OUT_REASON } from './progress.js';
import type { EventRecord, Observed, Plan, TransitionKind, Write } from './types.js';
import { analysisAborted } from '../analysis/events.js';
import type { AnalysisPhase } from '../analysis/types.js';
import { INCONCLUSIVE_PAUSE, planAnalysis } from './analysis.js';
import { planHistory, revisionAnnotationEffects } from './history.js';
import { workloadAnnotations } from './workload.js';
import { passRunCleanup, withoutDeletedRuns } from './run-history.js';

const PAUSE_STEP = 'CanaryPauseStep';

/** Seconds between passes while a ReplicaSet is becoming available (no informer tells sluice when pods are ready). */
export const POD_WAIT_REQUEUE_SECONDS = 5;

interface PassState {
  r: Rollout;
  s: RolloutStatus;
  newHash: string;
  newRS: ReplicaSet | undefined;
  steps: NonNullable<NonNullable<Rollout['spec']['strategy']>['canary']>['steps'] & object;
  now: Date;
  /** The time the timer that started this pass asked for (Observed.wokenAt). */
  wokenAt?: Date | undefined;
  events: EventRecord[];
  transition?: TransitionKind;
  reasons: string[];
  /** Epoch ms at which the engine wants to run again (the earliest wins). */
  requeue: number[];
  /** Those of `requeue` that are timed from this pass's clock reading (Plan.wakeFromCommit). */
  relative?: Set<number>;
  /** A ReplicaSet this pass waits for is not available yet. */
  podWait?: boolean;
  /** Phase of the current `analysis` step's run (see planAnalysis). */
  stepRunPhase?: AnalysisPhase;
  /** Why an AnalysisRun aborted the update (`Step-based analysis phase error/failed: ...`). */
  abortMessage?: string;
}

type Weights = { canary: number; stable: number } | undefined;

/**
 * Desired canary and stable counts (`CalculateReplicaCountsForTrafficRoutedCanary`). With dynamicStableScale the
 * stable follows `weights` (the recorded ones; an aborted canary uses this pass's), and an abort's weight steps back
 * through the setWeight values ({@link abortDesiredWeight}); an abort keeps the `setCanaryScale` in force only with
 * an explicit `abortScaleDownDelaySeconds: 0` (`UseSetCanaryScale`).
 */
function desiredCounts(
  st: PassState,
  flags: { promoted: boolean; aborted: boolean; stableRS: ReplicaSet | undefined },
  weights: Weights,
): { canary: number; stable: number } {
  const r = st.r;
  const replicas = rolloutReplicas(r);
  if (flags.promoted) return { canary: replicas, stable: replicas };
  const { aborted } = flags;
  const dynamic = isDynamic(r);
  const index = st.s.currentStepIndex ?? st.steps.length;
  const full = st.s.promoteFull === true || index >= st.steps.length;
  const weight = stepWeight(st, flags, full);
  const keepsScale = !aborted || (dynamic && r.spec.strategy?.canary?.abortScaleDownDelaySeconds === 0);
  return canaryReplicaCounts({
    replicas,
    desiredWeight: weight,
    canaryScale: full || !keepsScale ? undefined : activeCanaryScale(st.steps, index),
    minPodsPerReplicaSet: r.spec.strategy?.canary?.minPodsPerReplicaSet,
    ...(dynamic ? { dynamic: { aborted, ...(weights ? { weights } : {}) } } : {}),
  });
}

/** The weight the counts follow: the abort's step weight, 100 past the last step, else the current setWeight. */
function stepWeight(
  st: PassState,
  flags: { aborted: boolean; stableRS: ReplicaSet | undefined },
  full: boolean,
): number {
  const effective = { ...st.r, status: st.s };
  if (flags.aborted) return abortDesiredWeight(effective, st.newRS, flags.stableRS);
  return full ? 100 : currentSetWeight(effective);
}

/** An aborted canary under dynamicStableScale keeps the pods this pass's weight still sends traffic to. */
function abortedDynamicCanary(
  st: PassState,
  flags: { promoted: boolean; aborted: boolean; stableRS: ReplicaSet | undefined },
  traffic: TrafficPlan,
): number {
  const now = traffic.applied && traffic.weights ? traffic.weights : st.r.status?.canary?.weights;
  const weights = now ? { canary: now.canary.weight, stable: now.stable.weight } : undefined;
  return desiredCounts(st, flags, weights).canary;
}

/**
 * `AtDesiredReplicaCountsForCanary`: the canary at its count and, unless promoted or with dynamicStableScale (the
 * stable's size lags the weight there), the stable at its count.
 */
function atDesiredCounts(
  st: PassState,
  counts: { canary: number; stable: number },
  stableRS: ReplicaSet | undefined,
  promoted: boolean,
): boolean {
  if (!atCount(st.newRS, counts.canary)) return false;
  return promoted || isDynamic(st.r) || atCount(stableRS, counts.stable);
}

function atCount(rs: ReplicaSet | undefined, want: number): boolean {
  return rs !== undefined && (rs.spec.replicas ?? 0) === want && replicaSetAvailable(rs) >= want;
}

function referencedHashes(observed: Observed, s: RolloutStatus): Set<string> {
  const w = observed.rollout.status?.canary?.weights;
  const canary = observed.rollout.spec.strategy?.canary ?? {};
  const hashes = [s.stableRS, s.currentPodHash, w?.canary.podTemplateHash, w?.stable.podTemplateHash];
  for (const name of [canary.canaryService, canary.stableService]) {
    if (name) hashes.push(selectedHash(observed.services[name]));
  }
  hashes.push(...destinationRuleHashes(observed.destinationRule));
  return new Set(hashes.filter((h): h is string => !!h));
}

function commit(st: PassState, kind: TransitionKind, reason: string): void {
  st.transition = kind;
  st.reasons.unshift(reason);
}

function completeStep(st: PassState, index: number): void {
  const step = st.steps[index];
  st.s.currentStepIndex = index + 1;
  st.events.push(ev.stepCompleted(index + 1, st.steps.length, step ? stepString(step) : 'invalid'));
  commit(
    st,
    'step-completed',
    `step ${index + 1}/${st.steps.length} (${step ? stepString(step) : ''}) completed`,
  );
}

/**
 * How long after a timed pause's end the pass that starts it asks to run again. The step use case already times
 * that wake-up from when the pass's writes landed (shared/app/step.ts); this margin covers the rest between the
 * commit landing and anyone seeing it, and is far less than the second a pause may run over.
 */
export const PAUSE_TIMER_SLACK_MS = 100;

function clearPause(s: RolloutStatus): void {
  delete s.pauseConditions;
  delete s.controllerPause;
}

/**
 * When a timed pause whose recorded end is `end` ends for this pass. The recorded start is rounded down to the
 * second and the true start lies within the second after it. A pass woken by a timer set for the recorded end or
 * later (the one the pause's first pass armed from its true start and its commit) ends the pause when it runs; any
 * other pass (a schedule tick, a watch event) only a second past the recorded end, which is never before the true
 * end. A 0 s pause ends at the first pass that sees it: that pass runs after the commit that started it.
 */
function pauseEndsAt(end: number, secs: number, wokenAt: Date | undefined): number {
  const exact = secs === 0 || (wokenAt !== undefined && wokenAt.getTime() >= end);
  return exact ? end : end + 1000;
}

function pauseStep(st: PassState, index: number, duration: number | string | undefined): void {
  const s = st.s;
  const cond = s.pauseConditions?.find((c) => c.reason === PAUSE_STEP);
  if (!cond && s.controllerPause !== true) {
    s.pauseConditions = [...(s.pauseConditions ?? []), { reason: PAUSE_STEP, startTime: kubeTime(st.now) }];
    s.controllerPause = true;
    st.events.push(ev.paused(PAUSE_STEP));
    const secs = duration === undefined ? undefined : parseDuration(duration);
    // Argo Rollouts requeues from the pause's start as it knows it here (before the second-precision commit); the
    // timer is armed a little later than that, so the pause is never shorter than its duration as seen by anyone
    // who sees the commit.
    if (secs !== undefined) relativeRequeue(st, Math.max(1, secs) * 1000 + PAUSE_TIMER_SLACK_MS);
    commit(st, 'paused', `paused at step ${index + 1}/${st.steps.length}`);
    return;
  }
  if (!cond) {
    // The pause condition was removed by the operator (kubectl argo rollouts promote): Argo records no
    // RolloutResumed for it, the previous status already had no pause condition.
    clearPause(s);
    completeStep(st, index);
    return;
  }
  if (duration === undefined) {
    st.reasons.push(`paused at step ${index + 1}/${st.steps.length} until promoted`);
    return;
  }
  const secs = parseDuration(duration) ?? 0;
  const end = Date.parse(cond.startTime) + secs * 1000;
  if (st.now.getTime() >= pauseEndsAt(end, secs, st.wokenAt)) {
    s.pauseConditions = (s.pauseConditions ?? []).filter((c) => c !== cond);
    if (s.pauseConditions.length === 0) clearPause(s);
    completeStep(st, index);
    return;
  }
  // The recorded start is rounded down to the second, the true start is within the second after it: waking one
  // second past the recorded end never ends the pause before its duration, and never more than a second after.
  st.requeue.push(end + 1000);
  st.reasons.push(`timed pause of step ${index + 1}/${st.steps.length} ends at ${kubeTime(new Date(end))}`);
}

function promote(st: PassState, reason: string): void {
  const s = st.s;
  s.stableRS = st.newHash;
  if (st.steps.length > 0) s.currentStepIndex = st.steps.length;
  clearPause(s);
  delete s.abort;
  delete s.promoteFull;
  st.events.push(ev.completed(rsRevision(st.newRS), st.newHash, reason));
  commit(st, 'promoted', `promoted ${st.newHash} to stable: ${reason}`);
}

/** After the last step (or with promoteFull): promote once the canary ReplicaSet is fully up, else wait. */
function finalStep(st: PassState): void {
  const fullyUp = st.newRS !== undefined && replicaSetAvailable(st.newRS) >= rolloutReplicas(st.r);
  if (fullyUp) {
    promote(
      st,
      st.s.promoteFull ? 'Full promotion requested' : `Completed all ${st.steps.length} canary steps`,
    );
    return;
  }
  st.reasons.push('waiting for the canary ReplicaSet to be fully available before promotion');
  st.podWait = true;
}

/**
 * An `analysis` step ends when its run is Successful (the run's field is cleared with it, as Argo does); an
 * Inconclusive pause holds every step. True when the step was handled here.
 */
function analysisGate(st: PassState, index: number, isAnalysis: boolean): boolean {
  if (st.s.pauseConditions?.some((c) => c.reason === INCONCLUSIVE_PAUSE)) {
    st.reasons.push('paused: an AnalysisRun was Inconclusive (promote to go on)');
    return true;
  }
  if (!isAnalysis) return false;
  if (st.stepRunPhase === 'Successful') {
    if (st.s.canary) delete st.s.canary['currentStepAnalysisRunStatus'];
    completeStep(st, index);
    return true;
  }
  st.reasons.push(
    `step ${index + 1}/${st.steps.length} waits for its AnalysisRun (phase ${st.stepRunPhase || 'not started'})`,
  );
  return true;
}

function stepTransition(st: PassState, counted: boolean, traffic: TrafficPlan): void {
  const s = st.s;
  const index = s.currentStepIndex ?? st.steps.length;
  if (s.promoteFull === true || index >= st.steps.length) return finalStep(st);
  const step = st.steps[index];
  if (!step) return;
  if (analysisGate(st, index, step.analysis !== undefined)) return;
  if (step.pause !== undefined) return pauseStep(st, index, step.pause.duration);
  if (step.setHeaderRoute !== undefined || step.setMirrorRoute !== undefined) {
    if (traffic.applied) completeStep(st, index);
    return;
  }
  if (counted && traffic.applied) return completeStep(st, index);
  if (!counted) st.podWait = true;
  st.reasons.push(
    counted
      ? `step ${index + 1} waits for traffic: ${traffic.waiting ?? ''}`
      : `step ${index + 1} waits for replica counts`,
  );
}

function preamble(st: PassState, stableHash: string): { aborted: boolean; retrying: boolean } {
  const s = st.s;
  const promoted = stableHash === st.newHash;
  if (promoted && s.promoteFull) delete s.promoteFull;
  if (s.promoteFull === true) {
    clearPause(s);
    delete s.abort;
    if (st.steps.length > 0) s.currentStepIndex = st.steps.length;
  }
  const aborted = s.abort === true && !promoted;
  const retrying = s.abort !== true && s.abortedAt !== undefined;
  if (retrying) delete s.abortedAt;
  if (aborted && s.abortedAt === undefined) {
    s.abortedAt = kubeTime(st.now);
    s.currentStepIndex = st.steps.length > 0 ? 0 : undefined;
    if (s.currentStepIndex === undefined) delete s.currentStepIndex;
    clearPause(s);
    const revision = rsRevision(st.newRS);
    st.events.push(st.abortMessage ? analysisAborted(revision, st.abortMessage) : ev.aborted(revision));
    commit(st, 'aborted', `aborted the update to revision ${revision}`);
  }
  return { aborted, retrying };
}

/**
 * After the status is built: a rollout that timed out (Progressing `ProgressDeadlineExceeded`) with
 * `spec.progressDeadlineAbort` is marked aborted (the abort itself is the next pass, as after an operator's abort),
 * with a Warning `RolloutAborted` carrying the timeout message. A pass waiting for pods is requeued after
 * {@link POD_WAIT_REQUEUE_SECONDS} until it times out (then the schedule's due check takes over), and any other
 * pass that can time out is requeued for one second past the deadline.
 */
function progressDeadline(st: PassState, status: RolloutStatus): void {
  const cond = status.conditions?.find((c) => c.type === 'Progressing');
  if (cond?.reason === TIMED_OUT_REASON) {
    const completed = !!status.stableRS && status.stableRS === status.currentPodHash;
    if (st.r.spec.progressDeadlineAbort === true && status.abort !== true && !completed) {
      status.abort = true;
      st.events.push(ev.deadlineAborted(cond.message));
      st.reasons.unshift(`${cond.message} progressDeadlineAbort: the update is aborted`);
    } else if (st.r.status?.conditions?.find((c) => c.type === 'Progressing')?.reason !== TIMED_OUT_REASON) {
      st.reasons.unshift(cond.message);
    }
    return;
  }
  if (st.podWait) after(st, POD_WAIT_REQUEUE_SECONDS);
  const wait = secondsUntilDeadline(st.r, status, st.now);
  if (wait !== undefined) after(st, wait);
}

/** What one pass decided so far, for the scaling and step part of {@link planPass}. */
interface PassDecisions {
  observed: Observed;
  stableHash: string;
  counts: { canary: number; stable: number };
  aborted: boolean;
  promoted: boolean;
  counted: boolean;
  traffic: TrafficPlan;
  /** Names of the ReplicaSets this pass deletes (revision history): not scaled as well. */
  deleting: Set<string>;
}

/** Scaling writes, the stable wait of an abort and the step transition of an unpaused Rollout. */
function scaleAndStep(st: PassState, d: PassDecisions, effects: Write[]): void {
  const { observed, stableHash, counts, aborted, promoted } = d;
  const scaling = planScaling({
    rollout: st.r,
    replicaSets: observed.replicaSets.filter((rs) => !d.deleting.has(rs.metadata.name)),
    newHash: st.newHash,
    stableHash,
    desiredCanary: counts.canary,
    desiredStable: counts.stable,
    aborted,
    referenced: referencedHashes(observed, st.s),
    now: observed.now,
  });
  effects.push(...scaling.writes);
  if (scaling.requeueAfterSeconds !== undefined) after(st, scaling.requeueAfterSeconds);
  const stableRS = findReplicaSetByHash(observed.replicaSets, stableHash);
  if (aborted && stableRS !== undefined && !isFullyAvailable(stableRS)) {
    st.reasons.push('waiting for the stable ReplicaSet to be fully available');
    st.podWait = true;
  }
  if (!st.transition && !aborted && !promoted) stepTransition(st, d.counted, d.traffic);
}

/** Applied weights that differ from the committed ones: `status.canary.weights` and a TrafficWeightUpdated Event. */
function recordWeights(st: PassState, traffic: TrafficPlan): void {
  const before = st.r.status?.canary?.weights;
  if (!traffic.applied || !traffic.weights || jsonEqual(traffic.weights, before)) return;
  st.events.push(ev.trafficWeightUpdated(before, traffic.weights));
  st.s.canary = { ...(st.s.canary ?? {}), weights: traffic.weights };
}

/**
 * `sendStateChangeEvents` (rollout/sync.go): `RolloutResumed` when this pass removed the last pause condition
 * (a timed pause ended, promote --full) and did not abort.
 */
function resumedEvent(st: PassState, before: RolloutStatus): void {
  const wasPaused = (before.pauseConditions?.length ?? 0) > 0;
  const isPaused = (st.s.pauseConditions?.length ?? 0) > 0;
  if (wasPaused && !isPaused && st.s.abortedAt === undefined) st.events.push(ev.resumed());
}

/** The plan of a pass from its effects and the status built from its state. */
function passPlan(st: PassState, effects: Write[], status: RolloutStatus): Plan {
  const changed = !jsonEqual(status, st.r.status ?? {});
  const transition = st.transition ?? (changed ? 'status-only' : undefined);
  const what = effects.length > 0 ? `${effects.length} write(s)` : 'no writes';
  const reason =
    st.reasons.length > 0 ? `${st.reasons.join('; ')} (${what})` : `nothing to do beyond ${what}`;
  return {
    effects,
    ...(changed ? { status } : {}),
    ...(transition ? { transition } : {}),
    events: st.events,
    reason,
    ...wakeUp(st),
  };
}

/** `spec.restartAt`: `status.restartedAt` once every pod is current, else a wake-up (`./restart.ts`). */
function restartStage(st: PassState, observed: Observed): void {
  const restart = restartInPass(observed);
  if (restart.restartedAt !== undefined) st.s['restartedAt'] = restart.restartedAt;
  if (restart.wakeAt !== undefined) st.requeue.push(restart.wakeAt);
  if (restart.reason !== undefined) st.reasons.push(restart.reason);
}

/** Asks to run again `seconds` after this pass's `now`. */
function after(st: PassState, seconds: number): void {
  relativeRequeue(st, seconds * 1000);
}

/** Asks to run again `ms` after this pass's clock reading: the caller times it from when the writes landed. */
function relativeRequeue(st: PassState, ms: number): void {
  const at = st.now.getTime() + ms;
  st.requeue.push(at);
  (st.relative ??= new Set()).add(at);
}

/** The earliest wake-up asked for: exact (`wakeAt`) and in whole seconds from now, rounded up. */
function wakeUp(st: PassState): Pick<Plan, 'wakeAt' | 'requeueAfterSeconds' | 'wakeFromCommit'> {
  if (st.requeue.length === 0) return {};
  const at = Math.min(...st.requeue);
  return {
    wakeAt: new Date(at).toISOString(),
    requeueAfterSeconds: Math.max(1, Math.ceil((at - st.now.getTime()) / 1000)),
    ...(st.relative?.has(at) ? { wakeFromCommit: true as const } : {}),
  };
}

/**
 * The Rollout's AnalysisRuns ({@link planAnalysis}) before anything else is decided, so a run that failed aborts the
 * update in this very pass (weights back to 0) and an Inconclusive one pauses it. Returns the run writes.
 */
function analysisStage(st: PassState, observed: Observed): Write[] {
  if (!observed.analysis) return [];
  const a = planAnalysis({
    rollout: st.r,
    status: st.s,
    newHash: st.newHash,
    revision: String(rsRevision(st.newRS)),
    analysis: observed.analysis,
  });
  st.events.push(...a.events);
  st.reasons.push(...a.reasons);
  if (a.stepRunPhase !== undefined) st.stepRunPhase = a.stepRunPhase;
  if (a.reaction?.kind === 'abort') {
    st.s.abort = true;
    st.abortMessage = a.reaction.message;
  } else if (a.reaction?.kind === 'pause') {
    st.s.pauseConditions = [
      ...(st.s.pauseConditions ?? []),
      { reason: INCONCLUSIVE_PAUSE, startTime: kubeTime(st.now) },
    ];
    st.s.controllerPause = true;
    st.events.push(ev.paused(INCONCLUSIVE_PAUSE));
    commit(st, 'paused', `paused: an AnalysisRun was Inconclusive`);
  }
  return a.effects;
}

/** The regular pass for a Rollout whose pod template and steps match the committed status. */
export function planPass(observed: Observed, newHash: string): Plan {
  const r = observed.rollout;
  const s0 = r.status ?? {};
  const stableHash = s0.stableRS ?? '';
  const st: PassState = {
    r,
    s: structuredClone(s0),
    newHash,
    newRS: findReplicaSetByHash(observed.replicaSets, newHash),
    steps: r.spec.strategy?.canary?.steps ?? [],
    now: observed.now,
    wokenAt: observed.wokenAt,
    events: [],
    reasons: [],
    requeue: [],
  };
  const runWrites = analysisStage(st, observed);
  const { aborted, retrying } = preamble(st, stableHash);
  const promoted = stableHash === newHash;
  const stableRS = findReplicaSetByHash(observed.replicaSets, stableHash);
  const flags = { promoted, aborted, stableRS };
  const recorded = recordedWeights(r);
  const counts = desiredCounts(st, flags, recorded);
  const counted = atDesiredCounts(st, counts, stableRS, promoted);
  const effR = { ...r, status: st.s };
  const traffic = planTraffic({ observed, rollout: effR, newHash, stableHash, atDesiredCounts: counted });
  if (traffic.waiting) st.reasons.push(traffic.waiting);
  if (aborted && isDynamic(r)) counts.canary = abortedDynamicCanary(st, flags, traffic);
  // Argo deletes old ReplicaSets beyond revisionHistoryLimit before it reconciles Services, traffic and scaling.
  const deletes = planHistory(observed, newHash, stableHash);
  const deleting = new Set(deletes.map((w) => w.target.name));
  // Then its AnalysisRuns: those of the deleted ReplicaSets, the run history, expired TTLs (no Events, as Argo).
  const runGc = passRunCleanup(observed, st.s, deletes);
  if (runGc.wakeAt !== undefined) st.requeue.push(runGc.wakeAt);
  const effects = [...deletes, ...withoutDeletedRuns(runWrites, runGc.effects), ...runGc.effects];
  effects.push(...traffic.writes);
  st.events.push(...traffic.events);
  if (r.spec.paused !== true) {
    const decisions = { observed, stableHash, counts, aborted, promoted, counted, traffic, deleting };
    scaleAndStep(st, decisions, effects);
  } else {
    st.reasons.push('spec.paused: steps and scaling are halted');
  }
  recordWeights(st, traffic);
  resumedEvent(st, s0);
  restartStage(st, observed);
  const status = buildStatus(
    {
      rollout: r,
      replicaSets: observed.replicaSets,
      newRS: st.newRS,
      now: observed.now,
      ...(st.abortMessage ? { abortMessage: st.abortMessage } : {}),
    },
    st.s,
    retrying,
  );
  progressDeadline(st, status);
  effects.push(...revisionAnnotationEffects(r, rsRevision(st.newRS), workloadAnnotations(observed)));
  return passPlan(st, effects, status);
}
