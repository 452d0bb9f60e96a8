/**
 * Pauses and abort/retry on the real kube-apiserver: an indefinite pause holds across many passes without a
 * write, a timed pause ends by the wall clock, abort sends everything back to stable (Degraded, abortedAt) and
 * retry starts the steps again.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { CanaryStep, ReplicaSet } from '../../shared/core/model/types.js';
import { runStep, runUntilSettled } from '../../shared/app/step.js';
import { brief, routeWeights, selectorHash, startJourney, type Journey } from './harness.js';
import { hostSeed, IMAGE_V2 } from './fixtures.js';

let journeys: Journey[] = [];
afterEach(async () => {
  await Promise.all(journeys.map((j) => j.stop()));
  journeys = [];
});

async function begin(prefix: string, steps: CanaryStep[]): Promise<Journey> {
  const j = await startJourney(prefix, hostSeed({ steps }));
  journeys.push(j);
  await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
  await j.setImage('reviews', IMAGE_V2);
  return j;
}

const pausedAt = (j: Journey, step: number) =>
  j.drive('reviews', (r) => r.status?.currentStepIndex === step && r.status.phase === 'Paused');
const replicas = async (j: Journey, hash: string): Promise<number | undefined> =>
  ((await j.get('replicasets', `reviews-${hash}`)) as ReplicaSet).spec.replicas;

/** resourceVersions of every object the engine may write. */
async function versions(j: Journey): Promise<Record<string, string | undefined>> {
  const rs = await j.gw.list('replicasets', j.ns);
  const objects = [
    await j.rollout('reviews'),
    await j.get('virtualservices', 'reviews'),
    await j.get('services', 'reviews-canary'),
    await j.get('services', 'reviews-stable'),
    ...rs.items,
  ];
  return Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]));
}

describe('journey: pauses', () => {
  it('an indefinite pause holds across many passes and hours without a single write', async () => {
    const j = await begin('pause-forever', [{ setWeight: 30 }, { pause: {} }, { setWeight: 60 }]);
    const r = await pausedAt(j, 1);
    const since = r.status?.pauseConditions?.[0]?.startTime;
    const before = await versions(j);
    const eventsBefore = (await j.events('reviews')).length;
    for (let i = 0; i < 12; i++) {
      j.clock.advance(3600);
      const res = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
      expect(res).toMatchObject({ stepBefore: 1, stepAfter: 1, writes: 0, followUp: false, phase: 'Paused' });
      expect(res.transition).toBeUndefined();
      expect(res.requeueAfterSeconds).toBeUndefined();
    }
    expect(await versions(j)).toEqual(before);
    expect((await j.events('reviews')).length).toBe(eventsBefore);
    const after = await j.rollout('reviews');
    expect(after.status?.pauseConditions).toEqual([{ reason: 'CanaryPauseStep', startTime: since }]);
    expect(after.status?.controllerPause).toBe(true);
    expect(after.status?.message).toBe('CanaryPauseStep');
  });

  it('a 2 s timed pause ends by the wall clock, not before: without a timer a second past the recorded end', async () => {
    // startTime has second precision (as in Argo Rollouts): the true start lies within the second after the recorded
    // one, so a pass that no timer asked for (a schedule tick, a watch event) ends the pause only a second past the
    // recorded end, which is never before the true end.
    const j = await begin('pause-timed', [
      { setWeight: 30 },
      { pause: { duration: '2s' } },
      { setWeight: 60 },
    ]);
    j.deps.now = () => new Date();
    const paused = await pausedAt(j, 1);
    const end = Date.parse(paused.status?.pauseConditions?.[0]?.startTime ?? '') + 2000;
    let waits = 0;
    for (;;) {
      const at = Date.now();
      const res = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
      const done = Date.now();
      if (res.transition !== undefined) {
        expect(res.transition).toBe('step-completed');
        expect(done).toBeGreaterThanOrEqual(end + 1000); // the pass read the clock before `done`
        break;
      }
      expect(at).toBeLessThanOrEqual(end + 1000);
      expect(res).toMatchObject({ writes: 0, stepAfter: 1 });
      // A pass after the one that started the pause wakes a second past the recorded (rounded-down) end.
      expect(res.wakeAt).toBe(new Date(end + 1000).toISOString());
      expect(res.requeueAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(res.requeueAfterSeconds).toBeLessThanOrEqual(3);
      waits++;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    expect(waits).toBeGreaterThan(0);
    const r = await j.drive('reviews', (x) => x.status?.phase === 'Healthy');
    expect(r.status?.stableRS).toBe(r.status?.currentPodHash);
    const steps = (await j.events('reviews'))
      .filter((e) => e.reason === 'RolloutStepCompleted')
      .map((e) => e.message);
    expect(steps).toEqual([
      'Rollout step 1/3 completed (setWeight: 30)',
      'Rollout step 2/3 completed (pause: 2s)',
      'Rollout step 3/3 completed (setWeight: 60)',
    ]);
  });
});

describe('journey: abort and retry at 50%', () => {
  it("a 2 s timed pause ends at its recorded end when the pause's own timer wakes the pass", async () => {
    const j = await begin('pause-timer', [
      { setWeight: 30 },
      { pause: { duration: '2s' } },
      { setWeight: 60 },
    ]);
    j.deps.now = () => new Date();
    const paused = await pausedAt(j, 1);
    const end = Date.parse(paused.status?.pauseConditions?.[0]?.startTime ?? '') + 2000;
    // The passes read a clock held 50 ms past the recorded end, within the second after it.
    const deps = { ...j.deps, now: () => new Date(end + 50) };
    // A pass nothing timed does not end it ...
    const untimed = await runStep(deps, { namespace: j.ns, name: 'reviews' });
    expect(untimed).toMatchObject({ writes: 0, stepAfter: 1 });
    expect(untimed.transition).toBeUndefined();
    expect(untimed.wakeAt).toBe(new Date(end + 1000).toISOString());
    // ... an older timer (set before the recorded end) does not either ...
    const older = await runStep(deps, { namespace: j.ns, name: 'reviews', wokenAt: new Date(end - 1) });
    expect(older.transition).toBeUndefined();
    // ... and the timer set for the end does.
    const timed = await runStep(deps, { namespace: j.ns, name: 'reviews', wokenAt: new Date(end) });
    expect(timed).toMatchObject({ transition: 'step-completed', stepAfter: 2 });
  });
  it('abort: weights 0, canary Service on stable, Degraded with abortedAt; retry: steps again from 0', async () => {
    const j = await begin('abort50', [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }]);
    const h1 = (await j.rollout('reviews')).status?.stableRS ?? '';
    await pausedAt(j, 1);
    expect(await j.action('reviews', 'promote', 1)).toMatchObject({ ok: true });
    const at3 = await pausedAt(j, 3);
    const h2 = at3.status?.currentPodHash ?? '';
    expect(await replicas(j, h2)).toBe(2);

    expect(await j.action('reviews', 'abort', 3)).toMatchObject({ ok: true });
    const aborted = await j.drive('reviews', (r) => r.status?.phase === 'Degraded');
    expect(aborted.status).toMatchObject({
      abort: true,
      abortedAt: expect.any(String),
      currentStepIndex: 0,
      stableRS: h1,
      currentPodHash: h2,
      message: 'RolloutAborted: Rollout aborted update to revision 2',
      observedGeneration: String(aborted.metadata.generation),
    });
    expect(aborted.status?.pauseConditions).toBeUndefined();
    expect(brief(aborted.status)).toMatchObject({ canary: 0, stable: 100 });
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 100],
      ['reviews-canary', 0],
    ]);
    expect(selectorHash(await j.get('services', 'reviews-canary'))).toBe(h1);
    expect(selectorHash(await j.get('services', 'reviews-stable'))).toBe(h1);
    expect(await replicas(j, h1)).toBe(4);
    expect(await j.events('reviews')).toContainEqual({
      type: 'Warning',
      reason: 'RolloutAborted',
      message: 'Rollout aborted update to revision 2',
      count: 1,
    });
    // The canary keeps its pods until the abort scale-down deadline (30 s), then goes to 0.
    j.clock.advance(31);
    await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(await replicas(j, h2)).toBe(0);
    expect((await j.rollout('reviews')).status?.phase).toBe('Degraded');

    expect(await j.action('reviews', 'retry')).toMatchObject({ ok: true });
    const retried = await pausedAt(j, 1);
    expect(brief(retried.status)).toEqual({ step: 1, phase: 'Paused', canary: 20, stable: 80 });
    expect(retried.status?.abort).toBeFalsy();
    expect(retried.status?.abortedAt).toBeUndefined();
    expect(selectorHash(await j.get('services', 'reviews-canary'))).toBe(h2);
    expect(await replicas(j, h2)).toBe(1);
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 80],
      ['reviews-canary', 20],
    ]);
  });
});
