/** planPass: the regular pass of an initialized Rollout, step by step on one observation each. */
import { describe, expect, it } from '@jest/globals';
import { planPass, POD_WAIT_REQUEUE_SECONDS } from '../../../../shared/core/engine/pass.js';
import { plan } from '../../../../shared/core/engine/plan.js';
import { drive } from './support/drive.js';
import { World } from './support/fixtures.js';

/** A host-level Rollout updated to demo:2, its new ReplicaSet created (the pass after new-revision). */
const updating = (): { w: World; hash: string } => {
  const w = new World('host');
  drive(w);
  w.updateImage('demo:2');
  w.apply(plan(w.observed()));
  return { w, hash: w.rollout.status?.currentPodHash ?? '' };
};

describe('planPass', () => {
  it('a Healthy Rollout: no writes, no status change, "nothing to do"', () => {
    const w = new World('host');
    drive(w);
    const p = planPass(w.observed(), w.rollout.status?.currentPodHash ?? '');
    expect(p).toMatchObject({ effects: [], events: [], reason: 'nothing to do beyond no writes' });
    expect(p.status).toBeUndefined();
    expect(p.transition).toBeUndefined();
  });

  it('waiting for canary pods: scales up, requeues for the pod wait, and does not complete the step', () => {
    const { w, hash } = updating();
    const p = planPass(w.observed(), hash);
    expect(p.effects.some((e) => e.target.resource === 'replicasets')).toBe(true);
    expect(p.transition).not.toBe('step-completed');
    expect(p.requeueAfterSeconds).toBe(POD_WAIT_REQUEUE_SECONDS);
    expect(p.reason).toMatch(/step 1 waits for replica counts/);
  });

  it('spec.paused halts steps and scaling, but not traffic bookkeeping', () => {
    const { w, hash } = updating();
    w.rollout.spec.paused = true;
    const p = planPass(w.observed(), hash);
    expect(p.effects.some((e) => e.target.resource === 'replicasets')).toBe(false);
    expect(p.reason).toMatch(/spec\.paused: steps and scaling are halted/);
  });

  it('an operator abort commits "aborted" with a Warning', () => {
    const { w, hash } = updating();
    w.setStatus({ abort: true });
    const p = planPass(w.observed(), hash);
    expect(p.transition).toBe('aborted');
    expect(p.events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'RolloutAborted' }));
    expect(p.status?.currentStepIndex).toBe(0);
  });
});
