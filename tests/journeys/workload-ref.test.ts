/**
 * `spec.workloadRef` on the real kube-apiserver: a Rollout without a template takes the pod template and selector of
 * an `apps/v1` Deployment in its namespace (the test cluster runs no controller-manager, so the Deployment makes no
 * pods: sluice only reads its template and scales it). It goes Healthy, a template change in the Deployment runs
 * the canary, `scaleDown` scales the Deployment as Argo Rollouts does, and a missing Deployment, another kind or a
 * Deployment in another namespace is refused with Argo's error and no write but the InvalidSpec status.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { sandboxBackend, type JourneyBackend } from '../support/journey-backends.js';
import type { KubeObject } from '../../shared/core/model/types.js';
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';
import { decorateGateway } from '../../shared/app/kube-port/decorate.js';
import { runStep } from '../../shared/app/step.js';
import { observe } from '../../shared/app/observe.js';
import { applyPlan } from '../../shared/app/apply.js';
import { plan } from '../../shared/core/engine/plan.js';
import { startJourney, type Journey } from './harness.js';
import { deployment, IMAGE_V1, IMAGE_V2, workloadRefSeed } from './fixtures.js';

let journeys: Journey[] = [];
afterEach(async () => {
  await Promise.all(journeys.map((j) => j.stop()));
  journeys = [];
});

async function start(prefix: string, seed: unknown[], backend?: JourneyBackend): Promise<Journey> {
  const j = await startJourney(prefix, seed, backend ? { backend } : {});
  journeys.push(j);
  return j;
}

const replicasOf = (o: KubeObject): number | undefined => (o.spec as { replicas?: number }).replicas;
const imageOf = (o: KubeObject): string | undefined =>
  (o.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]?.image;

/**
 * Runs passes until the Deployment has `replicas` (or fails after 40 passes), returning each count seen with the
 * Rollout's phase when it was first seen.
 */
async function passUntilDeploymentAt(
  j: Journey,
  replicas: number,
): Promise<{ replicas: number; phase: string }[]> {
  const seen: { replicas: number; phase: string }[] = [];
  for (let i = 0; i < 40; i++) {
    const n = replicasOf(await j.get('deployments', 'reviews')) ?? -1;
    const phase = (await j.rollout('reviews')).status?.phase ?? 'none';
    if (seen[seen.length - 1]?.replicas !== n) seen.push({ replicas: n, phase });
    if (n === replicas) return seen;
    const res = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    if (!res.followUp) await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error(`Deployment ${j.ns}/reviews not at ${replicas} replicas: ${JSON.stringify(seen)}`);
}

/** A gateway that records every call (method, resource, name). */
function recording(inner: KubeGateway): { gw: KubeGateway; calls: string[] } {
  const calls: string[] = [];
  const gw = decorateGateway(inner, {
    around: (request, send) => (calls.push(`${request.method} ${request.resource}`), send(inner)),
  });
  return { gw, calls };
}

let sandbox: JourneyBackend;
beforeAll(async () => {
  sandbox = await sandboxBackend();
});
afterAll(() => sandbox.close());

describe('a Rollout with workloadRef to a Deployment', () => {
  it.each(['cluster', 'sandbox'])(
    'on the %s: goes Healthy on the Deployment template, and a template change in the Deployment runs the canary',
    async (where) => {
      const j = await start('wref-canary', workloadRefSeed(), where === 'sandbox' ? sandbox : undefined);
      const healthy = await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
      const rs = (await j.gw.list('replicasets', j.ns)).items;
      expect(rs.map(imageOf)).toEqual([IMAGE_V1]);
      expect(healthy.status?.workloadObservedGeneration).toBe('1');
      expect(healthy.status?.selector).toBe('app=reviews');
      expect(healthy.spec.template).toBeUndefined();
      expect(healthy.metadata.annotations?.['rollout.argoproj.io/workload-generation']).toBe('1');
      // scaleDown unset is "never": the Deployment keeps its replicas.
      expect(replicasOf(await j.get('deployments', 'reviews'))).toBe(4);

      await j.patch('/apis/apps/v1/namespaces/{ns}/deployments/reviews', {
        spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE_V2 }] } } },
      });
      const paused = await j.drive(
        'reviews',
        (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused',
      );
      expect(paused.status?.currentPodHash).not.toBe(healthy.status?.currentPodHash);
      expect(paused.status?.stableRS).toBe(healthy.status?.stableRS);
      expect(paused.status?.canary?.weights?.canary.weight).toBe(20);
      expect(paused.status?.workloadObservedGeneration).toBe('2');
      expect(paused.metadata.annotations?.['rollout.argoproj.io/workload-generation']).toBe('2');
      const canary = await j.get('replicasets', `reviews-${paused.status?.currentPodHash}`);
      expect(imageOf(canary)).toBe(IMAGE_V2);
      expect(paused.spec.template).toBeUndefined();
    },
  );

  it('scaleDown onsuccess: the Deployment is scaled to 0 once the Rollout is Healthy at revision 1', async () => {
    const j = await start('wref-onsuccess', workloadRefSeed({ ref: { scaleDown: 'onsuccess' } }));
    const seen = await passUntilDeploymentAt(j, 0);
    expect(seen).toEqual([
      { replicas: 4, phase: 'none' },
      { replicas: 0, phase: 'Healthy' },
    ]);
    const r = await j.rollout('reviews');
    expect(r.metadata.annotations?.['rollout.argoproj.io/revision']).toBe('1');
  });

  it('scaleDown progressively: the Deployment gives way as the Rollout becomes ready, and is 0 once Healthy', async () => {
    const j = await start('wref-progressive', workloadRefSeed({ ref: { scaleDown: 'progressively' } }));
    const seen = await passUntilDeploymentAt(j, 0);
    expect(seen[seen.length - 1]).toEqual({ replicas: 0, phase: 'Healthy' });
  });

  it('scaleDown never: the Deployment is left as it is', async () => {
    const j = await start('wref-never', workloadRefSeed({ ref: { scaleDown: 'never' } }));
    await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
    for (let i = 0; i < 3; i++) await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(replicasOf(await j.get('deployments', 'reviews'))).toBe(4);
  });

  it('with the server dry run, a pass writes nothing (no ReplicaSet, Deployment and Rollout unchanged)', async () => {
    const j = await start('wref-dry', workloadRefSeed({ ref: { scaleDown: 'onsuccess' } }));
    const before = await j.rollout('reviews');
    const deployBefore = await j.get('deployments', 'reviews');
    const observed = await observe(j.gw, j.ns, 'reviews', new Date());
    if (!observed) throw new Error('rollout not observed');
    const p = plan(observed);
    expect(p.effects.map((w) => w.target.resource)).toEqual(['replicasets']);
    await applyPlan(j.gw, observed.rollout, p, { dryRun: true });
    expect((await j.gw.list('replicasets', j.ns)).items).toEqual([]);
    expect((await j.rollout('reviews')).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect((await j.get('deployments', 'reviews')).metadata.resourceVersion).toBe(
      deployBefore.metadata.resourceVersion,
    );
  });
});

describe("a workloadRef sluice cannot resolve: Argo's InvalidSpec message, nothing but the status written", () => {
  async function refused(prefix: string, seed: unknown[], message: (ns: string) => string) {
    const j = await start(prefix, seed);
    const { gw, calls } = recording(j.gw);
    const vsBefore = await j.get('virtualservices', 'reviews');
    const res = await runStep({ ...j.deps, gateway: gw }, { namespace: j.ns, name: 'reviews' });
    const r = await j.rollout('reviews');
    const cond = r.status?.conditions?.find((c) => c.type === 'InvalidSpec');
    expect(cond?.message).toBe(`The Rollout "reviews" is invalid: ${message(j.ns)}`);
    expect(res.transition).toBe('invalid-spec');
    expect(res.writes).toBe(1);
    expect(calls.filter((c) => !c.startsWith('get') && !c.startsWith('list'))).toEqual([
      'patch rollouts',
      'create events',
    ]);
    expect((await j.gw.list('replicasets', j.ns)).items).toEqual([]);
    expect((await j.get('virtualservices', 'reviews')).metadata.resourceVersion).toBe(
      vsBefore.metadata.resourceVersion,
    );
    return { j, calls };
  }

  it('a missing Deployment', async () => {
    const seed = workloadRefSeed({ ref: { name: 'nope' } });
    await refused('wref-missing', seed, (ns) => `deployments.apps "${ns}/nope" not found`);
  });

  it('another kind (a StatefulSet): not looked up', async () => {
    const seed = workloadRefSeed({ ref: { kind: 'StatefulSet' } });
    const { calls } = await refused(
      'wref-kind',
      seed,
      () => 'workload of type apps/StatefulSet is not supported',
    );
    expect(calls.filter((c) => c.includes('deployments'))).toEqual([]);
  });

  it('a Deployment of that name only in another namespace: never read there, nor scaled', async () => {
    const other = await start('wref-other', [deployment({ name: 'elsewhere', replicas: 3 })]);
    const seed = workloadRefSeed({ ref: { name: 'elsewhere', scaleDown: 'onsuccess' } });
    const { j } = await refused('wref-foreign', seed, (ns) => `deployments.apps "${ns}/elsewhere" not found`);
    expect(j.ns).not.toBe(other.ns);
    expect(replicasOf(await other.get('deployments', 'elsewhere'))).toBe(3);
    expect((await other.get('deployments', 'elsewhere')).metadata.generation).toBe(1);
  });

  it('a name with a namespace in it ("other/reviews"): looked up by no one', async () => {
    const seed = workloadRefSeed({ ref: { name: 'other/reviews' } });
    const { calls } = await refused(
      'wref-slash',
      seed,
      (ns) => `deployments.apps "${ns}/other/reviews" not found`,
    );
    expect(calls.filter((c) => c.includes('deployments'))).toEqual([]);
  });
});
