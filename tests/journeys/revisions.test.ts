/**
 * Revisions changing mid-rollout on the real kube-apiserver: back to the stable template (fast rollback: steps
 * skipped, `SkipSteps`, 100/0) and a third revision while the second is on its way (steps restart at 0, the
 * second's ReplicaSet scaled down, weights follow the third).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ReplicaSet } from '../../shared/core/model/types.js';
import { runUntilSettled } from '../../shared/app/step.js';
import { brief, routeWeights, selectorHash, startJourney, type Journey } from './harness.js';
import { hostSeed, IMAGE_V2, IMAGE_V3 } from './fixtures.js';

const STEPS = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }];

let journeys: Journey[] = [];
afterEach(async () => {
  await Promise.all(journeys.map((j) => j.stop()));
  journeys = [];
});

async function begin(prefix: string): Promise<{ j: Journey; h1: string }> {
  const j = await startJourney(prefix, hostSeed({ steps: STEPS }));
  journeys.push(j);
  const r = await j.drive('reviews', (x) => x.status?.phase === 'Healthy');
  return { j, h1: r.status?.stableRS ?? '' };
}

const pausedAt = (j: Journey, step: number) =>
  j.drive('reviews', (r) => r.status?.currentStepIndex === step && r.status.phase === 'Paused');
const replicas = async (j: Journey, hash: string): Promise<number | undefined> =>
  ((await j.get('replicasets', `reviews-${hash}`)) as ReplicaSet).spec.replicas;
const deadline = async (j: Journey, hash: string): Promise<string | undefined> =>
  (await j.get('replicasets', `reviews-${hash}`)).metadata.annotations?.['scale-down-deadline'];

describe('journey: fast rollback', () => {
  it('going back to the stable template mid-rollout skips all steps with SkipSteps and restores 100/0', async () => {
    const { j, h1 } = await begin('rollback');
    const stableTemplate = (await j.rollout('reviews')).spec.template;
    await j.setImage('reviews', IMAGE_V2);
    const mid = await pausedAt(j, 1);
    const h2 = mid.status?.currentPodHash ?? '';
    expect(brief(mid.status)).toEqual({ step: 1, phase: 'Paused', canary: 20, stable: 80 });

    // Back to the stable pod template exactly as stored (a merge patch replaces the containers list whole).
    await j.patch('/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/reviews', {
      spec: { template: stableTemplate },
    });
    const r = await j.drive('reviews', (x) => x.status?.phase === 'Healthy');
    expect(r.status).toMatchObject({
      currentPodHash: h1,
      stableRS: h1,
      currentStepIndex: 4,
      observedGeneration: String(r.metadata.generation),
    });
    expect(r.status?.pauseConditions).toBeUndefined();
    expect(r.status?.canary?.weights?.canary.weight).toBe(0);
    expect(r.status?.canary?.weights?.stable.weight).toBe(100);
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 100],
      ['reviews-canary', 0],
    ]);
    expect(selectorHash(await j.get('services', 'reviews-canary'))).toBe(h1);
    expect(selectorHash(await j.get('services', 'reviews-stable'))).toBe(h1);
    expect(await replicas(j, h1)).toBe(4);
    const events = await j.events('reviews');
    expect(events).toContainEqual(
      expect.objectContaining({ reason: 'SkipSteps', message: 'Rollback to stable ReplicaSets' }),
    );
    expect(events.filter((e) => e.reason === 'RolloutStepCompleted').map((e) => e.message)).toEqual([
      'Rollout step 1/4 completed (setWeight: 20)',
    ]);

    // v2's ReplicaSet keeps its pod until the scale-down deadline, then goes to 0.
    expect(await deadline(j, h2)).toMatch(/^\d{4}-\d\d-\d\dT/);
    j.clock.advance(31);
    await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(await replicas(j, h2)).toBe(0);
    expect(await replicas(j, h1)).toBe(4);
  });
});

describe('journey: a new revision mid-rollout', () => {
  it('v3 while v2 is at step 2: steps restart at 0, weights follow v3, v2 is scaled down', async () => {
    const { j, h1 } = await begin('v3');
    await j.setImage('reviews', IMAGE_V2);
    await pausedAt(j, 1);
    expect(await j.action('reviews', 'promote', 1)).toMatchObject({ ok: true });
    const at3 = await pausedAt(j, 3);
    const h2 = at3.status?.currentPodHash ?? '';
    expect(brief(at3.status)).toEqual({ step: 3, phase: 'Paused', canary: 50, stable: 50 });
    expect(await replicas(j, h2)).toBe(2);

    await j.setImage('reviews', IMAGE_V3);
    const r = await pausedAt(j, 1);
    const h3 = r.status?.currentPodHash ?? '';
    expect(new Set([h1, h2, h3]).size).toBe(3);
    expect(brief(r.status)).toEqual({ step: 1, phase: 'Paused', canary: 20, stable: 80 });
    expect(r.status).toMatchObject({ stableRS: h1, observedGeneration: String(r.metadata.generation) });
    expect(r.status?.canary?.weights?.canary.podTemplateHash).toBe(h3);
    expect(r.status?.pauseConditions).toEqual([expect.objectContaining({ reason: 'CanaryPauseStep' })]);
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 80],
      ['reviews-canary', 20],
    ]);
    expect(selectorHash(await j.get('services', 'reviews-canary'))).toBe(h3);
    expect(selectorHash(await j.get('services', 'reviews-stable'))).toBe(h1);
    expect(await replicas(j, h3)).toBe(1);
    expect(await replicas(j, h1)).toBe(4);
    expect(await j.events('reviews')).toContainEqual(
      expect.objectContaining({ reason: 'RolloutUpdated', message: 'Rollout updated to revision 3' }),
    );

    // v2 no longer takes traffic: a superseded canary goes to 0 at once, with no scale-down deadline, as Argo
    // scales it (`scaleDownOldReplicaSetsForCanary` in rollout/canary.go).
    expect(await replicas(j, h2)).toBe(0);
    expect(await deadline(j, h2)).toBeUndefined();
    j.clock.advance(31);
    await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(await replicas(j, h2)).toBe(0);
    expect(await replicas(j, h3)).toBe(1);
    expect((await j.rollout('reviews')).status?.currentStepIndex).toBe(1);
  });
});
