/**
 * Metric analysis on the real kube-apiserver, with a stand-in for the metric providers: a healthy canary passes its
 * analysis step and is promoted; a failing one is aborted with Argo's message and its weights go back to 0;
 * background analysis aborts the update at step 3; an Inconclusive run pauses the Rollout until it is promoted.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { AnalysisRun } from '../../shared/core/analysis/types.js';
import type { CanaryStep, Rollout } from '../../shared/core/model/types.js';
import { runStep } from '../../shared/app/step.js';
import { FakeMetrics, successRateTemplate } from '../support/fake-metrics.js';
import { routeWeights, startJourney, type Journey } from './harness.js';
import { hostSeed, IMAGE_V2 } from './fixtures.js';

let journeys: Journey[] = [];
afterEach(async () => {
  await Promise.all(journeys.map((j) => j.stop()));
  journeys = [];
});

const ARGS = [{ name: 'service', value: 'reviews-canary.default.svc.cluster.local' }];
const STEP = { analysis: { templates: [{ templateName: 'success-rate' }], args: ARGS } };

async function begin(
  prefix: string,
  steps: CanaryStep[],
  opts: { count?: number; background?: object } = {},
): Promise<{ j: Journey; metrics: FakeMetrics }> {
  const canary = opts.background ? { analysis: opts.background } : {};
  const seed = hostSeed({ steps, canary });
  const j = await startJourney(prefix, [...seed, successRateTemplate({ count: opts.count ?? 2 })]);
  journeys.push(j);
  const metrics = new FakeMetrics(j.clock.now);
  j.deps.metrics = metrics;
  j.deps.cluster = 'test';
  await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
  await j.setImage('reviews', IMAGE_V2);
  return { j, metrics };
}

/** Steps until `done`, the clock moving 11 s per pass (one measurement interval of 10 s and a bit). */
async function measureUntil(j: Journey, done: (r: Rollout) => boolean, passes = 60): Promise<Rollout> {
  for (let i = 0; i < passes; i++) {
    const r = await j.rollout('reviews');
    if (done(r)) return r;
    await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    j.clock.advance(11);
    await j.kubelet.sync();
  }
  const r = await j.rollout('reviews');
  throw new Error(`rollout ${j.ns}/reviews did not reach the expected state: ${JSON.stringify(r.status)}`);
}

async function runs(j: Journey): Promise<AnalysisRun[]> {
  return (await j.gw.list('analysisruns', j.ns)).items as unknown as AnalysisRun[];
}

describe('journey: analysis step', () => {
  it('a healthy canary passes its analysis (2 measurements) and is promoted', async () => {
    const { j, metrics } = await begin('an-pass', [{ setWeight: 20 }, STEP, { setWeight: 60 }]);
    const h1 = (await j.rollout('reviews')).status?.stableRS;
    const done = await measureUntil(j, (r) => r.status?.phase === 'Healthy' && r.status.stableRS !== h1);
    const hash = done.status?.currentPodHash ?? '';
    expect(done.status?.stableRS).toBe(hash);
    const [run] = await runs(j);
    expect(run?.metadata.name).toBe(`reviews-${hash}-2-1`);
    expect(run?.metadata.labels).toMatchObject({ 'rollout-type': 'Step', 'step-index': '1' });
    expect(run?.status?.phase).toBe('Successful');
    expect(run?.status?.metricResults?.[0]).toMatchObject({ count: 2, successful: 2 });
    expect(metrics.calls).toHaveLength(2);
    expect(metrics.calls[0]?.metric.provider.prometheus?.query).toContain(ARGS[0]?.value);
    const events = await j.events('reviews');
    expect(events.map((e) => e.message)).toContain('Rollout step 2/3 completed (analysis)');
    expect(events.map((e) => e.reason)).toContain('AnalysisRunSuccessful');
  });

  it("a failing canary is aborted with Argo's message and its weights go back to 0", async () => {
    const { j } = await begin('an-fail', [{ setWeight: 20 }, STEP, { setWeight: 60 }]);
    await measureUntil(j, (r) => r.status?.canary?.currentStepAnalysisRunStatus !== undefined);
    const runName = (await j.rollout('reviews')).status?.canary?.currentStepAnalysisRunStatus?.name;
    j.deps.metrics = Object.assign(new FakeMetrics(j.clock.now), { value: 0.2 });
    const aborted = await measureUntil(j, (r) => r.status?.phase === 'Degraded');
    const why = 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)';
    const message = `Rollout aborted update to revision 2: Step-based analysis phase error/failed: ${why}`;
    expect(aborted.status?.message).toBe(`RolloutAborted: ${message}`);
    expect(aborted.status).toMatchObject({ abort: true, currentStepIndex: 0 });
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 100],
      ['reviews-canary', 0],
    ]);
    const run = (await runs(j)).find((r) => r.metadata.name === runName);
    expect(run?.status).toMatchObject({ phase: 'Failed', message: why });
    const events = await j.events('reviews');
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'Warning', reason: 'RolloutAborted', message }),
    );
  });

  it('an Inconclusive run pauses the Rollout; promote moves it on and it completes', async () => {
    const { j, metrics } = await begin('an-incon', [{ setWeight: 20 }, STEP, { setWeight: 60 }]);
    metrics.value = 0.7;
    const paused = await measureUntil(j, (r) => r.status?.phase === 'Paused');
    expect(paused.status).toMatchObject({
      message: 'InconclusiveAnalysisRun',
      controllerPause: true,
      currentStepIndex: 1,
    });
    expect(paused.status?.abort).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      j.clock.advance(60);
      await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    }
    expect((await j.rollout('reviews')).status?.currentStepIndex).toBe(1);
    expect(await j.action('reviews', 'promote', 1)).toMatchObject({ ok: true });
    const done = await measureUntil(j, (r) => r.status?.phase === 'Healthy');
    expect(done.status?.stableRS).toBe(done.status?.currentPodHash);
  });
});

describe('journey: background analysis', () => {
  it('aborts the update at step 3 when the error rate rises', async () => {
    const background = { templates: [{ templateName: 'success-rate' }], args: ARGS };
    const steps = [{ setWeight: 20 }, { setWeight: 40 }, { pause: {} }, { setWeight: 80 }];
    const { j, metrics } = await begin('an-bg', steps, { background, count: 0 });
    const at3 = await measureUntil(j, (r) => r.status?.currentStepIndex === 2 && r.status.phase === 'Paused');
    const bg = at3.status?.canary?.currentBackgroundAnalysisRunStatus;
    expect(bg?.name).toBe(`reviews-${at3.status?.currentPodHash}-2`);
    metrics.value = 0.1;
    const aborted = await measureUntil(j, (r) => r.status?.phase === 'Degraded');
    expect(aborted.status?.message).toBe(
      'RolloutAborted: Rollout aborted update to revision 2: Background analysis phase error/failed: Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
    );
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 100],
      ['reviews-canary', 0],
    ]);
  });
});
