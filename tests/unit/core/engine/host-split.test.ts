import { describe, expect, it } from '@jest/globals';
import { plan } from '../../../../shared/core/engine/plan.js';
import { LABELS } from '../../../../shared/core/model/types.js';
import { NS, World, weightsOf } from './support/fixtures.js';
import { drive, messages } from './support/drive.js';

const hashOf = (w: World, svc: string) => w.services[svc]?.spec?.selector?.[LABELS.podTemplateHash];
const statusOf = (w: World) => w.rollout.status ?? {};

describe('host-level split (canary + stable Services + VirtualService)', () => {
  it('initial deploy creates the ReplicaSet, makes it stable and sets weight 0 once available', () => {
    const w = new World('host');
    const first = plan(w.observed());
    expect(first.transition).toBe('initialized');
    expect(first.effects).toHaveLength(1);
    expect(first.effects[0]).toMatchObject({
      op: 'create',
      target: { resource: 'replicasets', namespace: NS },
    });
    expect(first.status?.stableRS).toBe(first.status?.currentPodHash);
    expect(first.status?.currentStepIndex).toBe(4);
    w.apply(first);
    w.settle();
    // The next pass sets the Rollout's revision annotation (after the first status commit, never before it).
    expect(plan(w.observed()).effects).toContainEqual(
      expect.objectContaining({
        op: 'patch',
        target: { resource: 'rollouts', namespace: NS, name: 'demo' },
        patch: [
          expect.objectContaining({ op: 'test', path: '/metadata/resourceVersion' }),
          { op: 'add', path: '/metadata/annotations', value: { 'rollout.argoproj.io/revision': '1' } },
        ],
      }),
    );
    const d = drive(w);
    const s = w.rollout.status;
    expect(s?.phase).toBe('Healthy');
    expect(hashOf(w, 'demo-stable')).toBe(s?.stableRS);
    expect(hashOf(w, 'demo-canary')).toBe(s?.stableRS);
    expect(weightsOf(w.vs())).toEqual({ 'demo-stable': 100, 'demo-canary': 0 });
    expect(s?.canary?.weights).toEqual({
      canary: { weight: 0, podTemplateHash: s?.stableRS, serviceName: 'demo-canary' },
      stable: { weight: 100, podTemplateHash: s?.stableRS, serviceName: 'demo-stable' },
    });
    expect(s?.observedGeneration).toBe('1');
    expect(d.last.effects).toEqual([]);
  });

  it('walks an update step by step, pauses, is promoted, and scales the old ReplicaSet down after the delay', () => {
    const w = new World('host');
    drive(w);
    const rev1 = statusOf(w).stableRS;
    w.updateImage('demo:2');
    const upd = plan(w.observed());
    expect(upd.transition).toBe('new-revision');
    expect(upd.status?.currentStepIndex).toBe(0);
    expect(upd.effects).toEqual([
      expect.objectContaining({ op: 'create' }),
      expect.objectContaining({
        op: 'patch',
        patch: [
          expect.objectContaining({ op: 'test' }),
          { op: 'replace', path: '/metadata/annotations/rollout.argoproj.io~1revision', value: '2' },
        ],
      }),
    ]);
    const d1 = drive(w);
    const rev2 = statusOf(w).currentPodHash;
    expect(rev2).not.toBe(rev1);
    expect(statusOf(w).currentStepIndex).toBe(1);
    expect(statusOf(w).phase).toBe('Paused');
    expect(statusOf(w).pauseConditions?.map((c) => c.reason)).toEqual(['CanaryPauseStep']);
    expect(weightsOf(w.vs())).toEqual({ 'demo-stable': 75, 'demo-canary': 25 });
    expect(hashOf(w, 'demo-canary')).toBe(rev2);
    expect(hashOf(w, 'demo-stable')).toBe(rev1);
    expect(messages(d1.events, 'RolloutStepCompleted')).toEqual([
      'Rollout step 1/4 completed (setWeight: 25)',
    ]);
    expect(messages(d1.events, 'Updated VirtualService')).toContain(
      "VirtualService `demo-vs` set to desiredWeight '25'",
    );
    expect(messages(d1.events, 'SwitchService')).toEqual([
      `Switched selector for service 'demo-canary' from '${rev1}' to '${rev2}'`,
    ]);
    const canaryRS = w.replicaSets.find((rs) => rs.metadata.labels?.[LABELS.podTemplateHash] === rev2);
    expect(canaryRS?.spec.replicas).toBe(1);

    // promote (what `promote` writes): clear pause conditions
    w.setStatus({ pauseConditions: null });
    const d2 = drive(w);
    expect(messages(d2.events, 'RolloutStepCompleted')).toEqual([
      'Rollout step 2/4 completed (pause)',
      'Rollout step 3/4 completed (setWeight: 50)',
    ]);
    expect(statusOf(w).currentStepIndex).toBe(3);
    expect(weightsOf(w.vs())).toEqual({ 'demo-stable': 50, 'demo-canary': 50 });
    // The 30 s pause: a pass after the one that started it wakes a second past the recorded (rounded-down) end.
    expect(d2.last.requeueAfterSeconds).toBe(31);

    w.now = new Date(w.now.getTime() + 31_000);
    const d3 = drive(w);
    expect(messages(d3.events, 'RolloutCompleted')).toEqual([
      `Rollout completed update to revision 2 (${rev2}): Completed all 4 canary steps`,
    ]);
    const s = w.rollout.status;
    expect(s?.stableRS).toBe(rev2);
    expect(s?.phase).toBe('Healthy');
    expect(weightsOf(w.vs())).toEqual({ 'demo-stable': 100, 'demo-canary': 0 });
    expect(hashOf(w, 'demo-stable')).toBe(rev2);
    const old = w.replicaSets.find((rs) => rs.metadata.labels?.[LABELS.podTemplateHash] === rev1);
    expect(old?.spec.replicas).toBe(4);
    expect(old?.metadata.annotations?.['scale-down-deadline']).toBeDefined();
    expect(d3.last.requeueAfterSeconds).toBeGreaterThan(0);

    w.now = new Date(w.now.getTime() + 31_000);
    drive(w);
    expect(
      w.replicaSets.find((rs) => rs.metadata.labels?.[LABELS.podTemplateHash] === rev1)?.spec.replicas,
    ).toBe(0);
  });
});
