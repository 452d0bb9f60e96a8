import { describe, expect, it } from '@jest/globals';
import { applyPlan, statusCommitPatch } from '../../../shared/app/apply.js';
import type { Rollout } from '../../../shared/core/model/types.js';
import type { KubeObject } from '../../../shared/core/model/types.js';
import { MemoryGateway } from './memory-gateway.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { NS, plan, rollout, vsPatch } from './fixtures.js';

const vs: KubeObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: NS },
  spec: {
    http: [
      {
        route: [
          { destination: { host: 'reviews-stable' }, weight: 100 },
          { destination: { host: 'reviews-canary' }, weight: 0 },
        ],
      },
    ],
  },
};
const rs: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: 'reviews-abc',
    namespace: NS,
    labels: { 'rollouts-pod-template-hash': 'abc' },
    ownerReferences: [
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'reviews',
        uid: 'uid-reviews',
        controller: true,
      },
    ],
  },
  spec: { replicas: 1 },
};

function setup(status = { currentStepIndex: 0 }): { gw: MemoryGateway; r: Rollout; vsRv: string } {
  const gw = new MemoryGateway();
  const vsRv = gw.put('virtualservices', vs).metadata.resourceVersion ?? '';
  const r = gw.put('rollouts', rollout(status)) as Rollout;
  return { gw, r, vsRv };
}

describe('applyPlan', () => {
  it('applies effects in order, then commits the status with one JSON Patch guarded by the resourceVersion', async () => {
    const { gw, r, vsRv } = setup();
    const result = await applyPlan(
      gw,
      r,
      plan({
        effects: [
          {
            op: 'create',
            target: { resource: 'replicasets', namespace: NS, name: rs.metadata.name },
            body: rs,
            reason: 'new RS',
          },
          vsPatch(20, vsRv),
        ],
        status: { currentStepIndex: 1 },
        transition: 'step-completed',
      }),
    );
    expect(result).toMatchObject({ writes: 3, committed: true, alreadyDone: 0 });
    expect(gw.writes().map((c) => `${c.verb} ${c.resource}${c.subresource ? '/status' : ''}`)).toEqual([
      'create replicasets',
      'patch virtualservices',
      'patch rollouts/status',
    ]);
    expect(gw.writes()[2]?.body).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: r.metadata.resourceVersion },
      { op: 'replace', path: '/status', value: { currentStepIndex: 1 } },
    ]);
    expect(gw.read('rollouts', NS, 'reviews')?.status).toEqual({ currentStepIndex: 1 });
  });

  it('uses add for the status when the Rollout has none yet', () => {
    expect(
      statusCommitPatch(
        { ...rollout(), metadata: { ...rollout().metadata, resourceVersion: '7' } },
        { currentStepIndex: 0 },
      )[1]?.op,
    ).toBe('add');
  });

  it('treats AlreadyExists on an identical ReplicaSet as done and goes on', async () => {
    const { gw, r } = setup();
    gw.put('replicasets', rs);
    const result = await applyPlan(
      gw,
      r,
      plan({
        effects: [
          {
            op: 'create',
            target: { resource: 'replicasets', namespace: NS, name: rs.metadata.name },
            body: rs,
            reason: 'new RS',
          },
        ],
        status: { currentStepIndex: 0, currentPodHash: 'abc' },
      }),
    );
    expect(result).toMatchObject({ writes: 1, alreadyDone: 1, committed: true });
  });

  it('throws on AlreadyExists when the existing ReplicaSet has another hash, and commits nothing', async () => {
    const { gw, r } = setup();
    gw.put('replicasets', {
      ...rs,
      metadata: { ...rs.metadata, labels: { 'rollouts-pod-template-hash': 'other' } },
    });
    await expect(
      applyPlan(
        gw,
        r,
        plan({
          effects: [
            {
              op: 'create',
              target: { resource: 'replicasets', namespace: NS, name: rs.metadata.name },
              body: rs,
              reason: 'new RS',
            },
          ],
          status: { currentStepIndex: 1 },
        }),
      ),
    ).rejects.toThrow(/409 AlreadyExists/);
    expect(gw.read('rollouts', NS, 'reviews')?.status).toEqual({ currentStepIndex: 0 });
  });

  it('stops at the first failed effect: later effects and the commit are not sent', async () => {
    const { gw, r } = setup();
    await expect(
      applyPlan(
        gw,
        r,
        plan({ effects: [vsPatch(20, 'stale'), vsPatch(30, 'stale')], status: { currentStepIndex: 1 } }),
      ),
    ).rejects.toMatchObject({ isConflict: true });
    expect(gw.writes()).toHaveLength(1);
  });

  it('sends every write with dryRun and persists nothing in dry-run mode', async () => {
    const { gw, r, vsRv } = setup();
    const before = JSON.stringify([...gw.objects]);
    const result = await applyPlan(
      gw,
      r,
      plan({
        effects: [vsPatch(20, vsRv)],
        status: { currentStepIndex: 1 },
        events: [{ type: 'Normal', reason: 'X', message: 'y' }],
      }),
      { dryRun: true },
    );
    expect(result.writes).toBe(2);
    expect(gw.writes().every((c) => c.dryRun)).toBe(true);
    expect(JSON.stringify([...gw.objects])).toBe(before);
  });

  it('makes no write for an empty plan', async () => {
    const { gw, r } = setup();
    expect(await applyPlan(gw, r, plan({}))).toMatchObject({ writes: 0, committed: false });
    expect(gw.writes()).toHaveLength(0);
  });

  it('records events after the commit, and an event failure is logged, not thrown', async () => {
    const { gw, r } = setup();
    gw.beforeWrite = (c) => {
      if (c.resource === 'events') throw new Error('events are forbidden');
    };
    const logged = recordingLogger();
    const result = await applyPlan(
      gw,
      r,
      plan({
        status: { currentStepIndex: 1 },
        events: [
          {
            type: 'Normal',
            reason: 'RolloutStepCompleted',
            message: 'Rollout step 1/3 completed (setWeight: 20)',
          },
        ],
      }),
      { log: logged.log },
    );
    expect(result.committed).toBe(true);
    expect(result.eventFailures).toEqual([expect.stringMatching(/forbidden/)]);
    expect(logged.messages).toContain('event not recorded');
    expect(logged.entries.find((e) => e.msg === 'event not recorded')?.level).toBe('warn');
  });
});

describe('applyPlan: the last tenancy check', () => {
  const observedOf = (r: Rollout) => ({
    rollout: r,
    replicaSets: [],
    services: {},
    virtualServices: [{ key: { namespace: NS, name: 'reviews' }, index: 0, object: vs }],
    now: new Date(),
  });
  it.each([
    [
      'a VirtualService it does not reference',
      { resource: 'virtualservices' as const, namespace: 'team-b', name: 'web' },
    ],
    [
      'a Service that is not its canary/stable',
      { resource: 'services' as const, namespace: NS, name: 'payments' },
    ],
    [
      'a ReplicaSet in another namespace',
      { resource: 'replicasets' as const, namespace: 'kube-system', name: 'x' },
    ],
  ])('a plan that would write %s is refused before its first write', async (_name, target) => {
    const { gw, r } = setup();
    const foreign = { ...vsPatch(20), target };
    await expect(
      applyPlan(gw, r, plan({ effects: [vsPatch(20), foreign], status: { currentStepIndex: 1 } }), {
        observed: observedOf(r),
      }),
    ).rejects.toThrow(
      `apply plan of rollout ${NS}/reviews failed: refused to write ${target.resource} ${target.namespace}/${target.name}: it is not Rollout ${NS}/reviews's to change; nothing written`,
    );
    expect(gw.writes()).toEqual([]);
  });

  it('the same plan with only its own writes goes through', async () => {
    const { gw, r } = setup();
    const result = await applyPlan(gw, r, plan({ effects: [vsPatch(20)], status: { currentStepIndex: 1 } }), {
      observed: observedOf(r),
    });
    expect(result.writes).toBe(2);
  });
});
