/**
 * The control loop every runtime runs: the schedule tick, one step with its follow-up and transition notice, one
 * drift report, and the watch over referenced objects. The Lambda handlers call these with EventBridge as the
 * {@link LoopDeps.bus}; `sluice run` calls the very same functions with its in-process queue as the bus. Only
 * the transport differs. VirtualServices and DestinationRules are read, written and watched through the
 * cluster's Istio primary when the directory names one.
 */
import { dueReason, waitingRuns, type RunLookup } from '../core/engine/due.js';
import type { AnalysisRun } from '../core/analysis/types.js';
import type { KubeGateway } from './kube-port/gateway.js';
import { LABELS, type Rollout } from '../core/model/types.js';
import {
  stepEvent,
  transitionEvent,
  driftEvent,
  type BusEvent,
  type DriftDetail,
  type StepDetail,
} from './contract.js';
import { affectedRollouts, correctDrift, type DriftCheckEntry } from './drift.js';
import { clusterGateways, istioRouted, type ClusterGateways } from './gateways.js';
import type { Logger } from './logger.js';
import type { ObjectRef } from './references.js';
import type { LoopDeps } from './ports.js';
import { runStep, type StepResult } from './step.js';
import { requeueAt, type TimerMessage } from './timers.js';
import { listInScope } from './scope.js';
import { watchReferencedObjects, type WatchCounters, type WatchMemory } from './watch.js';
import { watchRolloutWork, type RolloutWake } from './watch-rollouts.js';

/** A request dropped before anything was written, with the reason (unknown cluster, misconfigured primary). */
export interface Skipped {
  skipped: string;
}

/** What one step did: the pass's result, or why it was dropped. */
export type StepOutcome = Skipped | StepResult;

/** What one drift report did. */
export type DriftReport = Skipped | { checked: DriftCheckEntry[] };

/** One cluster's part of a tick. */
export type ClusterTick =
  { cluster: string; rollouts: number; due: number } | { cluster: string; failed: string };

/** What one tick did. */
export interface TickResult {
  clusters: number;
  rollouts: number;
  due: number;
  failedClusters: string[];
  /** Per cluster, in directory order (a failed one carries its error message). */
  perCluster: ClusterTick[];
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The follow-up `sluice.step` after a pass that wrote, pinned to the step it left the Rollout at. */
function followUp(cluster: string, namespace: string, name: string, result: StepResult): BusEvent[] {
  if (!result.followUp) return [];
  const pin = result.stepAfter === undefined ? {} : { expectedStep: result.stepAfter };
  return [{ ...stepEvent({ cluster, namespace, rollout: name, ...pin }), reason: 'follow-up' }];
}

/** The events a pass leads to: its transition notice, then its follow-up step. */
function passEvents(cluster: string, namespace: string, name: string, result: StepResult): BusEvent[] {
  const notice = transitionEvent(cluster, namespace, result);
  return [...(notice ? [notice] : []), ...followUp(cluster, namespace, name, result)];
}

/**
 * Arms the timer a pass asked for (`requeueAt`), pinned to the step it left the Rollout at. Rejects when the timer
 * could not be armed, so the transport runs the (idempotent) pass again.
 */
async function armRequeue(deps: LoopDeps, detail: StepDetail, result: StepResult): Promise<void> {
  const at = requeueAt(result, deps.now());
  if (!at || !deps.timers) return;
  const pin = result.stepAfter === undefined ? {} : { expectedStep: result.stepAfter };
  const { expectedStep: _seen, ...target } = detail;
  await deps.timers.at({ ...target, ...pin }, at, `requeue after ${result.requeueAfterSeconds}s`);
}

/**
 * The AnalysisRuns the Rollouts' statuses name and still wait on, read once each (a run that cannot be read is left
 * out, and its Rollout counts as due).
 */
async function readWaitingRuns(
  gateway: KubeGateway,
  rollouts: Rollout[],
): Promise<(namespace: string) => RunLookup> {
  const found = new Map<string, AnalysisRun>();
  await Promise.all(
    rollouts.flatMap((r) =>
      waitingRuns(r).map(async (name) => {
        const run = await gateway.get('analysisruns', r.metadata.namespace, name).catch(() => undefined);
        if (run) found.set(`${r.metadata.namespace}/${name}`, run as unknown as AnalysisRun);
      }),
    ),
  );
  return (namespace) => (name) => found.get(`${namespace}/${name}`);
}

/** One cluster's due step requests, pinned to the step seen here (a duplicate then makes no transition). */
async function tickCluster(deps: LoopDeps, cluster: string, log: Logger): Promise<ClusterTick> {
  try {
    const gateway = await deps.clusters.gateway(cluster);
    if (!gateway) throw new Error(`cluster ${cluster} has no gateway`);
    const items = await listInScope(gateway, 'rollouts', deps.clusters.namespaces?.(cluster), {
      labelSelector: `${LABELS.instanceId}=${deps.instanceId}`,
    });
    const at = deps.now();
    const events: BusEvent[] = [];
    const runsIn = await readWaitingRuns(gateway, items as Rollout[]);
    for (const rollout of items as Rollout[]) {
      const reason = dueReason(rollout, at, runsIn(rollout.metadata.namespace));
      if (!reason) continue;
      const { namespace, name } = rollout.metadata;
      log.info('rollout due', { cluster, rollout: `${namespace}/${name}`, reason });
      const step = rollout.status?.currentStepIndex;
      const pin = step === undefined ? {} : { expectedStep: step };
      events.push({ ...stepEvent({ cluster, namespace, rollout: name, ...pin }), reason: `due: ${reason}` });
    }
    if (events.length > 0) await deps.bus.send(events);
    return { cluster, rollouts: items.length, due: events.length };
  } catch (err) {
    log.error('cluster skipped', { cluster, error: err });
    return { cluster, failed: message(err) };
  }
}

/**
 * The schedule tick: every cluster's Rollouts of this instance listed once (cluster-wide, or in each namespace of a
 * namespace-scoped cluster), clusters in parallel (one slow or
 * unreachable cluster does not delay the others), one `sluice.step` per Rollout with work due. A cluster that
 * cannot be listed is logged and reported in `failedClusters`; the next tick tries again.
 */
export async function tick(deps: LoopDeps, log: Logger): Promise<TickResult> {
  const perCluster = await Promise.all(deps.clusters.names().map((c) => tickCluster(deps, c, log)));
  const result: TickResult = { clusters: 0, rollouts: 0, due: 0, failedClusters: [], perCluster };
  for (const t of perCluster) {
    result.clusters++;
    if ('failed' in t) result.failedClusters.push(t.cluster);
    else {
      result.rollouts += t.rollouts;
      result.due += t.due;
    }
  }
  log.info('schedule done', {
    clusters: result.clusters,
    rollouts: result.rollouts,
    due: result.due,
    failedClusters: result.failedClusters,
  });
  return result;
}

/** The cluster's gateways, or why the request is dropped (logged). */
async function gatewaysFor(
  deps: LoopDeps,
  cluster: string,
  log: Logger,
  fields: Record<string, unknown>,
): Promise<ClusterGateways | Skipped> {
  const gateways = await clusterGateways(deps.clusters, cluster);
  if ('skipped' in gateways) log.error('event dropped', { cluster, ...fields, reason: gateways.skipped });
  return gateways;
}

/**
 * One step: exactly one engine pass (`runStep`) for the Rollout, then its transition notice and, when it wrote,
 * a follow-up `sluice.step` pinned to the new step. An unknown cluster or a misconfigured Istio primary is
 * `skipped` with nothing written; Kubernetes and bus failures are thrown (the transport retries).
 */
export async function step(
  deps: LoopDeps,
  detail: StepDetail,
  log: Logger,
  wokenAt?: Date,
): Promise<StepOutcome> {
  const { cluster, namespace, rollout, expectedStep } = detail;
  const gateways = await gatewaysFor(deps, cluster, log, { rollout: `${namespace}/${rollout}` });
  if ('skipped' in gateways) return gateways;
  const pin = expectedStep === undefined ? {} : { expectedStep };
  const result = await runStep(
    {
      ...gateways,
      now: deps.now,
      log: log.child({ cluster }),
      cluster,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      ...(deps.deadline ? { deadline: deps.deadline } : {}),
    },
    { namespace, name: rollout, ...pin, ...(wokenAt ? { wokenAt } : {}) },
  );
  const events = passEvents(cluster, namespace, rollout, result);
  if (events.length > 0) await deps.bus.send(events);
  await armRequeue(deps, detail, result);
  log.info('step done', { cluster, ...result });
  return result;
}

/**
 * Waits until `at` when it is at most `waitUpToMs` away; true when `at` has come (now or after the wait), false
 * when it is further away than that (nothing waited).
 */
export async function waitUntilDue(at: Date, now: () => Date, waitUpToMs: number): Promise<boolean> {
  const early = at.getTime() - now().getTime();
  if (early <= 0) return true;
  if (early > waitUpToMs) return false;
  await new Promise((resolve) => setTimeout(resolve, early));
  return true;
}

/** What a delivered timer did: the pass, or armed again because it came before its time. */
export type TimerOutcome = StepOutcome | { rearmed: string };

/**
 * A delivered timer: one {@link step} when its time has come. One that came at most `waitUpToMs` early (SQS holds
 * a message back in whole seconds, so a timer is sent with its delay rounded down and a second short) waits out the
 * rest here, so the pass runs at its time, not a second late; one that came earlier (a wait longer than the transport's maximum
 * delay, or clock skew) is armed again for the rest. No pass runs before the time it asked for.
 */
export async function fireTimer(
  deps: LoopDeps,
  timer: TimerMessage,
  log: Logger,
  waitUpToMs = 0,
): Promise<TimerOutcome> {
  const at = new Date(timer.at);
  const due = await waitUntilDue(at, deps.now, waitUpToMs);
  if (!due && deps.timers) {
    await deps.timers.at(timer.detail, at, timer.reason);
    log.debug('timer early, armed again', { ...timer.detail, at: timer.at });
    return { rearmed: timer.at };
  }
  log.info('timer due', { ...timer.detail, at: timer.at, reason: timer.reason });
  return step(deps, timer.detail, log, at);
}

/** The Rollouts of this instance that reference the changed object (in the cluster named by the detail). */
export async function driftTargets(
  deps: LoopDeps,
  detail: DriftDetail,
  log: Logger,
): Promise<Skipped | Rollout[]> {
  const gateways = await gatewaysFor(deps, detail.cluster, log, { kind: detail.kind, name: detail.name });
  if ('skipped' in gateways) return gateways;
  return affectedRollouts(
    gateways.gateway,
    deps.instanceId,
    detail,
    deps.clusters.namespaces?.(detail.cluster),
  );
}

/**
 * One drift pass for one Rollout after `detail`'s object (in `detail.cluster`) changed: an ordinary engine pass
 * (`correctDrift` over `runStep`; the pass itself records `DriftCorrected` when its write put back a foreign change),
 * then its transition notice and follow-up step.
 */
export async function driftPass(
  deps: LoopDeps,
  detail: ObjectRef & { cluster: string },
  rollout: Rollout,
  log: Logger,
): Promise<Skipped | { entry: DriftCheckEntry; result: StepResult }> {
  const { namespace, name } = rollout.metadata;
  const gateways = await gatewaysFor(deps, detail.cluster, log, { rollout: `${namespace}/${name}` });
  if ('skipped' in gateways) return gateways;
  const clusterLog = log.child({ cluster: detail.cluster });
  const out = await correctDrift({ ...gateways, now: deps.now, log: clusterLog }, detail, rollout);
  const events = passEvents(detail.cluster, namespace, name, out.result);
  if (events.length > 0) await deps.bus.send(events);
  await armRequeue(deps, { cluster: detail.cluster, namespace, rollout: name }, out.result);
  return out;
}

/** One drift report: every affected Rollout gets its drift pass, one after another. */
export async function driftReport(deps: LoopDeps, detail: DriftDetail, log: Logger): Promise<DriftReport> {
  const rollouts = await driftTargets(deps, detail, log);
  if ('skipped' in rollouts) return rollouts;
  const checked: DriftCheckEntry[] = [];
  for (const rollout of rollouts) {
    const out = await driftPass(deps, detail, rollout, log);
    if ('skipped' in out) return out;
    checked.push(out.entry);
  }
  log.info('drift check done', {
    ...detail,
    rollouts: checked.length,
    corrected: checked.filter((c) => c.corrected).length,
  });
  return { checked };
}

/** Options of {@link watchCluster}. */
export interface WatchRun {
  memory: WatchMemory;
  counters: WatchCounters;
  log: Logger;
  /** Epoch ms at which to stop (Lambda: before its limit). */
  stopAt?: number;
  /** Stops the watch when aborted (`sluice run`). */
  signal?: AbortSignal;
  /** How long the list of referenced objects is reused (default 60 s). */
  refsTtlMs?: number;
}

/** The `sluice.step` events of the Rollouts the watch found work due for. */
function wakeEvents(cluster: string, wakes: RolloutWake[]): BusEvent[] {
  return wakes.map((w) => {
    const pin = w.expectedStep === undefined ? {} : { expectedStep: w.expectedStep };
    const detail = { cluster, namespace: w.namespace, rollout: w.name, ...pin };
    return { ...stepEvent(detail), reason: w.reasons.join('; ') };
  });
}

/**
 * Watches one cluster: its referenced VirtualServices, DestinationRules (in its Istio primary when it has one) and
 * Services, putting a `sluice.drift` on the bus for each change; and its Rollouts of this instance and the
 * ReplicaSets they own, putting a `sluice.step` on the bus for each Rollout a change made work due for (spec
 * change, operator action, ReplicaSet available). `skipped` when the cluster is unknown or its primary
 * misconfigured; API failures are thrown. `onStart` is called once the gateways are resolved.
 */
export async function watchCluster(
  deps: LoopDeps,
  cluster: string,
  run: WatchRun,
  onStart: () => void = () => undefined,
): Promise<Skipped | undefined> {
  const gateways = await clusterGateways(deps.clusters, cluster);
  if ('skipped' in gateways) return gateways;
  onStart();
  // One watch failing (its first list of Rollouts) stops the other, so the caller sees the failure and restarts both.
  const failed = new AbortController();
  const signal = run.signal ? AbortSignal.any([run.signal, failed.signal]) : failed.signal;
  const stop = { ...(run.stopAt === undefined ? {} : { stopAt: run.stopAt }), signal };
  const rollouts = watchRolloutWork({
    cluster,
    gateway: gateways.gateway,
    instanceId: deps.instanceId,
    namespaces: deps.clusters.namespaces?.(cluster),
    memory: run.memory,
    ...stop,
    onWake: (wakes) => deps.bus.send(wakeEvents(cluster, wakes)),
    log: run.log,
    counters: run.counters,
  });
  const drift = watchReferencedObjects({
    cluster,
    gateway: istioRouted(gateways),
    instanceId: deps.instanceId,
    namespaces: deps.clusters.namespaces?.(cluster),
    memory: run.memory,
    ...stop,
    ...(run.refsTtlMs === undefined ? {} : { refsTtlMs: run.refsTtlMs }),
    onDrift: (drifted) =>
      deps.bus.send(
        drifted.map((d) => ({ ...driftEvent(d), reason: `${d.kind} ${d.namespace}/${d.name} changed` })),
      ),
    log: run.log,
    counters: run.counters,
  });
  const settled = await Promise.allSettled(
    [rollouts, drift].map(async (p) => {
      try {
        await p;
      } catch (err) {
        failed.abort();
        throw err;
      }
    }),
  );
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  return undefined;
}
