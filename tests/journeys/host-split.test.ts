/**
 * The host-level seed through a whole update: initial deploy, new image, step by step, promote, timed pause,
 * promotion and the old ReplicaSet's scale-down deadline, all on the real kube-apiserver.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ReplicaSet, Rollout } from '../../shared/core/model/types.js';
import { runStep, runUntilSettled } from '../../shared/app/step.js';
import { brief, routeWeights, selectorHash, setImage, startJourney, type Journey } from './harness.js';
import { hostSeed, IMAGE_V2 } from './fixtures.js';

describe('journey: host-level canary with canary/stable Services', () => {
  let j: Journey;
  let h1 = '';
  let h2 = '';
  beforeAll(async () => {
    j = await startJourney('host', hostSeed());
  });
  afterAll(async () => j.stop());

  const rsOf = async (hash: string): Promise<ReplicaSet> =>
    (await j.get('replicasets', `reviews-${hash}`)) as ReplicaSet;
  const weights = async (): Promise<[string, number][]> =>
    routeWeights(await j.get('virtualservices', 'reviews'));

  it('deploys the first revision straight to Healthy with 100/0 and both selectors on it', async () => {
    const r = await j.drive('reviews', (x) => x.status?.phase === 'Healthy');
    h1 = r.status?.stableRS ?? '';
    expect(h1).not.toBe('');
    expect(r.status).toMatchObject({
      currentPodHash: h1,
      currentStepIndex: 4,
      observedGeneration: String(r.metadata.generation),
    });
    expect((await rsOf(h1)).spec.replicas).toBe(4);
    expect(await weights()).toEqual([
      ['reviews-stable', 100],
      ['reviews-canary', 0],
    ]);
    expect(selectorHash(await j.get('services', 'reviews-stable'))).toBe(h1);
    expect(selectorHash(await j.get('services', 'reviews-canary'))).toBe(h1);
  });

  it('on a new image creates the canary ReplicaSet, moves 20% and stops at the indefinite pause', async () => {
    await setImage(j.ns, 'reviews', IMAGE_V2);
    const r = await j.drive(
      'reviews',
      (x) => x.status?.currentStepIndex === 1 && x.status.phase === 'Paused',
    );
    h2 = r.status?.currentPodHash ?? '';
    expect(h2).not.toBe(h1);
    expect(brief(r.status)).toEqual({ step: 1, phase: 'Paused', canary: 20, stable: 80 });
    expect(r.status?.stableRS).toBe(h1);
    expect(r.status?.pauseConditions).toEqual([expect.objectContaining({ reason: 'CanaryPauseStep' })]);
    expect(r.status?.controllerPause).toBe(true);
    expect(await weights()).toEqual([
      ['reviews-stable', 80],
      ['reviews-canary', 20],
    ]);
    expect(selectorHash(await j.get('services', 'reviews-canary'))).toBe(h2);
    expect(selectorHash(await j.get('services', 'reviews-stable'))).toBe(h1);
    expect((await rsOf(h2)).spec.replicas).toBe(1);
    expect((await rsOf(h1)).spec.replicas).toBe(4);
    const vs = await j.get('virtualservices', 'reviews');
    expect((vs.spec as { http: { retries?: unknown }[] }).http[0]?.retries).toEqual({
      attempts: 3,
      perTryTimeout: '2s',
    });
    expect(await j.events('reviews')).toContainEqual(
      expect.objectContaining({
        reason: 'RolloutStepCompleted',
        message: 'Rollout step 1/4 completed (setWeight: 20)',
      }),
    );
  });

  it('stays paused: another pass makes no transition and no write', async () => {
    const before = (await j.rollout('reviews')).metadata.resourceVersion;
    const res = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(res).toMatchObject({ stepBefore: 1, stepAfter: 1, writes: 0, followUp: false });
    expect(res.transition).toBeUndefined();
    expect((await j.rollout('reviews')).metadata.resourceVersion).toBe(before);
  });

  it('promote (expecting step 1) moves to 50% and waits on the timed pause', async () => {
    expect(await j.action('reviews', 'promote', 1)).toMatchObject({ ok: true });
    const r = await j.drive(
      'reviews',
      (x) => x.status?.currentStepIndex === 3 && (x.status.pauseConditions?.length ?? 0) > 0,
    );
    expect(brief(r.status)).toMatchObject({ step: 3, canary: 50, stable: 50 });
    expect(await weights()).toEqual([
      ['reviews-stable', 50],
      ['reviews-canary', 50],
    ]);
    expect((await rsOf(h2)).spec.replicas).toBe(2);
    const res = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(res.transition).toBeUndefined();
    expect(res.requeueAfterSeconds).toBeGreaterThan(0);
    // A second past the recorded (rounded-down) end of the 2 s pause, so never before the pause's true end.
    expect(res.requeueAfterSeconds).toBeLessThanOrEqual(3);
  });

  it('a duplicate promote for step 1 is refused and changes nothing', async () => {
    const before = (await j.rollout('reviews')).metadata.resourceVersion;
    expect(await j.action('reviews', 'promote', 1)).toMatchObject({ ok: false, outcome: 'conflict' });
    expect((await j.rollout('reviews')).metadata.resourceVersion).toBe(before);
  });

  it('after the pause expires promotes the canary: 100/0, both selectors on it, old ReplicaSet with a scale-down deadline', async () => {
    j.clock.advance(3);
    const r: Rollout = await j.drive('reviews', (x) => x.status?.phase === 'Healthy');
    expect(r.status).toMatchObject({ stableRS: h2, currentPodHash: h2, currentStepIndex: 4 });
    expect(await weights()).toEqual([
      ['reviews-stable', 100],
      ['reviews-canary', 0],
    ]);
    expect(selectorHash(await j.get('services', 'reviews-stable'))).toBe(h2);
    expect(selectorHash(await j.get('services', 'reviews-canary'))).toBe(h2);
    expect((await rsOf(h2)).spec.replicas).toBe(4);
    expect((await rsOf(h1)).metadata.annotations?.['scale-down-deadline']).toMatch(/^\d{4}-\d\d-\d\dT/);
    const steps = (await j.events('reviews'))
      .filter((e) => e.reason === 'RolloutStepCompleted')
      .map((e) => e.message);
    expect(steps).toEqual(
      expect.arrayContaining([
        'Rollout step 1/4 completed (setWeight: 20)',
        'Rollout step 2/4 completed (pause)',
        'Rollout step 3/4 completed (setWeight: 50)',
        'Rollout step 4/4 completed (pause: 2s)',
      ]),
    );
  });

  it('once the deadline passes the old ReplicaSet is scaled to zero', async () => {
    j.clock.advance(31);
    await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    expect((await rsOf(h1)).spec.replicas).toBe(0);
  });
});
