/**
 * AnalysisRun garbage collection on the real kube-apiserver, driven through the same use cases as the functions: a
 * Rollout through several revisions with step analysis keeps exactly the runs Argo Rollouts would (runs of a
 * ReplicaSet deleted under revisionHistoryLimit go with it; successfulRunHistoryLimit), a run whose ttlStrategy
 * expires is deleted at its time, racing deletes converge, a dry run deletes nothing, and a run the Rollout does not
 * own is never touched.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AnalysisRun } from '../../shared/core/analysis/types.js';
import type { Rollout } from '../../shared/core/model/types.js';
import { observe } from '../../shared/app/observe.js';
import { applyPlan } from '../../shared/app/apply.js';
import { runStep, runUntilSettled } from '../../shared/app/step.js';
import { KubeApiError } from '../../shared/app/kube-port/errors.js';
import { plan } from '../../shared/core/engine/plan.js';
import { FakeMetrics, successRateTemplate } from '../support/fake-metrics.js';
import { recordingGateway } from '../support/faults/recording-gateway.js';
import { startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed } from '../journeys/fixtures.js';

const REVISION = 'rollout.argoproj.io/revision';
const HASH = 'rollouts-pod-template-hash';
const RUNS = '/apis/argoproj.io/v1alpha1/namespaces/{ns}/analysisruns';
const ARGS = [{ name: 'service', value: 'reviews-canary.default.svc.cluster.local' }];
const STEP = { analysis: { templates: [{ templateName: 'success-rate' }], args: ARGS } };
const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

let j: Journey;
/** The run name of each revision's analysis step, by revision. */
const runOf = new Map<number, string>();

const runs = async (): Promise<AnalysisRun[]> =>
  (await j.gw.list('analysisruns', j.ns)).items as unknown as AnalysisRun[];
const runNames = async (): Promise<string[]> => (await runs()).map((r) => r.metadata.name ?? '').sort();
const named = (...revisions: number[]): string[] => revisions.map((v) => runOf.get(v) ?? `none-${v}`).sort();

/** Revision `v` (image `:v<v>`) through its analysis step to Healthy; the clock moves 11 s per pass. */
async function revision(v: number): Promise<Rollout> {
  await sleep(1000 - (Date.now() % 1000) + 20); // distinct creation seconds, so "newest first" is by time
  await j.setImage('reviews', `registry.example/reviews:v${v}`);
  for (let i = 0; i < 60; i++) {
    const r = await j.rollout('reviews');
    const step = r.status?.canary?.currentStepAnalysisRunStatus?.name;
    if (step) runOf.set(v, step);
    const done = r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash;
    if (done && r.metadata.annotations?.[REVISION] === String(v)) return r;
    await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    j.clock.advance(11);
    await j.kubelet.sync();
  }
  throw new Error(`revision ${v} of ${j.ns}/reviews did not become Healthy`);
}

/** A run with the same labels as the Rollout's, owned by something else. */
function foreignRun(name: string, hash: string): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name,
      labels: { [HASH]: hash, 'rollout-type': 'Step', 'step-index': '1' },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'other',
          uid: '0b1d5e7a-0000-4000-8000-000000000001',
          controller: true,
        },
      ],
    },
    spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://x' } } }] },
  };
}

beforeAll(async () => {
  const seed = hostSeed({
    steps: [{ setWeight: 20 }, STEP, { setWeight: 60 }],
    canary: { scaleDownDelaySeconds: 0 },
  });
  (seed[3] as { spec: Record<string, unknown> }).spec['revisionHistoryLimit'] = 1;
  j = await startJourney('run-gc', [...seed, successRateTemplate({ count: 2 })]);
  j.deps.metrics = new FakeMetrics(j.clock.now);
  j.deps.cluster = 'test';
  await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
  await j.gw.create('analysisruns', j.ns, foreignRun('foreign-abc123', 'abc123') as never);
});

afterAll(async () => {
  await j.stop();
});

describe('AnalysisRun history', () => {
  it('three revisions with step analysis and revisionHistoryLimit 1: the runs of the deleted ReplicaSet go with it', async () => {
    await revision(2);
    await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(await runNames()).toEqual([...named(2), 'foreign-abc123'].sort());
    await revision(3);
    await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    // Revision 1's ReplicaSet went (no run); revision 2's run stays with its ReplicaSet.
    expect(await runNames()).toEqual([...named(2, 3), 'foreign-abc123'].sort());
    await revision(4);
    await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    const hashes = (await j.gw.list('replicasets', j.ns)).items.map((rs) => rs.metadata.labels?.[HASH]);
    expect(hashes).toHaveLength(2);
    // Revision 2's ReplicaSet was deleted under revisionHistoryLimit 1, and its run with it.
    expect(await runNames()).toEqual([...named(3, 4), 'foreign-abc123'].sort());
    const left = await runs();
    expect(
      left.filter((r) => r.metadata.name !== 'foreign-abc123').every((r) => r.status?.phase === 'Successful'),
    ).toBe(true);
  });

  it('dry run with successfulRunHistoryLimit 1: the plan deletes the older run, nothing is deleted', async () => {
    await j.patch('/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/reviews', {
      spec: { analysis: { successfulRunHistoryLimit: 1 } },
    });
    const observed = await observe(j.gw, j.ns, 'reviews', j.clock.now());
    if (!observed) throw new Error('rollout not found');
    const p = plan(observed);
    const deletes = p.effects
      .filter((w) => w.op === 'delete')
      .map((w) => `${w.target.resource} ${w.target.name}`);
    expect(deletes).toEqual([`analysisruns ${runOf.get(3)}`]);
    const before = await runs();
    const rec = recordingGateway(j.gw);
    await applyPlan(rec.gw, observed.rollout, p, { observed, dryRun: true });
    expect(rec.acceptedWrites().filter((c) => c.dryRun !== true)).toEqual([]);
    expect(rec.acceptedWrites().some((c) => c.verb === 'delete')).toBe(true);
    expect((await runs()).map((r) => r.metadata.resourceVersion)).toEqual(
      before.map((r) => r.metadata.resourceVersion),
    );
  });

  it('a run changed between the read and the delete is not deleted (409); one already gone counts as done', async () => {
    const victim = runOf.get(3) ?? '';
    const observed = await observe(j.gw, j.ns, 'reviews', j.clock.now());
    if (!observed) throw new Error('rollout not found');
    const p = plan(observed);
    await j.patch(`${RUNS}/${victim}`, { metadata: { annotations: { 'sluice.test/touched': '1' } } });
    const rec = recordingGateway(j.gw);
    const outcome = await applyPlan(rec.gw, observed.rollout, p, { observed }).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(KubeApiError);
    expect((outcome as KubeApiError).isConflict).toBe(true);
    expect(rec.acceptedWrites()).toEqual([]);
    expect(await runNames()).toContain(victim);
    // Re-read and re-planned, the delete lands; a concurrent pass that deleted it first makes this one a no-op.
    const again = await observe(j.gw, j.ns, 'reviews', j.clock.now());
    if (!again) throw new Error('rollout not found');
    const p2 = plan(again);
    await j.gw.delete({ resource: 'analysisruns', namespace: j.ns, name: victim });
    const result = await applyPlan(j.gw, again.rollout, p2, { observed: again });
    expect(result.alreadyDone).toBe(1);
    expect(await runNames()).toEqual([...named(4), 'foreign-abc123'].sort());
    const settled = await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(settled.at(-1)?.writes).toBe(0);
  });

  it('ttlStrategy: the run is deleted when it expires, and the pass before wakes up for that instant', async () => {
    const name = runOf.get(4) ?? '';
    const run = (await runs()).find((r) => r.metadata.name === name);
    const completedAt = Date.parse(run?.status?.completedAt ?? '');
    expect(Number.isNaN(completedAt)).toBe(false);
    const ttl = Math.ceil((j.clock.now().getTime() - completedAt) / 1000) + 100;
    await j.patch(`${RUNS}/${name}`, { spec: { ttlStrategy: { secondsAfterCompletion: ttl } } });
    const expiry = completedAt + (ttl + 1) * 1000;
    const before = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(before.wakeAt).toBe(new Date(expiry).toISOString());
    expect(await runNames()).toContain(name);
    j.clock.advance((expiry - 1 - j.clock.now().getTime()) / 1000);
    expect((await runStep(j.deps, { namespace: j.ns, name: 'reviews' })).writes).toBe(0);
    expect(await runNames()).toContain(name);
    j.clock.advance(0.001);
    const at = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(at.writes).toBe(1);
    // Only the foreign run with the Rollout's labels is left: never touched.
    expect(await runNames()).toEqual(['foreign-abc123']);
    const foreign = (await runs())[0];
    expect(foreign?.metadata.annotations).toBeUndefined();
  });
});
