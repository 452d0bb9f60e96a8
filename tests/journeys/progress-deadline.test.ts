/**
 * Progress deadline on the real kube-apiserver: a canary whose pods stop becoming ready (the stand-in kubelet is
 * no longer synced) times out once the controllable clock passes `progressDeadlineSeconds` since the last
 * progress — Degraded `ProgressDeadlineExceeded`, traffic left as it was — and with `progressDeadlineAbort` the
 * update is aborted: all traffic back to stable, the canary Service on the stable pods.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ReplicaSet, Rollout } from '../../shared/core/model/types.js';
import { runStep, runUntilSettled } from '../../shared/app/step.js';
import { routeWeights, selectorHash, startJourney, type Journey } from './harness.js';
import { hostSeed, IMAGE_V2 } from './fixtures.js';

let journeys: Journey[] = [];
afterEach(async () => {
  await Promise.all(journeys.map((j) => j.stop()));
  journeys = [];
});

const STEPS = [{ setWeight: 25 }, { setWeight: 75 }, { pause: {} }];

/** Passes until `done`, making pods ready (kubelet sync) between passes; never syncs once `done` holds. */
async function passUntil(j: Journey, done: (r: Rollout) => boolean): Promise<Rollout> {
  for (let i = 0; i < 40; i++) {
    await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    const r = await j.rollout('reviews');
    if (done(r)) return r;
    await j.kubelet.sync();
  }
  throw new Error(
    `reviews in ${j.ns} did not reach the expected state: ${JSON.stringify((await j.rollout('reviews')).status)}`,
  );
}

/**
 * Revision 2 at step 2 (setWeight 75) with 25 % of the traffic on one ready canary pod, while the kubelet no
 * longer makes the other two ready. The clock starts on a whole second (condition times have second precision).
 */
async function stuckAt75(
  prefix: string,
  spec: Record<string, unknown>,
): Promise<{ j: Journey; rev1: string; rev2: string }> {
  const seed = hostSeed({ steps: STEPS });
  Object.assign((seed[3] as { spec: Record<string, unknown> }).spec, spec);
  const j = await startJourney(prefix, seed, {
    manualKubelet: true,
    clockStartMs: Math.floor(Date.now() / 1000) * 1000,
  });
  journeys.push(j);
  const healthy = await passUntil(j, (r) => r.status?.phase === 'Healthy');
  await j.setImage('reviews', IMAGE_V2);
  const r = await passUntil(j, (x) => x.status?.currentStepIndex === 1);
  const rev2 = r.status?.currentPodHash as string;
  const canary = (await j.get('replicasets', `reviews-${rev2}`)) as ReplicaSet;
  expect(canary.spec.replicas).toBe(3);
  expect(canary.status?.availableReplicas).toBe(1);
  expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
    ['reviews-stable', 75],
    ['reviews-canary', 25],
  ]);
  return { j, rev1: healthy.status?.stableRS as string, rev2 };
}

const progressing = (r: Rollout) => r.status?.conditions?.find((c) => c.type === 'Progressing');

describe('journey: progress deadline', () => {
  it('a canary whose pods never become ready is Degraded ProgressDeadlineExceeded once the deadline passed', async () => {
    const { j, rev2 } = await stuckAt75('deadline', { progressDeadlineSeconds: 120 });
    const waiting = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(waiting).toMatchObject({ writes: 0, phase: 'Progressing', requeueAfterSeconds: 5 });

    j.clock.advance(120);
    const onTime = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(onTime).toMatchObject({ writes: 0, phase: 'Progressing', requeueAfterSeconds: 1 });

    j.clock.advance(1);
    const late = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(late).toMatchObject({ writes: 1, transition: 'status-only', phase: 'Degraded' });
    expect(late.requeueAfterSeconds).toBeUndefined();
    const r = await j.rollout('reviews');
    const message = `ReplicaSet "reviews-${rev2}" has timed out progressing.`;
    expect(progressing(r)).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message });
    expect(r.status?.message).toBe(`ProgressDeadlineExceeded: ${message}`);
    expect(r.status?.abort).toBeUndefined();
    expect(r.status?.currentStepIndex).toBe(1);
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 75],
      ['reviews-canary', 25],
    ]);
    expect((await j.events('reviews')).filter((e) => e.type === 'Warning')).toEqual([]);

    // nothing more to do while nothing changes; pods that become ready later resume the rollout
    j.clock.advance(3600);
    expect(await runStep(j.deps, { namespace: j.ns, name: 'reviews' })).toMatchObject({ writes: 0 });
    await j.kubelet.sync();
    const resumed = await passUntil(j, (x) => x.status?.currentStepIndex === 2);
    expect(resumed.status?.phase).toBe('Paused');
    expect(progressing(resumed)?.reason).toBe('RolloutPaused');
  });

  it('with progressDeadlineAbort the timed-out update is aborted: weights 0, canary Service on stable', async () => {
    const { j, rev1, rev2 } = await stuckAt75('deadline-abort', { progressDeadlineAbort: true });
    j.clock.advance(600);
    expect(await runStep(j.deps, { namespace: j.ns, name: 'reviews' })).toMatchObject({ writes: 0 });
    j.clock.advance(1);
    const results = await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(results.map((x) => x.transition).filter(Boolean)).toEqual(['status-only', 'aborted']);
    const r = await j.rollout('reviews');
    expect(r.status).toMatchObject({
      abort: true,
      currentStepIndex: 0,
      phase: 'Degraded',
      message: 'RolloutAborted: Rollout aborted update to revision 2',
    });
    expect(progressing(r)).toMatchObject({ status: 'False', reason: 'RolloutAborted' });
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 100],
      ['reviews-canary', 0],
    ]);
    expect(selectorHash(await j.get('services', 'reviews-canary'))).toBe(rev1);
    // both within the same clock second: the API server lists them by name, not in order
    const warnings = (await j.events('reviews')).filter((e) => e.type === 'Warning');
    expect(warnings.map((e) => [e.reason, e.message]).sort()).toEqual([
      ['RolloutAborted', `ReplicaSet "reviews-${rev2}" has timed out progressing.`],
      ['RolloutAborted', 'Rollout aborted update to revision 2'],
    ]);
  });
});
