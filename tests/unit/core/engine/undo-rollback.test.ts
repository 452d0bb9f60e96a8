/**
 * `kubectl argo rollouts undo`: the previous ReplicaSet's stored template (with the API server's defaults) is
 * written back into spec.template. Its hash then differs from the ReplicaSet's label; the planner finds the
 * ReplicaSet by template, as Argo's `FindNewReplicaSet` does, and rolls back to it (no new ReplicaSet), and that
 * ReplicaSet becomes the newest revision (`syncReplicaSetRevision`).
 */
import { describe, expect, it } from '@jest/globals';
import { REVISION_HISTORY_ANNOTATION, reusedRevision } from '../../../../shared/core/engine/history.js';
import { plan, plannedEvents } from '../../../../shared/core/engine/plan.js';
import { rsRevision, templateHash } from '../../../../shared/core/engine/replicasets.js';
import { podTemplateHash } from '../../../../shared/core/model/hash.js';
import { withPodDefaults } from '../../../../shared/core/model/pod-template-equal.js';
import {
  ANNOTATIONS,
  LABELS,
  type JsonObject,
  type ReplicaSet,
} from '../../../../shared/core/model/types.js';
import { drive } from './support/drive.js';
import { World } from './support/fixtures.js';

function rs(name: string, annotations: Record<string, string>): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'shop', resourceVersion: '5', annotations },
    spec: {},
  };
}
const rev = (n: number, history?: string): Record<string, string> => ({
  [ANNOTATIONS.revision]: String(n),
  ...(history ? { [REVISION_HISTORY_ANNOTATION]: history } : {}),
});

describe('reusedRevision: the revision of a ReplicaSet found again', () => {
  it.each<[string, Record<string, string>, number[], number, Record<string, string> | undefined]>([
    ['an older revision becomes the newest', rev(1), [2], 3, rev(3, '1')],
    ['its earlier revisions are kept in revision-history', rev(3, '1'), [4, 2], 5, rev(5, '1,3')],
    ['without a revision it gets one, and no history', {}, [2], 3, rev(3)],
    ['already the newest: kept, nothing written', rev(3), [1, 2], 3, undefined],
    ['the only ReplicaSet: kept, nothing written', rev(1), [], 1, undefined],
  ])('%s', (_what, own, others, revision, written) => {
    const found = rs('demo-a', own);
    const all = [found, ...others.map((n, i) => rs(`demo-${i}`, rev(n)))];
    const out = reusedRevision(found, all);
    expect(out.revision).toBe(revision);
    if (!written) return expect(out.write).toBeUndefined();
    expect(out.write).toMatchObject({ op: 'patch', target: { resource: 'replicasets', name: 'demo-a' } });
    const patch = out.write?.op === 'patch' ? out.write.patch : [];
    expect(patch[0]).toEqual({ op: 'test', path: '/metadata/resourceVersion', value: '5' });
    const after: Record<string, string> = { ...own };
    for (const p of patch.slice(1))
      after[String(p.path).split('/').pop()!.replace('~1', '/')] = p.value as string;
    expect(after).toEqual(written);
  });
});

describe('undo: the previous template written back with the API server defaults', () => {
  function undone(): { w: World; rev1: string; rev2: string } {
    const w = new World('host');
    drive(w);
    const rev1 = w.rollout.status?.stableRS as string;
    w.updateImage('demo:2');
    drive(w);
    const rev2 = w.rollout.status?.currentPodHash as string;
    // The API server stores each ReplicaSet's template with its defaults; undo writes that template back.
    for (const r of w.replicaSets) r.spec.template = withPodDefaults(r.spec.template ?? {});
    const stored = w.replicaSets.find((r) => r.metadata.name === `demo-${rev1}`)?.spec.template as JsonObject;
    const t = structuredClone(stored) as { metadata: { labels: Record<string, string> } };
    delete t.metadata.labels[LABELS.podTemplateHash];
    w.rollout.spec.template = t as unknown as JsonObject;
    w.rollout.metadata.generation = (w.rollout.metadata.generation ?? 1) + 1;
    return { w, rev1, rev2 };
  }

  it('finds the first ReplicaSet by template although the hash differs', () => {
    const { w, rev1 } = undone();
    expect(podTemplateHash(w.rollout.spec.template!)).not.toBe(rev1);
    expect(templateHash(w.rollout, w.replicaSets)).toBe(rev1);
  });

  it('rolls back to it: no ReplicaSet created, revision 3, steps skipped, healthy', () => {
    const { w, rev1, rev2 } = undone();
    const p = plan(w.observed());
    expect(p.transition).toBe('fast-rollback');
    expect(p.effects.some((e) => e.op === 'create')).toBe(false);
    expect(plannedEvents(p).map((e) => e.reason)).toEqual(['RolloutUpdated', 'RolloutResumed', 'SkipSteps']);
    drive(w);
    expect(w.replicaSets.map((r) => r.metadata.name).sort()).toEqual([`demo-${rev1}`, `demo-${rev2}`].sort());
    const first = w.replicaSets.find((r) => r.metadata.name === `demo-${rev1}`);
    expect(rsRevision(first)).toBe(3);
    expect(first?.metadata.annotations?.[REVISION_HISTORY_ANNOTATION]).toBe('1');
    expect(w.rollout.metadata.annotations?.[ANNOTATIONS.revision]).toBe('3');
    expect(w.rollout.status).toMatchObject({ phase: 'Healthy', stableRS: rev1, currentPodHash: rev1 });
  });

  it('a template equal to no ReplicaSet still starts a new revision', () => {
    const { w, rev1, rev2 } = undone();
    const t = w.rollout.spec.template as { spec: { containers: Record<string, unknown>[] } };
    t.spec.containers[0]!['image'] = 'demo:3';
    const h = templateHash(w.rollout, w.replicaSets);
    expect([rev1, rev2]).not.toContain(h);
    expect(plan(w.observed()).transition).toBe('new-revision');
  });
});
