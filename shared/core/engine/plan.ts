/**
 * The planner: one pass for one Rollout, like one Argo Rollouts reconcile. `plan(observed)` is pure — the same
 * observation always gives the same plan — and makes at most one committed transition; the caller applies the
 * effects, commits the status with a resourceVersion precondition, and loops.
 *
 * Order of a pass: resolve a workloadRef's template from its Deployment (`./workload.ts`) → validate (invalid → InvalidSpec status, zero effects) → when the pod template or the steps
 * changed, only find/create the ReplicaSet and reset the status (new revision, initial deploy, fast rollback) →
 * otherwise the regular pass ({@link planPass}): scaling, Services, traffic, at most one step transition, status.
 */
import type { ReplicaSet, Rollout, RolloutStatus } from '../model/types.js';
import { stepsHash } from '../model/hash.js';
import { setCondition } from '../model/status.js';
import { computePhase } from '../model/status.js';
import { jsonEqual } from '../model/json.js';
import * as ev from './events.js';
import { planPass } from './pass.js';
import {
  buildReplicaSet,
  findReplicaSetByHash,
  nextRevision,
  rolloutReplicas,
  templateHash,
} from './replicasets.js';
import { buildStatus } from './status-builder.js';
import { revisionAnnotationEffects, reusedRevision } from './history.js';
import type { EventRecord, Observed, Plan, Write } from './types.js';
import { validationError } from './validation.js';
import { resolveObserved, withWorkload, workloadAnnotations } from './workload.js';
import { invalidSpecMessage } from '../model/validate.js';

function invalidPlan(observed: Observed, message: string): Plan {
  const r = observed.rollout;
  const s: RolloutStatus = structuredClone(r.status ?? {});
  s.conditions = setCondition(
    s.conditions,
    { type: 'InvalidSpec', status: 'True', reason: 'InvalidSpec', message },
    observed.now,
  );
  if (r.metadata.generation !== undefined) s.observedGeneration = String(r.metadata.generation);
  const { phase, message: phaseMessage } = computePhase(r, s);
  s.phase = phase;
  s.message = phaseMessage;
  const changed = !jsonEqual(s, r.status ?? {});
  return {
    effects: [],
    ...(changed ? { status: s, transition: 'invalid-spec' as const } : {}),
    events: changed ? [ev.invalidSpec(message)] : [],
    reason: `${message}; nothing is written until it is fixed`,
  };
}

/** A new revision starts without current AnalysisRuns (Argo's `resetRolloutStatus`); the old ones are terminated. */
function resetAnalysisFields(s: RolloutStatus): void {
  if (!s.canary) return;
  delete s.canary['currentStepAnalysisRunStatus'];
  delete s.canary['currentBackgroundAnalysisRunStatus'];
  if (Object.keys(s.canary).length === 0) delete s.canary;
}

/**
 * The canary ReplicaSet of a new revision: found, or created (the create carries its Events, as Argo's
 * `createDesiredReplicaSet` records them: created, scaled, Rollout updated); and its revision number (a
 * ReplicaSet found again is renumbered above the others: {@link reusedRevision}).
 */
function newReplicaSet(
  observed: Observed,
  r: Rollout,
  newHash: string,
  initial: boolean,
): { newRS?: ReplicaSet; created?: ReplicaSet; revision: number; effects: Write[] } {
  const found = findReplicaSetByHash(observed.replicaSets, newHash);
  if (found) {
    // A ReplicaSet found again (a rollback) becomes the newest revision, as Argo renumbers it; Argo records
    // RolloutUpdated when it then writes that revision on the Rollout.
    const { revision, write } = reusedRevision(found, observed.replicaSets);
    return { newRS: found, revision, effects: write ? [{ ...write, events: [ev.updated(revision)] }] : [] };
  }
  const revision = nextRevision(observed.replicaSets);
  const replicas = initial ? rolloutReplicas(r) : 0;
  const created = buildReplicaSet(r, newHash, revision, replicas);
  const events = [ev.rsCreated(created.metadata.name, revision)];
  if (replicas > 0) events.push(ev.scaled(created.metadata.name, revision, 0, replicas));
  events.push(ev.updated(revision));
  const effects: Write[] = [
    {
      op: 'create',
      target: { resource: 'replicasets', namespace: r.metadata.namespace, name: created.metadata.name },
      body: created,
      reason: `create ReplicaSet ${created.metadata.name} (revision ${revision}) with ${replicas} replicas`,
      events,
    },
  ];
  return { created, revision, effects };
}

/**
 * A new revision's reset of `s` (Argo's `resetRolloutStatus`): pause, abort, full promotion and current runs
 * cleared. Returns `RolloutResumed` when pause conditions were cleared, as Argo's `sendStateChangeEvents` records
 * it (the abort being cleared too, it counts as a resume).
 */
function resetPauseAndAbort(s: RolloutStatus): EventRecord[] {
  const events = (s.pauseConditions?.length ?? 0) > 0 ? [ev.resumed()] : [];
  for (const k of ['pauseConditions', 'controllerPause', 'abort', 'abortedAt', 'promoteFull'] as const)
    delete s[k];
  resetAnalysisFields(s);
  return events;
}

function planRevision(observed: Observed, r: Rollout, newHash: string, sHash: string): Plan {
  const s0 = r.status ?? {};
  const steps = r.spec.strategy?.canary?.steps ?? [];
  const initial = !s0.stableRS;
  const found = newReplicaSet(observed, r, newHash, initial);
  const { created, revision, effects } = found;
  const events: EventRecord[] = [];
  let newRS = found.newRS;
  const s: RolloutStatus = structuredClone(s0);
  s.currentPodHash = newHash;
  s.currentStepHash = sHash;
  let transition: Plan['transition'];
  let reason: string;
  if (initial) {
    // Argo's first reconcile starts the update (Completed False) and the next one promotes it: both Events.
    events.push(ev.notCompleted(revision, newHash));
    events.push(ev.completed(revision, newHash, 'Initial deploy'));
    s.stableRS = newHash;
    if (steps.length > 0) s.currentStepIndex = steps.length;
    transition = 'initialized';
    reason = `initial deploy of pod-template hash ${newHash}: it becomes stable without steps`;
  } else {
    events.push(...resetPauseAndAbort(s));
    if (steps.length > 0) s.currentStepIndex = 0;
    else delete s.currentStepIndex;
    transition = 'new-revision';
    reason = `new revision with pod-template hash ${newHash}: steps start again at 0`;
    if (newHash !== s0.stableRS && s0.stableRS === s0.currentPodHash)
      events.push(ev.notCompleted(revision, newHash));
    if (newHash === s0.stableRS) {
      if (steps.length > 0) {
        s.currentStepIndex = steps.length;
        events.push(ev.skipSteps());
      }
      transition = 'fast-rollback';
      reason = `the pod template equals the stable ReplicaSet ${newHash}: all steps are skipped`;
    }
  }
  newRS = newRS ?? created;
  // Argo writes the new revision on the Rollout once its ReplicaSet exists (`SetRolloutRevision`).
  effects.push(...revisionAnnotationEffects(r, revision, workloadAnnotations(observed)));
  const status = buildStatus(
    { rollout: r, replicaSets: observed.replicaSets, newRS, createdRS: created, now: observed.now },
    s,
  );
  return { effects, status, transition, events, reason };
}

/**
 * Decides one pass for one Rollout: the writes to ReplicaSets, Services, DestinationRule and VirtualServices (in
 * order), the complete new status (undefined when unchanged), the transition it commits, the Events, a one-sentence
 * reason, and when to run again.
 */
export function plan(read: Observed): Plan {
  const resolved = resolveObserved(read);
  if ('error' in resolved)
    return invalidPlan(read, invalidSpecMessage(read.rollout.metadata.name, resolved.error));
  const { observed } = resolved;
  const r = observed.rollout;
  const invalid = validationError(observed);
  if (invalid) return invalidPlan(observed, invalid);
  const newHash = templateHash(r, observed.replicaSets);
  const sHash = stepsHash(r.spec.strategy?.canary?.steps);
  const s0 = r.status ?? {};
  if (s0.currentPodHash !== newHash || s0.currentStepHash !== sHash || !s0.stableRS) {
    return withWorkload(observed, planRevision(observed, r, newHash, sHash));
  }
  return withWorkload(observed, planPass(observed, newHash));
}

/**
 * Every Event a plan records, in the order {@link Plan} gives them: each effect's own Events (recorded as its write
 * lands), then the Events of the status transition (recorded after the commit).
 *
 * @example
 * plannedEvents(plan(observed)).map((e) => e.reason); // ['UpdatedDestinationRule', ..., 'RolloutStepCompleted']
 */
export function plannedEvents(p: Plan): EventRecord[] {
  return [...p.effects.flatMap((w) => w.events ?? []), ...p.events];
}
