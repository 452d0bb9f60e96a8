/**
 * A read-only view of a Rollout for `sluice status` and the HTTP GET, shaped like `kubectl argo rollouts get rollout`.
 */
import type { CanaryStep, KubeObject, ReplicaSet, Rollout, RolloutCondition } from '../core/model/types.js';
import type { KubeGateway } from '../adapters/kube/gateway.js';
import { ANNOTATIONS, LABELS } from '../core/model/types.js';

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
  const observed = Number(s?.observedGeneration);
  if (
    s?.observedGeneration !== undefined &&
    /^\d+$/.test(s.observedGeneration) &&
    observed < (r.metadata.generation ?? 0)
  ) {
    return { phase: 'Progressing', message: 'waiting for rollout spec update to be observed' };
  }
  if (s?.controllerPause && !(s.pauseConditions?.length ?? 0))
    return { phase: 'Progressing', message: 'waiting for rollout to unpause' };
  return { phase: s?.phase ?? 'Progressing', message: s?.message ?? '' };
}

function images(template: unknown): string[] {
  const spec = (template as { spec?: { containers?: { image?: string }[] } } | undefined)?.spec;
  return (spec?.containers ?? []).map((c) => c.image ?? '').filter((i) => i !== '');
}

function replicaSetView(rs: ReplicaSet, r: Rollout): ReplicaSetView {
  const hash = rs.metadata.labels?.[LABELS.podTemplateHash];
  const tags: ReplicaSetView['tags'] = [];
  if (hash && hash === r.status?.stableRS) tags.push('stable');
  if (hash && hash === r.status?.currentPodHash && hash !== r.status?.stableRS) tags.push('canary');
  const view: ReplicaSetView = {
    name: rs.metadata.name,
    replicas: rs.spec.replicas ?? 0,
    ready: rs.status?.readyReplicas ?? 0,
    available: rs.status?.availableReplicas ?? 0,
    tags,
    images: images(rs.spec.template),
  };
  if (hash) view.hash = hash;
  const rev = Number(rs.metadata.annotations?.[ANNOTATIONS.revision]);
  if (Number.isFinite(rev) && rev > 0) view.revision = rev;
  const deadline = rs.metadata.annotations?.[ANNOTATIONS.scaleDownDeadline];
  if (deadline) view.scaleDownDeadline = deadline;
  return view;
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

/**
 * Builds the status view of one Rollout, or undefined when it does not exist. Reads the Rollout, its ReplicaSets and
 * the Events whose involvedObject is the Rollout (most recent last, at most `maxEvents`).
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
  const [rsList, evList] = await Promise.all([
    gw.list('replicasets', namespace),
    gw.list('events', namespace),
  ]);
  const uid = r.metadata.uid;
  const owned = (rsList.items as ReplicaSet[]).filter((rs) =>
    (rs.metadata.ownerReferences ?? []).some((o) => o.uid === uid),
  );
  const events = evList.items
    .filter(
      (e) =>
        (e as { involvedObject?: { uid?: string; kind?: string; name?: string } }).involvedObject?.uid ===
        uid,
    )
    .map(eventView)
    .sort((a, b) => (a.lastTimestamp ?? '').localeCompare(b.lastTimestamp ?? ''))
    .slice(-maxEvents);
  const steps = r.spec?.strategy?.canary?.steps ?? [];
  const s = r.status ?? {};
  const index = s.currentStepIndex;
  const { phase, message } = displayPhase(r);
  const view: RolloutView = {
    namespace,
    name,
    phase,
    message,
    strategy: r.spec?.strategy?.canary ? 'Canary' : r.spec?.strategy?.blueGreen ? 'BlueGreen' : 'Unknown',
    steps: steps.map((st, i) => ({
      index: i,
      text: stepText(st),
      current: i === index,
      done: index !== undefined && i < index,
    })),
    setWeight: setWeightOf(r),
    actualWeight:
      index !== undefined && index >= steps.length && !s.abort
        ? 100
        : (s.canary?.weights?.canary.weight ?? 0),
    replicas: {
      desired: r.spec?.replicas ?? 1,
      current: s.replicas ?? 0,
      updated: s.updatedReplicas ?? 0,
      ready: s.readyReplicas ?? 0,
      available: s.availableReplicas ?? 0,
    },
    replicaSets: owned
      .map((rs) => replicaSetView(rs, r))
      .sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0)),
    conditions: (s.conditions ?? []).map(({ type, status, reason, message: m }) => ({
      type,
      status,
      reason,
      message: m,
    })),
    events,
  };
  if (index !== undefined) view.step = { index, total: steps.length };
  if (s.stableRS) view.stableRS = s.stableRS;
  if (s.currentPodHash) view.currentPodHash = s.currentPodHash;
  return view;
}

const pad = (label: string): string => label.padEnd(16);

/** Renders a view as plain text, laid out like `kubectl argo rollouts get rollout` (no colours). */
export function formatStatus(v: RolloutView): string {
  const lines = [
    `${pad('Name:')}${v.name}`,
    `${pad('Namespace:')}${v.namespace}`,
    `${pad('Status:')}${v.phase}`,
  ];
  if (v.message) lines.push(`${pad('Message:')}${v.message}`);
  lines.push(`${pad('Strategy:')}${v.strategy}`);
  if (v.step) lines.push(`${pad('  Step:')}${v.step.index}/${v.step.total}`);
  lines.push(`${pad('  SetWeight:')}${v.setWeight}`, `${pad('  ActualWeight:')}${v.actualWeight}`);
  const imgs = v.replicaSets.flatMap((rs) =>
    rs.images.map((i) => `${i}${rs.tags.length ? ` (${rs.tags.join(', ')})` : ''}`),
  );
  if (imgs.length) lines.push(`${pad('Images:')}${imgs.join(`\n${pad('')}`)}`);
  const r = v.replicas;
  lines.push(
    'Replicas:',
    `${pad('  Desired:')}${r.desired}`,
    `${pad('  Current:')}${r.current}`,
    `${pad('  Updated:')}${r.updated}`,
    `${pad('  Ready:')}${r.ready}`,
    `${pad('  Available:')}${r.available}`,
  );
  if (v.steps.length) {
    lines.push('', 'STEPS');
    for (const st of v.steps)
      lines.push(`  ${st.current ? '>' : st.done ? '✔' : ' '} ${st.index}: ${st.text}`);
  }
  lines.push(
    '',
    `${'NAME'.padEnd(40)} ${'REVISION'.padEnd(9)} ${'DESIRED'.padEnd(8)} ${'READY'.padEnd(6)} ${'AVAILABLE'.padEnd(10)} INFO`,
  );
  for (const rs of v.replicaSets) {
    const info = [...rs.tags, rs.scaleDownDeadline ? `delay: ${rs.scaleDownDeadline}` : '']
      .filter(Boolean)
      .join(',');
    lines.push(
      `${rs.name.padEnd(40)} ${`rev:${rs.revision ?? '?'}`.padEnd(9)} ${String(rs.replicas).padEnd(8)} ${String(rs.ready).padEnd(6)} ${String(rs.available).padEnd(10)} ${info}`,
    );
  }
  if (v.conditions.length) {
    lines.push('', 'CONDITIONS');
    for (const c of v.conditions)
      lines.push(`  ${c.type}=${c.status} ${c.reason}${c.message ? `: ${c.message}` : ''}`);
  }
  if (v.events.length) {
    lines.push('', 'EVENTS');
    for (const e of v.events) lines.push(`  ${e.lastTimestamp ?? ''} ${e.type} ${e.reason}: ${e.message}`);
  }
  return lines.join('\n');
}
