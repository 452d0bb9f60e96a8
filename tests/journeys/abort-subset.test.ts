/**
 * Abort then retry on the host-level seed, and the subset-level seed (DestinationRule subset labels).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../shared/core/model/types.js';
import { brief, routeWeights, selectorHash, setImage, startJourney, type Journey } from './harness.js';
import { hostSeed, IMAGE_V2, subsetSeed } from './fixtures.js';

let journeys: Journey[] = [];
afterEach(async () => {
  await Promise.all(journeys.map((j) => j.stop()));
  journeys = [];
});

async function begin(prefix: string, objects: unknown[]): Promise<Journey> {
  const j = await startJourney(prefix, objects);
  journeys.push(j);
  await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
  return j;
}

const subsetLabels = (dr: KubeObject): Record<string, string | undefined> =>
  Object.fromEntries(
    ((dr.spec as { subsets: { name: string; labels?: Record<string, string> }[] }).subsets ?? []).map((s) => [
      s.name,
      s.labels?.['rollouts-pod-template-hash'],
    ]),
  );

describe('journey: abort and retry', () => {
  it('abort sends all traffic back to stable and points the canary Service at stable; retry resumes from step 0', async () => {
    const j = await begin('abort', hostSeed());
    const h1 = (await j.rollout('reviews')).status?.stableRS;
    await setImage(j.ns, 'reviews', IMAGE_V2);
    await j.drive('reviews', (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused');
    expect(await j.action('reviews', 'abort', 1)).toMatchObject({ ok: true });
    const aborted = await j.drive('reviews', (r) => r.status?.phase === 'Degraded');
    expect(aborted.status?.abort).toBe(true);
    expect(aborted.status?.abortedAt).toEqual(expect.any(String));
    expect(aborted.status?.message).toMatch(/^RolloutAborted: Rollout aborted update to revision 2/);
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 100],
      ['reviews-canary', 0],
    ]);
    expect(selectorHash(await j.get('services', 'reviews-canary'))).toBe(h1);
    expect(await j.action('reviews', 'retry')).toMatchObject({ ok: true });
    const retried = await j.drive(
      'reviews',
      (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused',
    );
    expect(brief(retried.status)).toMatchObject({ step: 1, canary: 20, stable: 80 });
    expect(retried.status?.abort).toBeFalsy();
  });
});

describe('journey: subset-level canary with a DestinationRule', () => {
  it('labels the subsets, splits 80/20 on the subsets, and promotes to the new hash, keeping the DR trafficPolicy', async () => {
    const j = await begin('subset', subsetSeed());
    const h1 = (await j.rollout('reviews')).status?.stableRS;
    expect(subsetLabels(await j.get('destinationrules', 'reviews'))).toEqual({ canary: h1, stable: h1 });
    await setImage(j.ns, 'reviews', IMAGE_V2);
    const paused = await j.drive(
      'reviews',
      (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused',
    );
    const h2 = paused.status?.currentPodHash;
    expect(subsetLabels(await j.get('destinationrules', 'reviews'))).toEqual({ canary: h2, stable: h1 });
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews/stable', 80],
      ['reviews/canary', 20],
    ]);
    expect(await j.action('reviews', 'promote-full')).toMatchObject({ ok: true });
    await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
    const dr = await j.get('destinationrules', 'reviews');
    expect(subsetLabels(dr)).toEqual({ canary: h2, stable: h2 });
    expect((dr.spec as { trafficPolicy?: unknown }).trafficPolicy).toEqual({
      connectionPool: { tcp: { maxConnections: 100 } },
    });
    expect(dr.metadata.annotations?.['argo-rollouts.argoproj.io/managed-by-rollouts']).toBe('reviews');
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews/stable', 100],
      ['reviews/canary', 0],
    ]);
  });
});
