/**
 * The functions alone, chained through the events they emit (EventBridge mocked at the SDK boundary and replayed
 * into the matching function): schedule → sluice.step → step … → promote webhook → done; then the GitOps case,
 * where watch + drift-check put back a VirtualService rewritten to 100/0.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signRequest } from '../../shared/app/http-api/webhook-auth.js';
import { createScheduleHandler } from '../../functions/schedule/handler.js';
import { createStepHandler } from '../../functions/step/handler.js';
import { createPromoteHandler } from '../../functions/promote/handler.js';
import { createWatchHandler } from '../../functions/watch/handler.js';
import { createDriftCheckHandler } from '../../functions/drift-check/handler.js';
import type { HttpResponse } from '../../shared/app/http-api/response.js';
import { adminRequest } from '../support/cluster.js';
import { adminGateway, routeWeights, setImage, startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import {
  CLUSTER,
  SECRETS,
  busEvent,
  countingGateway,
  httpEvent,
  instanceLabelled,
  lambdaContext,
  mockEventBridge,
  scheduledEvent,
  testDeps,
  quiet,
} from './support.js';

// Unique per run: the shared test cluster keeps the namespaces (and Rollouts) of earlier runs.
const INSTANCE = `fn-flow-${randomBytes(3).toString('hex')}`;
const STEPS = [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }];

describe('the functions chained through their events', () => {
  let j: Journey;
  let bus: ReturnType<typeof mockEventBridge>;
  let counted: ReturnType<typeof countingGateway>;
  let deps: () => Promise<ReturnType<typeof testDeps>>;
  const ctx = () => lambdaContext();

  beforeAll(async () => {
    const seed = hostSeed({ steps: STEPS }).map((o) =>
      o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o,
    );
    j = await startJourney('fn-flow', seed);
    bus = mockEventBridge();
    counted = countingGateway(adminGateway());
    deps = async () => testDeps(counted.gw, INSTANCE);
  });
  afterAll(async () => {
    bus.mock.restore();
    await j.stop();
  });

  /** Runs schedule once, then delivers every sluice.step (and its follow-ups) to the step function. */
  async function tick(): Promise<string[]> {
    const schedule = createScheduleHandler(deps, quiet);
    const step = createStepHandler(deps, quiet);
    let seen = bus.entries().length;
    await schedule(scheduledEvent(), ctx());
    const types: string[] = [];
    for (let guard = 0; guard < 50 && bus.entries().length > seen; guard++) {
      const fresh = bus.entries().slice(seen);
      seen = bus.entries().length;
      for (const e of fresh) {
        types.push(e.detailType);
        if (e.detailType === 'sluice.step') await step(busEvent(e.detailType, e.detail), ctx());
      }
    }
    return types;
  }

  async function tickUntil(done: () => Promise<boolean>): Promise<string[]> {
    const all: string[] = [];
    for (let i = 0; i < 100 && !(await done()); i++) {
      all.push(...(await tick()));
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await done()).toBe(true);
    return all;
  }

  it('schedule lists nothing due once healthy, and emits nothing', async () => {
    await tickUntil(async () => (await j.rollout('reviews')).status?.phase === 'Healthy');
    const before = bus.entries().length;
    expect(await tick()).toEqual([]);
    expect(bus.entries().length).toBe(before);
  });

  it('a new image walks to the pause through schedule → step events, with transition notices', async () => {
    await setImage(j.ns, 'reviews', IMAGE_V2);
    const types = await tickUntil(async () => {
      const s = (await j.rollout('reviews')).status;
      return s?.currentStepIndex === 1 && s.phase === 'Paused';
    });
    expect(types).toContain('sluice.step');
    expect(types).toEqual(expect.arrayContaining(['sluice.step-completed', 'sluice.paused']));
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 80],
      ['reviews-canary', 20],
    ]);
    // Paused indefinitely: nothing due, nothing emitted.
    expect(await tick()).toEqual([]);
  });

  it('the promote webhook moves it on, and the step events finish the rollout', async () => {
    const promote = createPromoteHandler(deps, quiet);
    const body = JSON.stringify({ expectedStep: 1 });
    const key = SECRETS[0]!;
    const path = `/v1/clusters/${CLUSTER}/namespaces/${j.ns}/rollouts/reviews/promote`;
    const headers = {
      'content-type': 'application/json',
      ...signRequest({ secret: key.secret, keyId: key.id, method: 'POST', path, body, now: new Date() }),
    };
    const res = (await promote(httpEvent('POST', path, body, headers), ctx())) as HttpResponse;
    expect(res.statusCode).toBe(200);
    const types = await tickUntil(async () => (await j.rollout('reviews')).status?.phase === 'Healthy');
    expect(types).toContain('sluice.promoted');
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 100],
      ['reviews-canary', 0],
    ]);
  });

  it('GitOps: a VirtualService rewritten to 0/100 is restored by watch + drift-check, with DriftCorrected', async () => {
    const r = await j.rollout('reviews');
    expect(r.status?.phase).toBe('Healthy');
    // Start a new canary and stop at 20/80 so the committed weights differ from the git version (100/0).
    await setImage(j.ns, 'reviews', 'registry.example/reviews:v3');
    await tickUntil(async () => (await j.rollout('reviews')).status?.phase === 'Paused');
    const watch = createWatchHandler(deps, quiet, new Map());
    const driftCheck = createDriftCheckHandler(deps, quiet);
    const seen = bus.entries().length;
    // 33 s of Lambda time with 30 s held back: the watch runs for about 3 s.
    const watching = watch(scheduledEvent(), lambdaContext(33_000));
    await new Promise((r) => setTimeout(r, 1500));
    const driftStart = Date.now();
    const vs = (await j.get('virtualservices', 'reviews')) as { spec: { http: { route: unknown[] }[] } };
    const git = structuredClone(vs.spec.http);
    (git[0]!.route as { weight: number }[])[0]!.weight = 100;
    (git[0]!.route as { weight: number }[])[1]!.weight = 0;
    const put = await adminRequest(
      'PATCH',
      `/apis/networking.istio.io/v1/namespaces/${j.ns}/virtualservices/reviews`,
      {
        spec: { http: git },
      },
    );
    expect(put.status).toBe(200);
    const result = await watching;
    const drift = bus
      .entries()
      .slice(seen)
      .filter((e) => e.detailType === 'sluice.drift' && e.detail.kind === 'VirtualService');
    expect(drift.length).toBeGreaterThan(0);
    expect(result).toMatchObject({ clusters: 1 });
    for (const e of drift) await driftCheck(busEvent(e.detailType, e.detail), ctx());
    const restoredMs = Date.now() - driftStart;
    console.log(
      `GitOps drift: rewrite → restored in ${restoredMs} ms (includes waiting for the ~3 s watch invocation to end)`,
    );
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 80],
      ['reviews-canary', 20],
    ]);
    const events = await j.events('reviews');
    const corrected = events.filter((e) => e.reason === 'DriftCorrected');
    expect(corrected).toHaveLength(1);
    expect(corrected[0]!.message).toContain(`VirtualService ${j.ns}/reviews`);
    expect(corrected[0]!.message).toContain('reviews-stable=100');
    expect(corrected[0]!.message).toContain('reviews-stable=80');
    // A second drift-check with nothing drifted writes nothing and records nothing.
    const writes = counted.writes();
    await driftCheck(busEvent('sluice.drift', drift[0]!.detail), ctx());
    expect(counted.writes()).toBe(writes);
    expect((await j.events('reviews')).filter((e) => e.reason === 'DriftCorrected')).toHaveLength(1);
  });
});
