/**
 * Exactly-once steps: concurrent duplicates make one transition; a crash after any write converges to the same
 * end state as an uninterrupted run (docs/reliability.md, promises 1 and 2).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';
import { decorateGateway } from '../../shared/app/kube-port/decorate.js';
import type { Rollout } from '../../shared/core/model/types.js';
import { runStep, runUntilSettled } from '../../shared/app/step.js';
import { routeWeights, selectorHash, setImage, startJourney, type Journey } from './harness.js';
import { hostSeed, IMAGE_V2 } from './fixtures.js';

const STEPS = [{ setWeight: 20 }, { setWeight: 40 }, { pause: {} }];

let journeys: Journey[] = [];
afterEach(async () => {
  await Promise.all(journeys.map((j) => j.stop()));
  journeys = [];
});

async function begin(prefix: string): Promise<Journey> {
  const j = await startJourney(prefix, hostSeed({ steps: STEPS }));
  journeys.push(j);
  await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
  await setImage(j.ns, 'reviews', IMAGE_V2);
  return j;
}

/** A gateway that fails with a network-style error after `k` successful writes (counting every write). */
function crashAfter(gw: KubeGateway, k: number): { gw: KubeGateway; writes: () => number } {
  let writes = 0;
  return {
    writes: () => writes,
    gw: decorateGateway(gw, {
      around: (request, send) => {
        if (!request.write) return send(gw);
        if (writes >= k) return Promise.reject(new Error(`injected crash after ${k} writes`));
        writes++;
        return send(gw);
      },
    }),
  };
}

/** The observable end state: status essentials, VS weights, selectors, RS replicas by hash. */
async function endState(j: Journey): Promise<unknown> {
  const r = await j.rollout('reviews');
  const s = r.status ?? {};
  const rss = await j.gw.list('replicasets', j.ns);
  return {
    step: s.currentStepIndex,
    phase: s.phase,
    pod: s.currentPodHash,
    stable: s.stableRS,
    weights: s.canary?.weights,
    pauses: s.pauseConditions?.map((p) => p.reason),
    vs: routeWeights(await j.get('virtualservices', 'reviews')),
    canarySvc: selectorHash(await j.get('services', 'reviews-canary')),
    stableSvc: selectorHash(await j.get('services', 'reviews-stable')),
    rs: Object.fromEntries(
      rss.items.map((x) => [
        x.metadata.labels?.['rollouts-pod-template-hash'],
        (x.spec as { replicas?: number }).replicas,
      ]),
    ),
  };
}

async function settleToPause(j: Journey): Promise<Rollout> {
  return j.drive(
    'reviews',
    (r) => r.status?.currentStepIndex === 2 && (r.status.pauseConditions?.length ?? 0) > 0,
  );
}

describe('journey: concurrency and crashes', () => {
  it('ten concurrent passes with the same expected step make exactly one transition', async () => {
    const j = await begin('conc');
    await settleToPause(j);
    expect(await j.action('reviews', 'promote', 2)).toMatchObject({ ok: true });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        runStep(j.deps, { namespace: j.ns, name: 'reviews', expectedStep: 2 }),
      ),
    );
    expect(results.filter((x) => x.transition === 'step-completed')).toHaveLength(1);
    expect(results.filter((x) => x.transition !== undefined && x.transition !== 'status-only')).toHaveLength(
      1,
    );
    expect(results.filter((x) => x.outcome === 'stale').length).toBeGreaterThan(0);
    expect((await j.rollout('reviews')).status?.currentStepIndex).toBe(3);
    const completed = (await j.events('reviews')).filter(
      (e) => e.reason === 'RolloutStepCompleted' && e.message === 'Rollout step 3/3 completed (pause)',
    );
    expect(completed.reduce((n, e) => n + e.count, 0)).toBe(1);
  });

  it('a crash after the k-th write, for every k, converges to the state of an uninterrupted run', async () => {
    const ref = await begin('crash-ref');
    await settleToPause(ref);
    const expected = await endState(ref);
    const totalWrites = ref.results.reduce((n, x) => n + x.writes, 0);
    expect(totalWrites).toBeGreaterThan(2);

    for (let k = 0; k < totalWrites; k++) {
      const j = await begin(`crash-${k}`);
      const faulty = crashAfter(j.gw, k);
      await runUntilSettled({ ...j.deps, gateway: faulty.gw }, { namespace: j.ns, name: 'reviews' }).catch(
        (e: Error) => {
          expect(e.message).toContain('injected crash');
        },
      );
      await settleToPause(j);
      const got = (await endState(j)) as Record<string, unknown>;
      const want = expected as Record<string, unknown>;
      expect({
        ...got,
        pod: 'h2',
        stable: 'h1',
        rs: Object.values(got.rs as object).sort(),
        weights: stripHashes(got.weights),
        canarySvc: got.canarySvc === got.pod,
        stableSvc: got.stableSvc === got.stable,
      }).toEqual({
        ...want,
        pod: 'h2',
        stable: 'h1',
        rs: Object.values(want.rs as object).sort(),
        weights: stripHashes(want.weights),
        canarySvc: want.canarySvc === want.pod,
        stableSvc: want.stableSvc === want.stable,
      });
      const steps = (await j.events('reviews'))
        .filter((e) => e.reason === 'RolloutStepCompleted')
        .map((e) => e.message);
      expect(new Set(steps).size).toBe(steps.length);
    }
  }, 180_000);
});

function stripHashes(w: unknown): unknown {
  return JSON.parse(JSON.stringify(w ?? null, (k, v: unknown) => (k === 'podTemplateHash' ? undefined : v)));
}
