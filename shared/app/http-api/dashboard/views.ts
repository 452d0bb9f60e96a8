/**
 * The dashboard's data: one row per sluice Rollout of every registered cluster (the fleet), and the detail of one
 * Rollout (the status view of `sluice status`, plus what its current step waits for, its weight history and its
 * audit trail). Reads only.
 *
 * Weight history: the canary weight after each `TrafficWeightUpdated` Event still kept by the API server (one
 * hour by default), plus the weight now. Nothing is stored by sluice; the page adds what it observes while open.
 */
import type { Rollout } from '../../../core/model/types.js';
import { LABELS } from '../../../core/model/types.js';
import { pauseDurationSeconds } from '../../../core/engine/due.js';
import { trafficWeightOf } from '../../../core/engine/events.js';
import type { ClusterDirectory } from '../../ports.js';
import type { KubeGateway } from '../../kube-port/gateway.js';
import { describeRollout, displayPhase, type EventView, type RolloutView } from '../../status-view.js';

/** A mark the fleet view shows on a Rollout that needs a look. */
export type FleetMark = 'degraded' | 'paused-for-promotion' | 'aborted';

/** One Rollout in the fleet view. */
export interface FleetRow {
  cluster: string;
  namespace: string;
  name: string;
  phase: string;
  message: string;
  step?: { index: number; total: number };
  /** The canary weight the status records (100 past the last step). */
  weight: number;
  /** When the current step began (its pause's start, else the last condition change), ISO. */
  since?: string;
  marks: FleetMark[];
}

/** The fleet view: the rows the caller may see and the clusters that could not be read. */
export interface Fleet {
  at: string;
  rows: FleetRow[];
  unreachable: { cluster: string; error: string }[];
}

/** One point of the weight history. */
export interface WeightPoint {
  at: string;
  canary: number;
  stable: number;
}

/** The rollout view. */
export interface RolloutDetail {
  cluster: string;
  view: RolloutView;
  /** What the current step waits for, in words. */
  waitingFor: string;
  weights: WeightPoint[];
  /** OperatorAction Events, oldest first. */
  audit: EventView[];
  /** The most recent Events of any other reason, oldest first. */
  events: EventView[];
}

const indefinitePause = (r: Rollout): boolean => {
  const step = r.spec?.strategy?.canary?.steps?.[r.status?.currentStepIndex ?? -1];
  return step?.pause !== undefined && step.pause.duration === undefined;
};

function marksOf(r: Rollout, phase: string): FleetMark[] {
  const marks: FleetMark[] = [];
  if (phase === 'Degraded') marks.push('degraded');
  if (r.status?.abort) marks.push('aborted');
  if ((r.status?.pauseConditions?.length ?? 0) > 0 && indefinitePause(r)) marks.push('paused-for-promotion');
  return marks;
}

function sinceOf(r: Rollout): string | undefined {
  const pause = r.status?.pauseConditions?.[0]?.startTime;
  if (pause) return pause;
  const times = (r.status?.conditions ?? []).map((c) => c.lastUpdateTime).filter(Boolean);
  return times.sort().at(-1);
}

function weightOf(r: Rollout): number {
  const total = r.spec?.strategy?.canary?.steps?.length ?? 0;
  const index = r.status?.currentStepIndex;
  if (index !== undefined && index >= total && !r.status?.abort) return 100;
  return r.status?.canary?.weights?.canary.weight ?? 0;
}

/** The fleet row of one Rollout. */
export function fleetRow(cluster: string, r: Rollout): FleetRow {
  const { phase, message } = displayPhase(r);
  const total = r.spec?.strategy?.canary?.steps?.length ?? 0;
  const index = r.status?.currentStepIndex;
  const since = sinceOf(r);
  return {
    cluster,
    namespace: r.metadata.namespace,
    name: r.metadata.name,
    phase,
    message,
    ...(index === undefined ? {} : { step: { index, total } }),
    weight: weightOf(r),
    ...(since ? { since } : {}),
    marks: marksOf(r, phase),
  };
}

/**
 * Every Rollout labelled with the instance id in every cluster of the directory that `visible` lets the caller
 * see, sorted by cluster, namespace and name. A cluster that cannot be listed is reported, not fatal.
 */
export async function listFleet(
  clusters: ClusterDirectory,
  instanceId: string,
  visible: (cluster: string, namespace: string) => boolean,
  now: Date,
): Promise<Fleet> {
  const fleet: Fleet = { at: now.toISOString(), rows: [], unreachable: [] };
  await Promise.all(
    clusters.names().map(async (cluster) => {
      try {
        const gw = await clusters.gateway(cluster);
        if (!gw) return;
        const { items } = await gw.list('rollouts', undefined, {
          labelSelector: `${LABELS.instanceId}=${instanceId}`,
        });
        for (const r of items as Rollout[])
          if (visible(cluster, r.metadata.namespace)) fleet.rows.push(fleetRow(cluster, r));
      } catch (err) {
        fleet.unreachable.push({ cluster, error: err instanceof Error ? err.message : String(err) });
      }
    }),
  );
  const key = (r: FleetRow): string => `${r.cluster}\u0000${r.namespace}\u0000${r.name}`;
  fleet.rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return fleet;
}

function pauseLeft(view: RolloutView, r: Rollout, now: Date): string {
  const step = r.spec?.strategy?.canary?.steps?.[view.step?.index ?? -1];
  const seconds = pauseDurationSeconds(step?.pause?.duration);
  const start = r.status?.pauseConditions?.[0]?.startTime;
  if (seconds === undefined) return 'a promotion';
  if (!start) return `a pause of ${seconds}s to start`;
  const left = Math.max(0, Math.ceil((Date.parse(start) + seconds * 1000 - now.getTime()) / 1000));
  return `the pause to end (${left}s left of ${seconds}s)`;
}

/** What a Rollout that is not stepping waits for (aborted, paused by an operator, complete), if it is one. */
function notStepping(view: RolloutView, r: Rollout): string | undefined {
  if (r.status?.abort) return 'a retry (the rollout was aborted)';
  if (r.spec?.paused) return 'a resume (paused by an operator)';
  if (view.phase === 'Healthy') return 'nothing: the rollout is complete';
  return undefined;
}

/** `the analysis run <name> (Running)` for the step's current run, `an analysis run` before it exists. */
function analysisWait(view: RolloutView): string {
  const run = view.analysisRuns.find((r) => r.current && r.kind !== 'Background');
  return run ? `the analysis run ${run.name} (${run.phase || 'New'})` : 'an analysis run';
}

/** What the current step waits for, in words. */
export function waitingFor(view: RolloutView, r: Rollout, now: Date): string {
  const idle = notStepping(view, r);
  if (idle) return idle;
  const current = view.step && view.steps[view.step.index];
  if (!current) return 'the next pass';
  const step = r.spec?.strategy?.canary?.steps?.[current.index];
  if (step?.pause !== undefined) return pauseLeft(view, r, now);
  if (step?.analysis !== undefined) return analysisWait(view);
  const canary = view.replicaSets.find((rs) => rs.tags.includes('canary'));
  if (canary && canary.available < canary.replicas)
    return `canary pods (${canary.available}/${canary.replicas} available)`;
  return 'the next pass';
}

/** The weight history from the Events, then the weight now. */
export function weightHistory(events: EventView[], now: Date, current: number): WeightPoint[] {
  const points: WeightPoint[] = [];
  for (const e of events) {
    const canary = e.reason === 'TrafficWeightUpdated' ? trafficWeightOf(e.message) : undefined;
    if (canary !== undefined && e.lastTimestamp)
      points.push({ at: e.lastTimestamp, canary, stable: 100 - canary });
  }
  points.push({ at: now.toISOString(), canary: current, stable: 100 - current });
  return points;
}

/** The rollout view of one Rollout, or undefined when it does not exist. */
export async function rolloutDetail(
  gw: KubeGateway,
  ref: { cluster: string; namespace: string; name: string },
  now: Date,
): Promise<RolloutDetail | undefined> {
  const view = await describeRollout(gw, ref.namespace, ref.name, 200);
  const r = (await gw.get('rollouts', ref.namespace, ref.name)) as Rollout | undefined;
  if (!view || !r) return undefined;
  const all = view.events;
  return {
    cluster: ref.cluster,
    view: { ...view, events: [] },
    waitingFor: waitingFor(view, r, now),
    weights: weightHistory(all, now, view.actualWeight),
    audit: all.filter((e) => e.reason === 'OperatorAction'),
    events: all.filter((e) => e.reason !== 'OperatorAction' && e.reason !== 'OperatorRequest').slice(-20),
  };
}
