/** applyPlan with revision-history deletes and the Rollout's own annotation write (MemoryGateway). */
import { describe, expect, it } from '@jest/globals';
import { applyPlan } from '../../../shared/app/apply.js';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';
import type { ReplicaSet, Rollout, RolloutStatus } from '../../../shared/core/model/types.js';
import type { Observed, Write } from '../../../shared/core/engine/types.js';
import { revisionAnnotationWrite } from '../../../shared/core/engine/history.js';
import { MemoryGateway } from './memory-gateway.js';
import { NS, plan, rollout } from './fixtures.js';

function oldRs(hash: string, owner = 'uid-reviews'): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `reviews-${hash}`,
      namespace: NS,
      labels: { 'rollouts-pod-template-hash': hash },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'reviews',
          uid: owner,
          controller: true,
        },
      ],
    },
    spec: { replicas: 0 },
  };
}

function setup(owner?: string) {
  const gw = new MemoryGateway();
  const r = gw.put('rollouts', rollout({ stableRS: 'new', currentPodHash: 'new' })) as Rollout;
  const rs = gw.put('replicasets', oldRs('old', owner)) as ReplicaSet;
  const del: Write = {
    op: 'delete',
    target: { resource: 'replicasets', namespace: NS, name: rs.metadata.name },
    preconditions: { uid: rs.metadata.uid ?? '', resourceVersion: rs.metadata.resourceVersion ?? '' },
    reason: 'delete old ReplicaSet',
  };
  const observed: Observed = {
    rollout: r,
    replicaSets: [rs],
    services: {},
    virtualServices: [],
    now: new Date(),
  };
  return { gw, r, rs, del, observed };
}

const status: RolloutStatus = { stableRS: 'new', currentPodHash: 'new', phase: 'Healthy' };

describe('applyPlan: deletes', () => {
  it('deletes with the uid and resourceVersion as preconditions, then commits', async () => {
    const { gw, r, rs, del, observed } = setup();
    const result = await applyPlan(gw, r, plan({ effects: [del], status }), { observed });
    expect(result).toMatchObject({ writes: 2, alreadyDone: 0, committed: true });
    expect(gw.read('replicasets', NS, rs.metadata.name)).toBeUndefined();
  });

  it('a ReplicaSet gone already (a concurrent pass deleted it) is done, not an error', async () => {
    const { gw, r, rs, del, observed } = setup();
    gw.objects.delete(`replicasets/${NS}/${rs.metadata.name}`);
    const result = await applyPlan(gw, r, plan({ effects: [del], status }), { observed });
    expect(result).toMatchObject({ writes: 1, alreadyDone: 1, committed: true });
  });

  it('a ReplicaSet changed since it was read is not deleted: 409, no commit', async () => {
    const { gw, r, rs, del, observed } = setup();
    gw.put('replicasets', { ...rs, spec: { replicas: 1 } });
    const err = await applyPlan(gw, r, plan({ effects: [del], status }), { observed }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).isConflict).toBe(true);
    expect(gw.read('replicasets', NS, rs.metadata.name)?.spec).toEqual({ replicas: 1 });
    expect(gw.read('rollouts', NS, 'reviews')?.status).toEqual(r.status);
  });

  it('refuses a delete of a ReplicaSet another Rollout owns before anything is sent', async () => {
    const { gw, r, del, observed } = setup('uid-other');
    await expect(applyPlan(gw, r, plan({ effects: [del], status }), { observed })).rejects.toThrow(
      `apply plan of rollout ${NS}/reviews failed: refused to delete replicasets ${NS}/reviews-old: it is not a ReplicaSet Rollout ${NS}/reviews owns (by ownerReference uid); nothing written`,
    );
    expect(gw.writes()).toEqual([]);
  });

  it('refuses a delete of the stable ReplicaSet', async () => {
    const { gw, r, del, observed } = setup();
    const stable = { ...r, status: { stableRS: 'old', currentPodHash: 'new' } };
    await expect(
      applyPlan(gw, stable, plan({ effects: [del] }), { observed: { ...observed, rollout: stable } }),
    ).rejects.toThrow('it is the stable or current ReplicaSet of Rollout shop/reviews');
    expect(gw.writes()).toEqual([]);
  });

  it('dry run: the delete is sent with dryRun and nothing is deleted', async () => {
    const { gw, r, rs, del, observed } = setup();
    await applyPlan(gw, r, plan({ effects: [del], status }), { observed, dryRun: true });
    expect(gw.writes().map((c) => [c.verb, c.dryRun])).toEqual([
      ['delete', true],
      ['patch', true],
    ]);
    expect(gw.read('replicasets', NS, rs.metadata.name)).toBeDefined();
  });
});

describe('applyPlan: the revision annotation', () => {
  it('commits the status guarded by the version the annotation write left (nothing else came in between)', async () => {
    const { gw, r } = setup();
    const annotation = revisionAnnotationWrite(r, 3);
    if (!annotation) throw new Error('expected an annotation write');
    const result = await applyPlan(gw, r, plan({ effects: [annotation], status }));
    expect(result.committed).toBe(true);
    const after = gw.read('rollouts', NS, 'reviews');
    expect(after?.metadata.annotations?.['rollout.argoproj.io/revision']).toBe('3');
    expect(after?.status).toEqual(status);
  });

  it('a Rollout changed by someone else before the annotation write: conflict, nothing written', async () => {
    const { gw, r } = setup();
    const annotation = revisionAnnotationWrite(r, 3);
    if (!annotation) throw new Error('expected an annotation write');
    gw.put('rollouts', { ...r, spec: { ...r.spec, paused: true } });
    const err = await applyPlan(gw, r, plan({ effects: [annotation], status })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(gw.read('rollouts', NS, 'reviews')?.metadata.annotations).toBeUndefined();
  });
});
