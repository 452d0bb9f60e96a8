/**
 * Revision history, as Argo Rollouts keeps it: old ReplicaSets beyond `spec.revisionHistoryLimit` are deleted
 * (`reconcileRevisionHistoryLimit` in Argo's `rollout/sync.go`), and the Rollout carries the revision of its current
 * ReplicaSet in its own `rollout.argoproj.io/revision` annotation (`SetRolloutRevision`).
 *
 * Pure module: no I/O.
 */
import type { ReplicaSet, Rollout } from '../model/types.js';
import { ANNOTATIONS } from '../model/types.js';
import { INCONCLUSIVE_PAUSE } from './analysis.js';
import { guardedPatch } from './json-diff.js';
import { rsHash, rsRevision } from './replicasets.js';
import type { Observed, Write } from './types.js';

/** `spec.revisionHistoryLimit` when unset (Argo Rollouts' default). */
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** `spec.revisionHistoryLimit`, or {@link DEFAULT_REVISION_HISTORY_LIMIT} when unset or not a whole number. */
export function revisionHistoryLimit(r: Rollout): number {
  const v = r.spec['revisionHistoryLimit'];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : DEFAULT_REVISION_HISTORY_LIMIT;
}

/** Oldest first: creation time, then name (Kubernetes' `ReplicaSetsByCreationTimestamp`, which Argo sorts by). */
function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** Fully scaled down and settled: no replicas wanted or running, and the latest spec observed. */
function scaledDown(rs: ReplicaSet): boolean {
  return (
    rs.spec.replicas === 0 &&
    (rs.status?.replicas ?? 0) === 0 &&
    (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0) &&
    rs.metadata['deletionTimestamp'] === undefined
  );
}

/**
 * The old ReplicaSets to delete for `spec.revisionHistoryLimit`, exactly as Argo Rollouts picks them: of the
 * Rollout's ReplicaSets other than the canary (`newHash`) and the stable one (`stableHash`) and not being deleted,
 * the `count - limit` oldest (by creation time, then name) are looked at, and each of them that is fully scaled
 * down (`spec.replicas` and `status.replicas` 0, its generation observed) is deleted. One still having pods keeps
 * its place: the next older one is not deleted in its stead. A limit of 0 deletes every scaled-down old one.
 *
 * @example
 * historyToDelete(rollout, replicaSets, 'h6', 'h6'); // with limit 2 and revisions 1..6 at 0: revisions 1..3
 */
export function historyToDelete(
  r: Rollout,
  replicaSets: ReplicaSet[],
  newHash: string,
  stableHash: string,
): ReplicaSet[] {
  const protectedHashes = new Set([newHash, stableHash].filter((h) => h !== ''));
  const alive = replicaSets.filter(
    (rs) => !protectedHashes.has(rsHash(rs)) && rs.metadata['deletionTimestamp'] === undefined,
  );
  const excess = alive.length - revisionHistoryLimit(r);
  if (excess <= 0) return [];
  return [...alive].sort(byCreation).slice(0, excess).filter(scaledDown);
}

/**
 * The delete writes for {@link historyToDelete}: each guarded by the ReplicaSet's uid and resourceVersion as read,
 * so one that changed meanwhile (scaled up, adopted, relabelled) is not deleted and the pass is planned again.
 */
export function historyDeletes(
  r: Rollout,
  replicaSets: ReplicaSet[],
  newHash: string,
  stableHash: string,
): Write[] {
  const limit = revisionHistoryLimit(r);
  return historyToDelete(r, replicaSets, newHash, stableHash).flatMap((rs): Write[] => {
    const { uid, resourceVersion, name, namespace } = rs.metadata;
    if (!uid || !resourceVersion) return [];
    return [
      {
        op: 'delete',
        target: { resource: 'replicasets', namespace, name },
        preconditions: { uid, resourceVersion },
        reason: `delete old ReplicaSet ${name} (revision ${rsRevision(rs)}): beyond revisionHistoryLimit ${limit}`,
      },
    ];
  });
}

/**
 * The history deletes of a regular pass. Argo Rollouts cleans up in its full canary reconcile only, so none while
 * the Rollout is paused by `spec.paused` or by an Inconclusive AnalysisRun (Argo then only syncs replicas).
 */
export function planHistory(observed: Observed, newHash: string, stableHash: string): Write[] {
  const r = observed.rollout;
  if (r.spec.paused === true) return [];
  if (r.status?.pauseConditions?.some((c) => c.reason === INCONCLUSIVE_PAUSE)) return [];
  return historyDeletes(r, observed.replicaSets, newHash, stableHash);
}

/**
 * The write that sets the Rollout's `rollout.argoproj.io/revision` annotation to `revision` (the revision of its
 * current ReplicaSet), as Argo Rollouts keeps it, and any `extra` annotations (the workload-generation of a
 * workloadRef); undefined when every one already has its value (a revision of 0 is not written). A JSON Patch of
 * those annotations alone, guarded by the resourceVersion as read.
 */
export function revisionAnnotationWrite(
  r: Rollout,
  revision: number,
  extra: Record<string, string> = {},
): Write | undefined {
  const values: Record<string, string> = { ...extra };
  if (revision > 0) values[ANNOTATIONS.revision] = String(revision);
  const current = r.metadata.annotations ?? {};
  const changed = Object.entries(values).filter(([k, v]) => current[k] !== v);
  if (changed.length === 0) return undefined;
  const before = { apiVersion: r.apiVersion, kind: r.kind, metadata: r.metadata };
  const after = {
    ...before,
    metadata: { ...r.metadata, annotations: { ...current, ...Object.fromEntries(changed) } },
  };
  const what = changed.map(([k, v]) => `${k}=${v}`).join(', ');
  return {
    op: 'patch',
    target: { resource: 'rollouts', namespace: r.metadata.namespace, name: r.metadata.name },
    patch: guardedPatch(before, after),
    reason: `set the annotations of rollout ${r.metadata.namespace}/${r.metadata.name}: ${what}`,
  };
}

/**
 * The revision annotation write of a pass ({@link revisionAnnotationWrite}), as a list of effects: none before the
 * Rollout's first status commit, since the watch takes a Rollout without status for a new one and sluice's own
 * write would wake it again; the pass after the first commit writes it.
 */
export function revisionAnnotationEffects(
  r: Rollout,
  revision: number,
  extra: Record<string, string> = {},
): Write[] {
  if (r.status === undefined) return [];
  const write = revisionAnnotationWrite(r, revision, extra);
  return write ? [write] : [];
}

/** `rollout.argoproj.io/revision-history`: the revisions a re-used ReplicaSet had before, comma-separated. */
export const REVISION_HISTORY_ANNOTATION = 'rollout.argoproj.io/revision-history';

/**
 * The revision of a ReplicaSet found again for the Rollout's template (a rollback), as Argo's
 * `syncReplicaSetRevision` sets it: one above the highest revision of the other ReplicaSets when its own is lower,
 * its old revision appended to `rollout.argoproj.io/revision-history`; with the write that sets both (a JSON Patch
 * of those annotations, guarded by the resourceVersion as read), or none when its revision is already the highest.
 *
 * @example
 * reusedRevision(rs1, [rs1, rs2]); // { revision: 3, write: <rs1's revision 1 → 3, revision-history "1"> }
 */
export function reusedRevision(rs: ReplicaSet, all: ReplicaSet[]): { revision: number; write?: Write } {
  const own = rsRevision(rs);
  const others = all.filter((o) => o.metadata.name !== rs.metadata.name);
  const revision = others.reduce((max, o) => Math.max(max, rsRevision(o)), 0) + 1;
  if (own >= revision) return { revision: own };
  const annotations = { ...(rs.metadata.annotations ?? {}) };
  const old = annotations[ANNOTATIONS.revision];
  annotations[ANNOTATIONS.revision] = String(revision);
  if (old !== undefined) {
    const history = annotations[REVISION_HISTORY_ANNOTATION];
    annotations[REVISION_HISTORY_ANNOTATION] = history ? `${history},${old}` : old;
  }
  const before = { apiVersion: rs.apiVersion, kind: rs.kind, metadata: rs.metadata };
  const after = { ...before, metadata: { ...rs.metadata, annotations } };
  return {
    revision,
    write: {
      op: 'patch',
      target: { resource: 'replicasets', namespace: rs.metadata.namespace, name: rs.metadata.name },
      patch: guardedPatch(before, after),
      reason: `set the revision of ReplicaSet ${rs.metadata.namespace}/${rs.metadata.name} from ${own} to ${revision}: it is the Rollout's again`,
    },
  };
}
