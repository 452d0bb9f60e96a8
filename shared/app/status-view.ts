/**
 * A read-only view of a Rollout for `sluice status` and the HTTP GET, shaped like `kubectl argo rollouts get rollout`.
 */
import type { CanaryStep, KubeObject, ReplicaSet, Rollout, RolloutCondition } from '../core/model/types.js';
import type { KubeGateway } from './kube-port/gateway.js';
import { ANNOTATIONS, LABELS } from '../core/model/types.js';
import { usesAnalysis } from '../core/engine/analysis.js';
import { analysisRunViews, type AnalysisRunView } from './analysis-view.js';

export { formatStatus } from './status-text.js';

/** One step of the view. */
export interface StepView {
  index: number;
  text: string;
  current: boolean;
  done: boolean;
}

/** One ReplicaSet of the view. */
export interface ReplicaSetView {
  name: string;
  hash?: string;
  revision?: number;
  replicas: number;
  ready: number;
  available: number;
  tags: ('stable' | 'canary')[];
  scaleDownDeadline?: string;
  images: string[];
}

/** One recent Event on the Rollout. */
export interface EventView {
  type: string;
  reason: string;
  message: string;
  count: number;
  lastTimestamp?: string;
}

/** Everything `sluice status` shows. */
export interface RolloutView {
  namespace: string;
  name: string;
  phase: string;
  message: string;
  strategy: 'Canary' | 'BlueGreen' | 'Unknown';
  step?: { index: number; total: number };
  steps: StepView[];
  setWeight: number;
  actualWeight: number;
  stableRS?: string;
  currentPodHash?: string;
  replicas: { desired: number; current: number; updated: number; ready: number; available: number };
  replicaSets: ReplicaSetView[];
  conditions: Pick<RolloutCondition, 'type' | 'status' | 'reason' | 'message'>[];
  events: EventView[];
  /** The AnalysisRuns of the current revision, newest first (empty for a Rollout without analysis). */
  analysisRuns: AnalysisRunView[];
}

/** `setWeight: 20`, `pause`, `pause: 30s`, as Argo's CanaryStepString. */
export function stepText(step: CanaryStep): string {
  if (step.setWeight !== undefined) return `setWeight: ${step.setWeight}`;
  if (step.pause) return step.pause.duration === undefined ? 'pause' : `pause: ${step.pause.duration}`;
  if (step.setCanaryScale) {
    const s = step.setCanaryScale;
    if (s.replicas !== undefined) return `setCanaryScale{replicas: ${s.replicas}}`;
    if (s.matchTrafficWeight) return 'setCanaryScale{matchTrafficWeight: true}';
    return `setCanaryScale{weight: ${s.weight ?? 0}}`;
  }
  if (step.setHeaderRoute) return `setHeaderRoute: ${step.setHeaderRoute.name}`;
  if (step.setMirrorRoute) return `setMirrorRoute: ${step.setMirrorRoute.name}`;
  if (step.experiment !== undefined) return 'experiment';
  if (step.analysis !== undefined) return 'analysis';
  return 'plugin';
}

/** The set weight the kubectl plugin shows: 0 when aborted, 100 past the last step, else the last setWeight so far. */
export function setWeightOf(r: Rollout): number {
  const steps = r.spec?.strategy?.canary?.steps ?? [];
  const index = r.status?.currentStepIndex ?? 0;
  if (r.status?.abort) return 0;
  if (index >= steps.length) return 100;
  for (let i = index; i >= 0; i--) {
    const w = steps[i]?.setWeight;
    if (w !== undefined) return w;
  }
  return 0;
}

/** The phase Argo's kubectl plugin shows: observedGeneration lag and controllerPause first, then status.phase. */
export function displayPhase(r: Rollout): { phase: string; message: string } {
  const s = r.status;
  if (generationUnobserved(r)) {
    return { phase: 'Progressing', message: 'waiting for rollout spec update to be observed' };
  }
  if (s?.controllerPause && !(s.pauseConditions?.length ?? 0))
    return { phase: 'Progressing', message: 'waiting for rollout to unpause' };
  return { phase: s?.phase ?? 'Progressing', message: s?.message ?? '' };
}

/** A numeric observedGeneration behind metadata.generation (a non-numeric one is ignored). */
function generationUnobserved(r: Rollout): boolean {
  const observed = r.status?.observedGeneration;
  if (observed === undefined || !/^\d+$/.test(observed)) return false;
  return Number(observed) < (r.metadata.generation ?? 0);
}

function images(template: unknown): string[] {
  const spec = (template as { spec?: { containers?: { image?: string }[] } } | undefined)?.spec;
  return (spec?.containers ?? []).map((c) => c.image ?? '').filter((i) => i !== '');
}

/** `stable` for the stable hash, else `canary` for the current pod hash. */
function tagsOf(hash: string | undefined, r: Rollout): ReplicaSetView['tags'] {
  if (!hash) return [];
  if (hash === r.status?.stableRS) return ['stable'];
  return hash === r.status?.currentPodHash ? ['canary'] : [];
}

/** The optional fields: the pod template hash, a positive revision and a scale-down deadline when present. */
function replicaSetExtras(rs: ReplicaSet, hash: string | undefined): Partial<ReplicaSetView> {
  const extras: Partial<ReplicaSetView> = {};
  if (hash) extras.hash = hash;
  const rev = Number(rs.metadata.annotations?.[ANNOTATIONS.revision]);
  if (Number.isFinite(rev) && rev > 0) extras.revision = rev;
  const deadline = rs.metadata.annotations?.[ANNOTATIONS.scaleDownDeadline];
  if (deadline) extras.scaleDownDeadline = deadline;
  return extras;
}

function replicaSetView(rs: ReplicaSet, r: Rollout): ReplicaSetView {
  const hash = rs.metadata.labels?.[LABELS.podTemplateHash];
  return {
    name: rs.metadata.name,
    replicas: rs.spec.replicas ?? 0,
    ready: rs.status?.readyReplicas ?? 0,
    available: rs.status?.availableReplicas ?? 0,
    tags: tagsOf(hash, r),
    images: images(rs.spec.template),
    ...replicaSetExtras(rs, hash),
  };
}

function eventView(e: KubeObject): EventView {
  const ev = e as KubeObject & {
    type?: string;
    reason?: string;
    message?: string;
    count?: number;
    lastTimestamp?: string;
    eventTime?: string;
  };
  const view: EventView = {
    type: ev.type ?? 'Normal',
    reason: ev.reason ?? '',
    message: ev.message ?? '',
    count: ev.count ?? 1,
  };
  const at = ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp;
  if (at) view.lastTimestamp = at;
  return view;
}

/** The Events about the object with `uid`, oldest first, the last `max` of them. */
function recentEvents(items: KubeObject[], uid: string | undefined, max: number): EventView[] {
  return items
    .filter((e) => (e as { involvedObject?: { uid?: string } }).involvedObject?.uid === uid)
    .map(eventView)
    .sort((a, b) => (a.lastTimestamp ?? '').localeCompare(b.lastTimestamp ?? ''))
    .slice(-max);
}

/** The ReplicaSets owned by `r`, newest revision first. */
function replicaSetViews(items: KubeObject[], r: Rollout): ReplicaSetView[] {
  const uid = r.metadata.uid;
  return (items as ReplicaSet[])
    .filter((rs) => (rs.metadata.ownerReferences ?? []).some((o) => o.uid === uid))
    .map((rs) => replicaSetView(rs, r))
    .sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
}

function strategyOf(r: Rollout): RolloutView['strategy'] {
  if (r.spec?.strategy?.canary) return 'Canary';
  return r.spec?.strategy?.blueGreen ? 'BlueGreen' : 'Unknown';
}

function stepViews(steps: CanaryStep[], index: number | undefined): StepView[] {
  return steps.map((st, i) => ({
    index: i,
    text: stepText(st),
    current: i === index,
    done: index !== undefined && i < index,
  }));
}

/** 100 past the last step (unless aborted), else the canary weight the status records. */
function actualWeightOf(r: Rollout): number {
  const s = r.status ?? {};
  const total = r.spec?.strategy?.canary?.steps?.length ?? 0;
  const index = s.currentStepIndex;
  if (index !== undefined && index >= total && !s.abort) return 100;
  return s.canary?.weights?.canary.weight ?? 0;
}

function replicaCounts(r: Rollout): RolloutView['replicas'] {
  const s = r.status ?? {};
  return {
    desired: r.spec?.replicas ?? 1,
    current: s.replicas ?? 0,
    updated: s.updatedReplicas ?? 0,
    ready: s.readyReplicas ?? 0,
    available: s.availableReplicas ?? 0,
  };
}

/** The optional fields: the step position, the stable ReplicaSet and the current pod hash when known. */
function rolloutExtras(r: Rollout, total: number): Partial<RolloutView> {
  const s = r.status ?? {};
  const extras: Partial<RolloutView> = {};
  if (s.currentStepIndex !== undefined) extras.step = { index: s.currentStepIndex, total };
  if (s.stableRS) extras.stableRS = s.stableRS;
  if (s.currentPodHash) extras.currentPodHash = s.currentPodHash;
  return extras;
}

/**
 * The AnalysisRun views of a Rollout (see {@link analysisRunViews}): one list of the namespace's AnalysisRuns for a
 * Rollout that uses analysis, no request for one that does not.
 */
export async function readAnalysisRuns(gw: KubeGateway, r: Rollout): Promise<AnalysisRunView[]> {
  if (!usesAnalysis(r)) return [];
  return analysisRunViews((await gw.list('analysisruns', r.metadata.namespace)).items, r);
}

/**
 * Builds the status view of one Rollout, or undefined when it does not exist. Reads the Rollout, its ReplicaSets,
 * the Events whose involvedObject is the Rollout (most recent last, at most `maxEvents`) and, for a Rollout that
 * uses analysis, the AnalysisRuns of its namespace (the view keeps its current revision's runs).
 *
 * @example
 * const view = await describeRollout(gw, 'shop', 'reviews');
 */
export async function describeRollout(
  gw: KubeGateway,
  namespace: string,
  name: string,
  maxEvents = 10,
): Promise<RolloutView | undefined> {
  const r = (await gw.get('rollouts', namespace, name)) as Rollout | undefined;
  if (!r) return undefined;
  const [rsList, evList, analysisRuns] = await Promise.all([
    gw.list('replicasets', namespace),
    gw.list('events', namespace),
    readAnalysisRuns(gw, r),
  ]);
  const steps = r.spec?.strategy?.canary?.steps ?? [];
  const { phase, message } = displayPhase(r);
  return {
    namespace,
    name,
    phase,
    message,
    strategy: strategyOf(r),
    steps: stepViews(steps, r.status?.currentStepIndex),
    setWeight: setWeightOf(r),
    actualWeight: actualWeightOf(r),
    replicas: replicaCounts(r),
    replicaSets: replicaSetViews(rsList.items, r),
    conditions: (r.status?.conditions ?? []).map(({ type, status, reason, message: m }) => ({
      type,
      status,
      reason,
      message: m,
    })),
    events: recentEvents(evList.items, r.metadata.uid, maxEvents),
    analysisRuns,
    ...rolloutExtras(r, steps.length),
  };
}
