/**
 * ReplicaSets of one Rollout: building the canary ReplicaSet, finding ReplicaSets by pod-template hash, and the
 * scaling writes of one pass (desired counts, scale-down deadlines after promotion and abort).
 *
 * Pure module: no I/O; time is passed in.
 */
import type { JsonObject, ReplicaSet, Rollout } from '../model/types.js';
import { ANNOTATIONS, LABELS, rolloutOwnerReference } from '../model/types.js';
import { isFullyAvailable, replicaSetAvailable } from '../model/replicas.js';
import { legacyPodTemplateHash, podTemplateHash } from '../model/hash.js';
import { podTemplateEqualIgnoreHash } from '../model/pod-template-equal.js';
import { guardedPatch } from './json-diff.js';
import type { Write } from './types.js';
import * as ev from './events.js';

/** Default `scaleDownDelaySeconds` and `abortScaleDownDelaySeconds` (Argo Rollouts' defaults). */
export const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;

/** The `rollouts-pod-template-hash` label of a ReplicaSet ('' when absent). */
export function rsHash(rs: ReplicaSet): string {
  return rs.metadata.labels?.[LABELS.podTemplateHash] ?? '';
}

/** The ReplicaSet carrying `hash`, ignoring ones being deleted. */
export function findReplicaSetByHash(rss: ReplicaSet[], hash: string | undefined): ReplicaSet | undefined {
  if (!hash) return undefined;
  return rss.find((rs) => rsHash(rs) === hash && rs.metadata['deletionTimestamp'] === undefined);
}

/**
 * The pod-template hash of the Rollout's template, as Argo's `FindNewReplicaSet` resolves it: Argo's hash
 * ({@link podTemplateHash}, with `status.collisionCount`) when a ReplicaSet carries it; otherwise the hash sluice
 * computed before it computed Argo's ({@link legacyPodTemplateHash}), when a ReplicaSet created by such a version
 * carries it (that ReplicaSet then stays the template's ReplicaSet, as Argo keeps one found by its older hash:
 * upgrading sluice creates no ReplicaSet and starts no new revision); otherwise the hash label of the oldest
 * ReplicaSet whose stored template equals the Rollout's ({@link podTemplateEqualIgnoreHash}: the template
 * `kubectl argo rollouts undo` writes back, defaults included); otherwise Argo's hash, for a new ReplicaSet.
 */
export function templateHash(r: Rollout, rss: ReplicaSet[]): string {
  const template = r.spec.template ?? {};
  const hash = podTemplateHash(template, r.status?.collisionCount);
  if (findReplicaSetByHash(rss, hash)) return hash;
  const legacy = legacyPodTemplateHash(template, r.status?.collisionCount);
  if (findReplicaSetByHash(rss, legacy)) return legacy;
  const byTemplate = byCreation(rss).find(
    (rs) =>
      rs.metadata['deletionTimestamp'] === undefined &&
      rsHash(rs) !== '' &&
      podTemplateEqualIgnoreHash(rs.spec.template ?? {}, template),
  );
  return byTemplate ? rsHash(byTemplate) : hash;
}

/** Oldest first (creationTimestamp, then name), as Argo sorts the ReplicaSets it searches. */
function byCreation(rss: ReplicaSet[]): ReplicaSet[] {
  const created = (rs: ReplicaSet): string => String(rs.metadata['creationTimestamp'] ?? '');
  return [...rss].sort(
    (a, b) => created(a).localeCompare(created(b)) || a.metadata.name.localeCompare(b.metadata.name),
  );
}

/** The `rollout.argoproj.io/revision` annotation as a number (0 when absent or not a number). */
export function rsRevision(rs: ReplicaSet | undefined): number {
  const n = Number(rs?.metadata.annotations?.[ANNOTATIONS.revision]);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** The revision of a new ReplicaSet: one more than the highest existing revision. */
export function nextRevision(rss: ReplicaSet[]): number {
  return rss.reduce((max, rs) => Math.max(max, rsRevision(rs)), 0) + 1;
}

/** `spec.replicas` of a Rollout (Kubernetes default 1). */
export function rolloutReplicas(r: Rollout): number {
  return r.spec.replicas ?? 1;
}

function withHashLabel(labels: unknown, hash: string): Record<string, string> {
  return { ...((labels as Record<string, string> | undefined) ?? {}), [LABELS.podTemplateHash]: hash };
}

/**
 * The ReplicaSet object to create for pod-template `hash`: name `<rollout>-<hash>`, the hash label on its labels,
 * selector and pod template, annotations revision and desired-replicas, and a controller ownerReference to the
 * Rollout (so the Kubernetes garbage collector removes it with the Rollout).
 */
export function buildReplicaSet(r: Rollout, hash: string, revision: number, replicas: number): ReplicaSet {
  const template = structuredClone(r.spec.template ?? {}) as JsonObject;
  const tmeta = (template['metadata'] ?? {}) as JsonObject;
  const labels = withHashLabel(tmeta['labels'], hash);
  template['metadata'] = { ...tmeta, labels };
  const matchLabels = withHashLabel(r.spec.selector?.matchLabels, hash);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${r.metadata.name}-${hash}`,
      namespace: r.metadata.namespace,
      labels,
      annotations: {
        [ANNOTATIONS.revision]: String(revision),
        [ANNOTATIONS.desiredReplicas]: String(rolloutReplicas(r)),
      },
      ownerReferences: [rolloutOwnerReference(r)],
    },
    spec: {
      replicas,
      selector: { ...(r.spec.selector ?? {}), matchLabels },
      template,
    },
  };
}

/** What {@link planScaling} needs for one pass. */
export interface ScalingInput {
  rollout: Rollout;
  replicaSets: ReplicaSet[];
  /** Hash of the desired (canary) ReplicaSet. */
  newHash: string;
  /** Hash of the stable ReplicaSet ('' when none). */
  stableHash: string;
  desiredCanary: number;
  desiredStable: number;
  aborted: boolean;
  /** Hashes still referenced by status, Services or DestinationRule subsets: never scaled down. */
  referenced: Set<string>;
  now: Date;
}

/** Scaling writes (each carrying its `ScalingReplicaSet` Event), and when to run again for a pending deadline. */
export interface ScalingPlan {
  writes: Write[];
  requeueAfterSeconds?: number;
}

function deadlineOf(rs: ReplicaSet): number | undefined {
  const v = rs.metadata.annotations?.[ANNOTATIONS.scaleDownDeadline];
  const t = v === undefined ? NaN : Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** RFC 3339 without fractional seconds, as Kubernetes writes times. */
export function rfc3339(t: Date | number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

type Desired = { replicas: number; deadline?: string | null };

function scaleWrite(r: Rollout, rs: ReplicaSet, want: Desired): Write | undefined {
  const after = structuredClone(rs);
  const from = rs.spec.replicas ?? 0;
  after.spec.replicas = want.replicas;
  const annotations = { ...(after.metadata.annotations ?? {}) };
  annotations[ANNOTATIONS.desiredReplicas] = String(rolloutReplicas(r));
  if (want.deadline === null) delete annotations[ANNOTATIONS.scaleDownDeadline];
  else if (want.deadline !== undefined) annotations[ANNOTATIONS.scaleDownDeadline] = want.deadline;
  after.metadata.annotations = annotations;
  const patch = guardedPatch(rs, after);
  if (patch.length === 0) return undefined;
  const name = rs.metadata.name;
  const write: Write = {
    op: 'patch',
    target: { resource: 'replicasets', namespace: rs.metadata.namespace, name },
    patch,
    reason:
      want.replicas === from
        ? `set scale-down deadline of ReplicaSet ${name} to ${want.deadline ?? 'none'}`
        : `scale ReplicaSet ${name} from ${from} to ${want.replicas}`,
  };
  if (want.replicas === from) return write;
  return { ...write, events: [ev.scaled(name, rsRevision(rs), from, want.replicas)] };
}

/** Keeps an RS until a deadline, then 0. `delay` undefined = keep forever. */
function scaleDownLater(
  rs: ReplicaSet,
  now: Date,
  delay: number | undefined,
  annotateNow: boolean,
): Desired & {
  wait?: number;
} {
  const current = rs.spec.replicas ?? 0;
  if (current === 0 || delay === undefined) return { replicas: current };
  const deadline = deadlineOf(rs);
  if (deadline === undefined) {
    if (!annotateNow) return { replicas: current };
    if (delay === 0) return { replicas: 0 };
    return { replicas: current, deadline: rfc3339(now.getTime() + delay * 1000), wait: delay };
  }
  if (now.getTime() >= deadline) return { replicas: 0 };
  return { replicas: current, wait: Math.ceil((deadline - now.getTime()) / 1000) };
}

/**
 * Abort: keep the canary until the stable RS is fully available, then for abortScaleDownDelaySeconds
 * (`shouldDelayScaleDownOnAbort` in rollout/replicaset.go). With dynamicStableScale and no explicit delay, or an
 * explicit 0, the canary is drained progressively instead: scaled to `desiredCanary` as traffic leaves it. With
 * dynamicStableScale the stable is ready once it has `spec.replicas` available pods (its own size follows the weight).
 */
function abortedCanary(input: ScalingInput, rs: ReplicaSet): Desired & { wait?: number } {
  const canary = input.rollout.spec.strategy?.canary;
  const explicit = canary?.abortScaleDownDelaySeconds;
  const dynamic = canary?.dynamicStableScale === true;
  if (dynamic && (explicit === undefined || explicit === 0)) return { replicas: input.desiredCanary };
  const delay = explicit ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS;
  const stable = findReplicaSetByHash(input.replicaSets, input.stableHash);
  const stableReady =
    stable !== undefined &&
    (dynamic ? replicaSetAvailable(stable) >= rolloutReplicas(input.rollout) : isFullyAvailable(stable));
  return scaleDownLater(rs, input.now, delay === 0 ? undefined : delay, stableReady);
}

function desiredFor(input: ScalingInput, rs: ReplicaSet, overLimit: boolean): Desired & { wait?: number } {
  const hash = rsHash(rs);
  const keep = rs.metadata.annotations?.[ANNOTATIONS.scaleDownDeadline] !== undefined ? null : undefined;
  if (hash === input.newHash && input.aborted && input.newHash !== input.stableHash)
    return abortedCanary(input, rs);
  if (hash === input.newHash) return { replicas: input.desiredCanary, deadline: keep };
  if (hash === input.stableHash) return { replicas: input.desiredStable, deadline: keep };
  if (input.referenced.has(hash)) return { replicas: rs.spec.replicas ?? 0 };
  if (overLimit) return { replicas: 0 };
  return desiredOld(input, rs);
}

/** An old ReplicaSet (neither canary, stable nor referenced) within the revision limit. */
function desiredOld(input: ScalingInput, rs: ReplicaSet): Desired & { wait?: number } {
  const canary = input.rollout.spec.strategy?.canary;
  const promoted = input.newHash === input.stableHash;
  // `scaleDownOldReplicaSetsForCanary` (rollout/canary.go): mid-update, an old ReplicaSet without a deadline is a
  // superseded canary no traffic goes to, scaled down at once; after promotion dynamicStableScale drops it at once.
  if (!promoted && deadlineOf(rs) === undefined) return { replicas: 0 };
  if (promoted && canary?.dynamicStableScale === true) return { replicas: 0 };
  const delay = canary?.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS;
  return scaleDownLater(rs, input.now, delay, true);
}

/**
 * `shouldDelayScaleDownOnAbort` (rollout/replicaset.go): while aborted with an abort scale-down delay (set, or the
 * default without dynamicStableScale), a ReplicaSet scaled to 0 keeps its `scale-down-deadline`; otherwise a full
 * scale-down removes it (`scaleReplicaSet` in rollout/sync.go).
 */
function keepsDeadlineAtZero(input: ScalingInput): boolean {
  if (!input.aborted || !input.stableHash) return false;
  const canary = input.rollout.spec.strategy?.canary;
  const delay = canary?.abortScaleDownDelaySeconds;
  if (delay === 0) return false;
  return !(canary?.dynamicStableScale === true && delay === undefined);
}

/**
 * Old ReplicaSets beyond `scaleDownDelayRevisionLimit` (unset = no limit), as Argo Rollouts counts them: scaled-up
 * old ReplicaSets that are neither the canary, the stable nor still referenced, newest revision first; each one
 * with (or about to get) a scale-down deadline counts, and those past the limit go to 0 at once.
 */
function beyondRevisionLimit(input: ScalingInput): Set<ReplicaSet> {
  const limit = input.rollout.spec.strategy?.canary?.scaleDownDelayRevisionLimit;
  const out = new Set<ReplicaSet>();
  if (typeof limit !== 'number' || !Number.isFinite(limit)) return out;
  const old = input.replicaSets
    .filter((rs) => {
      const hash = rsHash(rs);
      return (
        rs.metadata['deletionTimestamp'] === undefined &&
        (rs.spec.replicas ?? 0) > 0 &&
        hash !== input.newHash &&
        hash !== input.stableHash &&
        !input.referenced.has(hash)
      );
    })
    .sort((a, b) => rsRevision(b) - rsRevision(a));
  let kept = 0;
  for (const rs of old) {
    if (kept < limit) kept++;
    else out.add(rs);
  }
  return out;
}

/**
 * The scaling writes of one pass: the canary RS to `desiredCanary`, the stable RS to `desiredStable`, and every
 * other RS annotated with `scale-down-deadline` (now + `scaleDownDelaySeconds`, default 30) and scaled to 0 once
 * the deadline passed — unless its hash is still referenced; beyond `scaleDownDelayRevisionLimit` old ReplicaSets
 * (newest kept first) the rest go to 0 at once. After an abort the canary RS keeps its pods until the
 * stable RS is fully available plus `abortScaleDownDelaySeconds` (default 30; 0 = never scaled down); with
 * `dynamicStableScale` and no explicit delay (or 0) it follows `desiredCanary` down as traffic leaves it.
 */
export function planScaling(input: ScalingInput): ScalingPlan {
  const out: ScalingPlan = { writes: [] };
  const waits: number[] = [];
  const overLimit = beyondRevisionLimit(input);
  for (const rs of input.replicaSets) {
    if (rs.metadata['deletionTimestamp'] !== undefined) continue;
    const want = desiredFor(input, rs, overLimit.has(rs));
    if (want.replicas === 0 && (rs.spec.replicas ?? 0) > 0 && !keepsDeadlineAtZero(input))
      want.deadline = null;
    if (want.wait !== undefined) waits.push(want.wait);
    const write = scaleWrite(input.rollout, rs, want);
    if (write) out.writes.push(write);
  }
  if (waits.length > 0) out.requeueAfterSeconds = Math.max(1, Math.min(...waits));
  return out;
}
