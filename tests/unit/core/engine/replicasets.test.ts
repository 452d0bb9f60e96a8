/** ReplicaSet helpers: hash, lookup, revisions, replica count. (Scaling is covered by revision-limit and journeys.) */
import { describe, expect, it } from '@jest/globals';
import {
  findReplicaSetByHash,
  nextRevision,
  rolloutReplicas,
  rsHash,
  rsRevision,
} from '../../../../shared/core/engine/replicasets.js';
import { ANNOTATIONS, LABELS, type ReplicaSet } from '../../../../shared/core/model/types.js';
import { rollout } from './support/fixtures.js';

const rs = (name: string, o: { hash?: string; revision?: string; deleting?: boolean } = {}): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name,
    namespace: 'shop',
    ...(o.hash !== undefined ? { labels: { [LABELS.podTemplateHash]: o.hash } } : {}),
    ...(o.revision !== undefined ? { annotations: { [ANNOTATIONS.revision]: o.revision } } : {}),
    ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: { replicas: 1, selector: {}, template: {} },
});

describe('rsHash', () => {
  it.each([
    { r: rs('a', { hash: 'abc' }), want: 'abc' },
    { r: rs('a'), want: '' },
  ])('$want', ({ r, want }) => {
    expect(rsHash(r)).toBe(want);
  });
});

describe('findReplicaSetByHash', () => {
  const live = rs('live', { hash: 'h1' });
  const gone = rs('gone', { hash: 'h2', deleting: true });
  const list = [gone, live, rs('other', { hash: 'h3' })];
  it.each<{ case: string; hash: string | undefined; want: ReplicaSet | undefined }>([
    { case: 'found', hash: 'h1', want: live },
    { case: 'being deleted is ignored', hash: 'h2', want: undefined },
    { case: 'absent', hash: 'h9', want: undefined },
    { case: 'empty hash', hash: '', want: undefined },
    { case: 'undefined hash', hash: undefined, want: undefined },
  ])('$case', ({ hash, want }) => {
    expect(findReplicaSetByHash(list, hash)).toBe(want);
  });
});

describe('rsRevision and nextRevision', () => {
  it.each<{ revision: string | undefined; want: number }>([
    { revision: '3', want: 3 },
    { revision: undefined, want: 0 },
    { revision: 'x', want: 0 },
    { revision: '1.5', want: 0 },
    { revision: '-2', want: 0 },
    { revision: '0', want: 0 },
  ])('revision $revision → $want', ({ revision, want }) => {
    expect(rsRevision(rs('a', revision === undefined ? {} : { revision }))).toBe(want);
  });

  it('undefined ReplicaSet has revision 0', () => {
    expect(rsRevision(undefined)).toBe(0);
  });

  it.each<{ revisions: (string | undefined)[]; want: number }>([
    { revisions: [], want: 1 },
    { revisions: ['1'], want: 2 },
    { revisions: ['2', '7', 'x', undefined], want: 8 },
  ])('next after $revisions → $want', ({ revisions, want }) => {
    const list = revisions.map((r, i) => rs(`rs${i}`, r === undefined ? {} : { revision: r }));
    expect(nextRevision(list)).toBe(want);
  });
});

describe('rolloutReplicas', () => {
  it.each<{ replicas: number | undefined; want: number }>([
    { replicas: 4, want: 4 },
    { replicas: 0, want: 0 },
    { replicas: undefined, want: 1 },
  ])('$replicas → $want', ({ replicas, want }) => {
    const r = rollout('host');
    if (replicas === undefined) delete r.spec.replicas;
    else r.spec.replicas = replicas;
    expect(rolloutReplicas(r)).toBe(want);
  });
});
