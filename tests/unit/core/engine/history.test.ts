/** Revision history: which old ReplicaSets Argo Rollouts would delete, and the Rollout's revision annotation. */
import { describe, expect, it } from '@jest/globals';
import type { ReplicaSet, Rollout } from '../../../../shared/core/model/types.js';
import {
  historyDeletes,
  historyToDelete,
  planHistory,
  revisionAnnotationEffects,
  revisionAnnotationWrite,
} from '../../../../shared/core/engine/history.js';
import type { Observed } from '../../../../shared/core/engine/types.js';

const NS = 'shop';

function rollout(limit?: number, extra: Partial<Rollout['spec']> = {}): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'demo', namespace: NS, uid: 'ro-uid', resourceVersion: '7' },
    spec: { ...(limit === undefined ? {} : { revisionHistoryLimit: limit }), ...extra },
    status: { stableRS: 'h6', currentPodHash: 'h6' },
  };
}

/** ReplicaSet of revision `rev` (hash `h<rev>`), created `rev` seconds after T0 unless `created` says otherwise. */
function rs(rev: number, o: { replicas?: number; running?: number; created?: number; name?: string } = {}) {
  const generation = 2;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: o.name ?? `demo-h${rev}`,
      namespace: NS,
      uid: `uid-${rev}`,
      resourceVersion: String(100 + rev),
      generation,
      creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, o.created ?? rev)).toISOString(),
      labels: { 'rollouts-pod-template-hash': `h${rev}` },
      annotations: { 'rollout.argoproj.io/revision': String(rev) },
    },
    spec: { replicas: o.replicas ?? 0 },
    status: { replicas: o.running ?? 0, observedGeneration: generation },
  } as ReplicaSet;
}

const six = (): ReplicaSet[] => [1, 2, 3, 4, 5, 6].map((n) => rs(n));
const names = (list: ReplicaSet[]): string[] => list.map((r) => r.metadata.name);

describe('historyToDelete (Argo reconcileRevisionHistoryLimit)', () => {
  it.each<{
    case: string;
    limit?: number;
    sets: () => ReplicaSet[];
    newHash?: string;
    stableHash?: string;
    want: string[];
  }>([
    {
      case: 'six revisions, limit 2: the three oldest of five old ones',
      limit: 2,
      sets: six,
      want: ['demo-h1', 'demo-h2', 'demo-h3'],
    },
    { case: 'unset limit (10): nothing with five old ones', sets: six, want: [] },
    {
      case: 'unset limit (10): the oldest of eleven old ones',
      sets: () => Array.from({ length: 12 }, (_, i) => rs(i + 1)),
      newHash: 'h12',
      want: ['demo-h1'],
    },
    {
      case: 'limit 0: every old one',
      limit: 0,
      sets: six,
      want: ['demo-h1', 'demo-h2', 'demo-h3', 'demo-h4', 'demo-h5'],
    },
    { case: 'exactly at the limit: nothing', limit: 5, sets: six, want: [] },
    {
      case: 'an old one still having pods keeps its place (the next older one is not deleted instead)',
      limit: 2,
      sets: () => six().map((r) => (r.metadata.name === 'demo-h2' ? rs(2, { replicas: 1, running: 1 }) : r)),
      want: ['demo-h1', 'demo-h3'],
    },
    {
      case: 'scaled to 0 but pods still terminating (status.replicas 1): kept',
      limit: 2,
      sets: () => six().map((r) => (r.metadata.name === 'demo-h1' ? rs(1, { running: 1 }) : r)),
      want: ['demo-h2', 'demo-h3'],
    },
    {
      case: 'a ReplicaSet being deleted is neither counted nor deleted',
      limit: 2,
      sets: () =>
        six().map((r) =>
          r.metadata.name === 'demo-h1'
            ? { ...r, metadata: { ...r.metadata, deletionTimestamp: '2026-01-01T00:01:00Z' } }
            : r,
        ),
      want: ['demo-h2', 'demo-h3'],
    },
    {
      case: 'a spec not observed yet (generation > observedGeneration): kept',
      limit: 2,
      sets: () =>
        six().map((r) =>
          r.metadata.name === 'demo-h1' ? { ...r, status: { replicas: 0, observedGeneration: 1 } } : r,
        ),
      want: ['demo-h2', 'demo-h3'],
    },
    {
      case: 'ordered by creation time, not revision',
      limit: 2,
      sets: () => [rs(1, { created: 50 }), rs(2), rs(3), rs(4), rs(5), rs(6)],
      want: ['demo-h2', 'demo-h3', 'demo-h4'],
    },
    {
      case: 'the same creation second: by name (revision 2, named demo-aa, before revision 1, named demo-zz)',
      limit: 4,
      sets: () => [
        rs(1, { created: 1, name: 'demo-zz' }),
        rs(2, { created: 1, name: 'demo-aa' }),
        ...six().slice(2),
      ],
      want: ['demo-aa'],
    },
    {
      case: 'mid-update: the stable (h5) and the canary (h6) are never deleted, even with limit 0',
      limit: 0,
      sets: six,
      stableHash: 'h5',
      want: ['demo-h1', 'demo-h2', 'demo-h3', 'demo-h4'],
    },
    {
      case: 'mid-update: a stable ReplicaSet older than the ones deleted is kept',
      limit: 1,
      sets: six,
      stableHash: 'h1',
      want: ['demo-h2', 'demo-h3', 'demo-h4'],
    },
  ])('$case', ({ limit, sets, newHash, stableHash, want }) => {
    const newH = newHash ?? 'h6';
    expect(names(historyToDelete(rollout(limit), sets(), newH, stableHash ?? newH))).toEqual(want);
  });
});

describe('historyDeletes', () => {
  it('guards each delete by the uid and resourceVersion as read', () => {
    expect(historyDeletes(rollout(4), six(), 'h6', 'h6')).toEqual([
      {
        op: 'delete',
        target: { resource: 'replicasets', namespace: NS, name: 'demo-h1' },
        preconditions: { uid: 'uid-1', resourceVersion: '101' },
        reason: 'delete old ReplicaSet demo-h1 (revision 1): beyond revisionHistoryLimit 4',
      },
    ]);
  });
});

describe('planHistory', () => {
  const observed = (r: Rollout): Observed => ({
    rollout: r,
    replicaSets: six(),
    services: {},
    virtualServices: [],
    now: new Date('2026-01-01T00:10:00Z'),
  });
  it.each<{ case: string; r: () => Rollout; want: number }>([
    { case: 'a running Rollout cleans up', r: () => rollout(2), want: 3 },
    { case: 'spec.paused: none (Argo only syncs replicas)', r: () => rollout(2, { paused: true }), want: 0 },
    {
      case: 'paused by an Inconclusive AnalysisRun: none',
      r: () => ({
        ...rollout(2),
        status: {
          stableRS: 'h6',
          currentPodHash: 'h6',
          pauseConditions: [{ reason: 'InconclusiveAnalysisRun', startTime: '2026-01-01T00:00:00Z' }],
        },
      }),
      want: 0,
    },
  ])('$case', ({ r, want }) => {
    expect(planHistory(observed(r()), 'h6', 'h6')).toHaveLength(want);
  });
});

describe('revisionAnnotationWrite (Argo SetRolloutRevision)', () => {
  const withAnnotation = (v?: string): Rollout => {
    const r = rollout();
    if (v !== undefined) r.metadata.annotations = { 'rollout.argoproj.io/revision': v, keep: 'me' };
    return r;
  };
  it.each<{ case: string; r: () => Rollout; revision: number; patch?: unknown[] }>([
    {
      case: 'no annotations yet: adds them',
      r: () => withAnnotation(),
      revision: 1,
      patch: [
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        { op: 'add', path: '/metadata/annotations', value: { 'rollout.argoproj.io/revision': '1' } },
      ],
    },
    {
      case: 'another revision: replaces only that annotation',
      r: () => withAnnotation('2'),
      revision: 3,
      patch: [
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        { op: 'replace', path: '/metadata/annotations/rollout.argoproj.io~1revision', value: '3' },
      ],
    },
    { case: 'the same revision: no write', r: () => withAnnotation('3'), revision: 3 },
    { case: 'no current ReplicaSet (revision 0): no write', r: () => withAnnotation(), revision: 0 },
  ])('$case', ({ r, revision, patch }) => {
    const w = revisionAnnotationWrite(r(), revision);
    if (patch === undefined) expect(w).toBeUndefined();
    else
      expect(w).toMatchObject({
        op: 'patch',
        target: { resource: 'rollouts', namespace: NS, name: 'demo' },
        patch,
      });
  });
});

describe('revisionAnnotationEffects', () => {
  it('none before the first status commit (the watch would take the write for a new Rollout), one after', () => {
    const fresh = { ...rollout(), status: undefined };
    expect(revisionAnnotationEffects(fresh, 1)).toEqual([]);
    expect(revisionAnnotationEffects(rollout(), 1)).toHaveLength(1);
  });
});
