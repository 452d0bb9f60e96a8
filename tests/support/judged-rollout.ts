/**
 * A Rollout judged by its analysis on the real test cluster, for the status views' tests: v1 installed, v2 released,
 * its `success-rate` step run measured once by the metric stand-in (value 0.2: Failed), so the Rollout is aborted
 * with Argo's message and the run holds one Failed measurement.
 */
import { runStep } from '../../shared/app/step.js';
import type { Rollout } from '../../shared/core/model/types.js';
import { FakeMetrics, successRateTemplate } from './fake-metrics.js';
import { startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';

const ARGS = [{ name: 'service', value: 'reviews-canary.default.svc.cluster.local' }];

/** The Rollout aborted by its step run, and the run's name. */
export async function abortedByAnalysis(prefix: string): Promise<{ j: Journey; run: string }> {
  const steps = [
    { setWeight: 20 },
    { analysis: { templates: [{ templateName: 'success-rate' }], args: ARGS } },
  ];
  const j = await startJourney(prefix, [...hostSeed({ steps }), successRateTemplate({ count: 2 })]);
  j.deps.metrics = Object.assign(new FakeMetrics(j.clock.now), { value: 0.2 });
  j.deps.cluster = 'test';
  await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
  await j.setImage('reviews', IMAGE_V2);
  let run = '';
  for (let i = 0; i < 60; i++) {
    const r: Rollout = await j.rollout('reviews');
    run ||= r.status?.canary?.currentStepAnalysisRunStatus?.name ?? '';
    if (r.status?.phase === 'Degraded') return { j, run };
    await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    j.clock.advance(11);
    await j.kubelet.sync();
  }
  await j.stop();
  throw new Error(`rollout ${j.ns}/reviews was not aborted by its analysis`);
}
