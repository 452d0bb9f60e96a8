/**
 * Drift is recorded whichever path puts it back, exactly once, on the real cluster: a VirtualService rewritten to
 * 100/0 behind sluice's back (the committed step says 80/20) and restored by a scheduled pass before the watch
 * reports it, by a step event, and by two passes at once. (Watch + drift-check: flow.test.ts; `sluice run`:
 * tests/cli/run-real.test.ts.) Each time one `DriftCorrected` Event names before → after, and the drift check
 * that follows writes nothing and records nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';
import { createScheduleHandler } from '../../functions/schedule/handler.js';
import { createStepHandler } from '../../functions/step/handler.js';
import { createDriftCheckHandler, type DriftCheckResult } from '../../functions/drift-check/handler.js';
import { adminRequest } from '../support/cluster.js';
import { adminGateway, routeWeights, startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed } from '../journeys/fixtures.js';
import {
  CLUSTER,
  busEvent,
  countingGateway,
  instanceLabelled,
  lambdaContext,
  mockEventBridge,
  scheduledEvent,
  testDeps,
  quiet,
} from './support.js';

// Unique per run: Rollouts other runs left on a shared cluster must not be listed, ticked or watched here.
const INSTANCE = `fn-drift-recorded-${randomBytes(3).toString('hex')}`;
const RESTORED = [
  ['reviews-stable', 80],
  ['reviews-canary', 20],
];

/** Lets every VirtualService patch wait until `parties` of them are waiting, so concurrent passes really race. */
function barrier(inner: KubeGateway, parties: number): { gw: KubeGateway; arrived: () => number } {
  let arrived = 0;
  let release: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (release = resolve));
  const gw: KubeGateway = {
    ...inner,
    get: (...a) => inner.get(...a),
    list: (...a) => inner.list(...a),
    watch: (...a) => inner.watch(...a),
    create: (...a) => inner.create(...a),
    mergePatch: (...a) => inner.mergePatch(...a),
    patch: async (target, ops, o) => {
      if (target.resource === 'virtualservices') {
        arrived++;
        if (arrived >= parties) release();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([all, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
        clearTimeout(timer);
      }
      return inner.patch(target, ops, o);
    },
  };
  return { gw, arrived: () => arrived };
}

describe('DriftCorrected is recorded once by whichever pass restores the change', () => {
  let j: Journey;
  let bus: ReturnType<typeof mockEventBridge>;
  const ctx = () => lambdaContext();
  const VS = () => `/apis/networking.istio.io/v1/namespaces/${j.ns}/virtualservices/reviews`;

  beforeAll(async () => {
    const seed = hostSeed({ steps: [{ setWeight: 20 }, { pause: {} }] }).map((o) =>
      o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o,
    );
    j = await startJourney('fn-drift-rec', seed);
    bus = mockEventBridge();
    await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
    await j.setImage('reviews', 'registry.example/reviews:v2');
    await j.drive('reviews', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1);
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual(RESTORED);
  }, 60_000);
  afterAll(async () => {
    bus.mock.restore();
    await j.stop();
  });

  /** A GitOps sync puts the weights back to the version in git (100/0), as another field manager. */
  async function rewrite(): Promise<void> {
    const vs = (await j.get('virtualservices', 'reviews')) as { spec: { http: { route: unknown[] }[] } };
    const http = structuredClone(vs.spec.http);
    (http[0]!.route as { weight: number }[])[0]!.weight = 100;
    (http[0]!.route as { weight: number }[])[1]!.weight = 0;
    expect((await adminRequest('PATCH', VS(), { spec: { http } })).status).toBe(200);
  }

  const corrected = async (): Promise<string[]> =>
    (await j.events('reviews')).filter((e) => e.reason === 'DriftCorrected').map((e) => e.message);

  const ONE_CORRECTION = expect.stringMatching(
    /^VirtualService \S+\/reviews drifted from the committed step; restored: http\[primary\] reviews-stable=100, reviews-canary=0 -> http\[primary\] reviews-stable=80, reviews-canary=20$/,
  );

  /** The watch reports the change late: the drift check finds it put right, and writes and records nothing. */
  async function lateDriftCheck(): Promise<void> {
    const counted = countingGateway(adminGateway());
    const driftCheck = createDriftCheckHandler(async () => testDeps(counted.gw, INSTANCE), quiet);
    const detail = {
      cluster: CLUSTER,
      namespace: j.ns,
      kind: 'VirtualService',
      name: 'reviews',
      resourceVersion: '1',
    };
    const result = (await driftCheck(busEvent('sluice.drift', detail), ctx())) as DriftCheckResult;
    expect(result).toEqual({ checked: [{ rollout: `${j.ns}/reviews`, writes: 0, corrected: false }] });
    expect(counted.writes()).toBe(0);
  }

  it('a scheduled pass (a spec change synced with the drift) restores it before the watch reports it', async () => {
    const before = await corrected();
    await rewrite();
    await j.patch(`/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/reviews`, {
      spec: { revisionHistoryLimit: 5 },
    });
    const deps = async () => testDeps(adminGateway(), INSTANCE);
    const seen = bus.entries().length;
    await createScheduleHandler(deps, quiet)(scheduledEvent(), ctx());
    const steps = bus
      .entries()
      .slice(seen)
      .filter((e) => e.detailType === 'sluice.step' && e.detail.namespace === j.ns);
    expect(steps).toHaveLength(1);
    await createStepHandler(deps, quiet)(busEvent('sluice.step', steps[0]!.detail), ctx());
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual(RESTORED);
    expect(await corrected()).toEqual([...before, ONE_CORRECTION]);
    await lateDriftCheck();
    expect(await corrected()).toEqual([...before, ONE_CORRECTION]);
  });

  it('a step event (an operator action or follow-up) restores it, with one DriftCorrected', async () => {
    const before = await corrected();
    await rewrite();
    const step = createStepHandler(async () => testDeps(adminGateway(), INSTANCE), quiet);
    await step(
      busEvent('sluice.step', { cluster: CLUSTER, namespace: j.ns, rollout: 'reviews', expectedStep: 1 }),
      ctx(),
    );
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual(RESTORED);
    expect(await corrected()).toEqual([...before, ONE_CORRECTION]);
    await lateDriftCheck();
    expect(await corrected()).toEqual([...before, ONE_CORRECTION]);
  });

  it('a step event and a drift check restoring it at the same moment record it once', async () => {
    const before = await corrected();
    await rewrite();
    const race = barrier(adminGateway(), 2);
    const deps = async () => testDeps(race.gw, INSTANCE);
    const detail = {
      cluster: CLUSTER,
      namespace: j.ns,
      kind: 'VirtualService',
      name: 'reviews',
      resourceVersion: '1',
    };
    const [, checked] = await Promise.all([
      createStepHandler(deps, quiet)(
        busEvent('sluice.step', { cluster: CLUSTER, namespace: j.ns, rollout: 'reviews' }),
        ctx(),
      ),
      createDriftCheckHandler(deps, quiet)(
        busEvent('sluice.drift', detail),
        ctx(),
      ) as Promise<DriftCheckResult>,
    ]);
    // Both passes read the drifted object and sent their conditional write; one landed, the other re-planned.
    expect(race.arrived()).toBe(2);
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual(RESTORED);
    expect(await corrected()).toEqual([...before, ONE_CORRECTION]);
    expect(checked).toMatchObject({ checked: [{ rollout: `${j.ns}/reviews` }] });
  });
});
