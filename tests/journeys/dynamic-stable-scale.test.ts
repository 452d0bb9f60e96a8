/**
 * `dynamicStableScale` on the real kube-apiserver, pods made ready only between passes (manual stand-in kubelet)
 * so every intermediate state is seen: the stable shrinks as the canary's weight grows, an abort moves the weight
 * back step by step as stable pods come up (the canary drained as traffic leaves it), and a promotion scales the
 * old stable to 0 at once, without a scale-down deadline.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ReplicaSet, Rollout } from '../../shared/core/model/types.js';
import { ANNOTATIONS } from '../../shared/core/model/types.js';
import { runUntilSettled } from '../../shared/app/step.js';
import { routeWeights, selectorHash, startJourney, type Journey } from './harness.js';
import { hostRollout, hostSeed, IMAGE_V2 } from './fixtures.js';

let journeys: Journey[] = [];
afterEach(async () => {
  await Promise.all(journeys.map((j) => j.stop()));
  journeys = [];
});

/** One observed state: the VirtualService's canary weight and the replica counts of revisions 1 and 2. */
type State = [weight: number, rev1: number, rev2: number];

interface Run {
  j: Journey;
  trace: State[];
  h1: string;
}

async function state(j: Journey, h1: string): Promise<State> {
  const vs = routeWeights(await j.get('virtualservices', 'reviews'));
  const rss = (await j.gw.list('replicasets', j.ns)).items as ReplicaSet[];
  const count = (first: boolean) =>
    rss.find((rs) => (rs.metadata.labels?.['rollouts-pod-template-hash'] === h1) === first)?.spec.replicas ??
    0;
  return [vs.find(([host]) => host === 'reviews-canary')?.[1] ?? 0, count(true), count(false)];
}

/** Passes until nothing is due, then pods become ready; repeated until `done` holds after the passes. */
async function advance(run: Run, done: (r: Rollout) => boolean): Promise<Rollout> {
  const { j } = run;
  for (let i = 0; i < 20; i++) {
    await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    const s = await state(j, run.h1);
    const last = run.trace[run.trace.length - 1];
    if (!last || last.join() !== s.join()) run.trace.push(s);
    const r = await j.rollout('reviews');
    if (done(r)) return r;
    await j.kubelet.sync();
  }
  throw new Error(`rollout ${j.ns}/reviews did not settle; trace ${JSON.stringify(run.trace)}`);
}

const STEPS = [{ setWeight: 25 }, { pause: {} }, { setWeight: 75 }, { pause: {} }];
const pausedAt = (step: number) => (r: Rollout) =>
  r.status?.phase === 'Paused' && r.status.currentStepIndex === step;

/** Deployed (4 pods), then the new image run to the pause after setWeight 75. */
async function atStep3(prefix: string): Promise<Run> {
  const objects = hostSeed({ steps: STEPS, canary: { dynamicStableScale: true } });
  const j = await startJourney(prefix, objects, { manualKubelet: true });
  journeys.push(j);
  const run: Run = { j, trace: [], h1: '' };
  const deployed = await advance(run, (r) => r.status?.phase === 'Healthy');
  run.h1 = deployed.status?.stableRS ?? '';
  run.trace = [];
  await j.setImage('reviews', IMAGE_V2);
  await advance(run, pausedAt(1));
  expect(await j.action('reviews', 'promote', 1)).toMatchObject({ ok: true });
  await advance(run, pausedAt(3));
  await j.kubelet.sync(); // the stable's scale-down to 1 pod has happened: 1 available
  return run;
}

describe('journey: dynamicStableScale', () => {
  it('setWeight steps shrink the stable as the canary grows; abort steps the weight back as stable pods come up', async () => {
    const run = await atStep3('dss-abort');
    // [canary weight, revision 1 pods, revision 2 pods]: the stable shrinks only once traffic left it.
    expect(run.trace).toEqual([
      [0, 4, 1],
      [25, 3, 1],
      [25, 3, 3],
      [75, 1, 3],
    ]);
    run.trace = [];
    const { j } = run;
    expect(await j.action('reviews', 'abort', 3)).toMatchObject({ ok: true });
    const aborted = await advance(
      run,
      (r) => r.status?.phase === 'Degraded' && r.status.canary?.weights?.canary.weight === 0,
    );
    // Back through setWeight 25 as stable pods come up; the canary keeps the pods its weight still needs.
    expect(run.trace).toEqual([
      [75, 3, 3],
      [25, 3, 1],
      [25, 4, 1],
      [0, 4, 0],
    ]);
    expect(aborted.status?.stableRS).toBe(run.h1);
    expect(selectorHash(await j.get('services', 'reviews-canary'))).toBe(run.h1);
    const weights = (await j.events('reviews'))
      .filter((e) => e.reason === 'TrafficWeightUpdated')
      .map((e) => e.message);
    expect(weights).toEqual(
      expect.arrayContaining(['Traffic weight updated from 75 to 25', 'Traffic weight updated from 25 to 0']),
    );
  });

  it('promotion scales the old stable to 0 at once, with no scale-down deadline', async () => {
    const run = await atStep3('dss-promote');
    run.trace = [];
    const { j } = run;
    expect(await j.action('reviews', 'promote', 3)).toMatchObject({ ok: true });
    const done = await advance(run, (r) => r.status?.phase === 'Healthy');
    expect(done.status?.stableRS).not.toBe(run.h1);
    expect(run.trace).toEqual([
      [75, 1, 4],
      [0, 0, 4],
    ]);
    const old = (await j.get('replicasets', `reviews-${run.h1}`)) as ReplicaSet;
    expect(old.spec.replicas).toBe(0);
    expect(old.metadata.annotations?.[ANNOTATIONS.scaleDownDeadline]).toBeUndefined();
  });

  it('going back to the stable template mid-update keeps traffic on the canary until the stable is up', async () => {
    const run = await atStep3('dss-rollback');
    run.trace = [];
    const { j } = run;
    // The first revision's template as applied (a merge patch of the whole template: same hash, revision 1 again).
    await j.patch('/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/reviews', {
      spec: { template: hostRollout().spec.template },
    });
    await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    // The stable (1 pod available) is scaled back to 4; 75% stays on the canary it came from meanwhile.
    expect(await state(j, run.h1)).toEqual([75, 4, 3]);
    const rolling = await j.rollout('reviews');
    expect(rolling.status?.canary?.weights?.canary).toMatchObject({
      weight: 75,
      podTemplateHash: expect.not.stringMatching(run.h1),
    });
    expect(selectorHash(await j.get('services', 'reviews-canary'))).not.toBe(run.h1);
    const done = await advance(
      run,
      (r) => r.status?.phase === 'Healthy' && r.status.canary?.weights?.canary.weight === 0,
    );
    expect(done.status?.stableRS).toBe(run.h1);
    expect(run.trace).toEqual([
      [75, 4, 3],
      [0, 4, 0],
    ]);
    expect(selectorHash(await j.get('services', 'reviews-canary'))).toBe(run.h1);
  });
});
