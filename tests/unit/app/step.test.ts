import { describe, expect, it } from '@jest/globals';
import { runStep, runUntilSettled, type StepDeps } from '../../../shared/app/step.js';
import type { Observed, Plan } from '../../../shared/core/engine/types.js';
import type { KubeObject } from '../../../shared/core/model/types.js';
import { MemoryGateway } from './memory-gateway.js';
import { NS, plan, rollout } from './fixtures.js';

const vs: KubeObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: NS },
  spec: { http: [] },
};
const NOW = new Date('2026-01-01T00:00:00Z');

/** A stub planner: advances one step per pass until `last`, and rewrites the VS label to the step. */
function advancing(last: number, seen: Observed[] = []): (o: Observed) => Plan {
  return (o) => {
    seen.push(o);
    const i = o.rollout.status?.currentStepIndex ?? 0;
    const vsObj = o.virtualServices[0]?.object;
    const effects =
      vsObj?.metadata.labels?.step === String(i)
        ? []
        : [
            {
              op: 'patch' as const,
              target: { resource: 'virtualservices' as const, namespace: NS, name: 'reviews' },
              patch: [
                {
                  op: 'test' as const,
                  path: '/metadata/resourceVersion',
                  value: vsObj?.metadata.resourceVersion,
                },
                { op: 'add' as const, path: '/metadata/labels', value: { step: String(i) } },
              ],
              reason: `weights for step ${i}`,
            },
          ];
    if (i >= last) return plan({ effects, reason: 'all steps done' });
    return plan({
      effects,
      status: { ...o.rollout.status, currentStepIndex: i + 1 },
      transition: 'step-completed',
      reason: `step ${i} completed`,
      events: [],
    });
  };
}

function setup(step = 0): { gw: MemoryGateway; deps: (p: StepDeps['plan']) => StepDeps } {
  const gw = new MemoryGateway();
  gw.put('virtualservices', vs);
  gw.put(
    'rollouts',
    rollout({
      currentStepIndex: step,
      phase: 'Progressing',
      canary: { weights: { canary: { weight: 20 }, stable: { weight: 80 } } },
    }),
  );
  return { gw, deps: (p) => ({ gateway: gw, now: () => NOW, plan: p as NonNullable<StepDeps['plan']> }) };
}

describe('runStep', () => {
  it('observes the Rollout, its VirtualService and Services, applies effects and commits one transition', async () => {
    const { gw, deps } = setup(0);
    const seen: Observed[] = [];
    const r = await runStep(deps(advancing(3, seen)), { namespace: NS, name: 'reviews' });
    expect(r).toMatchObject({
      rollout: 'shop/reviews',
      outcome: 'ran',
      stepBefore: 0,
      stepAfter: 1,
      transition: 'step-completed',
      writes: 2,
      followUp: true,
      weights: { canary: 20, stable: 80 },
    });
    expect(seen[0]?.virtualServices).toEqual([
      expect.objectContaining({ key: { namespace: NS, name: 'reviews' }, index: 0 }),
    ]);
    expect(Object.keys(seen[0]?.services ?? {})).toEqual(['reviews-canary', 'reviews-stable']);
    expect(seen[0]?.now).toEqual(NOW);
    expect(gw.read('rollouts', NS, 'reviews')?.status).toMatchObject({ currentStepIndex: 1 });
  });

  it('reports a missing Rollout without writing', async () => {
    const gw = new MemoryGateway();
    const r = await runStep(
      { gateway: gw, now: () => NOW, plan: advancing(3) },
      { namespace: NS, name: 'reviews' },
    );
    expect(r).toMatchObject({
      outcome: 'not-found',
      reason: 'rollout not found',
      writes: 0,
      followUp: false,
    });
    expect(gw.writes()).toHaveLength(0);
  });

  it('treats an event for another step as stale: no transition and zero writes when the plan has one', async () => {
    const { gw, deps } = setup(2);
    const r = await runStep(deps(advancing(3)), { namespace: NS, name: 'reviews', expectedStep: 1 });
    expect(r).toMatchObject({
      outcome: 'stale',
      reason: 'stale event',
      stepBefore: 2,
      stepAfter: 2,
      writes: 0,
      followUp: false,
    });
    expect(r.transition).toBeUndefined();
    expect(gw.writes()).toHaveLength(0);
  });

  it('still applies derived effects for a stale event when the plan makes no transition', async () => {
    const { gw, deps } = setup(3);
    const r = await runStep(deps(advancing(3)), { namespace: NS, name: 'reviews', expectedStep: 1 });
    expect(r).toMatchObject({ outcome: 'stale', reason: 'stale event', writes: 1 });
    expect(gw.writes().map((c) => c.resource)).toEqual(['virtualservices']);
  });

  it('re-reads and re-plans after a conflicting commit, and does not advance past a concurrent transition', async () => {
    const { gw, deps } = setup(0);
    let injected = false;
    gw.beforeWrite = (c) => {
      if (!injected && c.subresource === 'status') {
        injected = true; // another writer commits the same transition first
        const cur = gw.read('rollouts', NS, 'reviews');
        if (cur) gw.put('rollouts', { ...cur, status: { ...(cur.status as object), currentStepIndex: 1 } });
      }
    };
    const seen: Observed[] = [];
    const r = await runStep(deps(advancing(3, seen)), { namespace: NS, name: 'reviews' });
    expect(seen).toHaveLength(2);
    expect(r).toMatchObject({ outcome: 'stale', reason: 'stale event', stepBefore: 1 });
    expect(gw.read('rollouts', NS, 'reviews')?.status).toMatchObject({ currentStepIndex: 1 });
  });

  it('records one DriftCorrected for a restoring write even when its status commit conflicts and is re-planned', async () => {
    const { gw, deps } = setup(0);
    // A foreign rewrite of the weights sluice had set: another manager owns them now.
    const managedFields = [
      { manager: 'argocd', operation: 'Update', fieldsV1: { 'f:spec': { 'f:http': {} } } },
    ];
    gw.put('virtualservices', {
      ...vs,
      metadata: { ...vs.metadata, managedFields },
      spec: { http: [{ name: 'primary', route: [{ weight: 100 }] }] },
    });
    const restoring = (o: Observed): Plan => {
      const read = o.virtualServices[0]?.object as KubeObject;
      const drifted =
        (read.spec as { http: { route: { weight: number }[] }[] }).http[0]?.route[0]?.weight !== 80;
      const effects = drifted
        ? [
            {
              op: 'patch' as const,
              target: { resource: 'virtualservices' as const, namespace: NS, name: 'reviews' },
              patch: [
                {
                  op: 'test' as const,
                  path: '/metadata/resourceVersion',
                  value: read.metadata.resourceVersion,
                },
                { op: 'replace' as const, path: '/spec/http/0/route/0/weight', value: 80 },
              ],
              reason: 'weights of the committed step',
            },
          ]
        : [];
      return plan({
        effects,
        status: { ...o.rollout.status, observedGeneration: '1' },
        transition: 'status-only',
        reason: 'observed generation',
      });
    };
    let conflicted = false;
    gw.beforeWrite = (c) => {
      if (!conflicted && c.subresource === 'status') {
        conflicted = true; // another writer touches the Rollout between the restoring write and the commit
        const cur = gw.read('rollouts', NS, 'reviews');
        if (cur) gw.put('rollouts', cur);
      }
    };
    const r = await runStep(deps(restoring), { namespace: NS, name: 'reviews' });
    const events = [...gw.objects.values()].filter((o) => o.kind === 'Event');
    expect(events.map((e) => [e['reason'], e['message']])).toEqual([
      [
        'DriftCorrected',
        `VirtualService ${NS}/reviews drifted from the committed step; restored: http[primary] ?=100 -> http[primary] ?=80`,
      ],
    ]);
    expect(r.driftCorrected?.map((c) => [c.before, c.after])).toEqual([
      ['http[primary] ?=100', 'http[primary] ?=80'],
    ]);
    expect(conflicted).toBe(true);
    expect(r.transition).toBe('status-only');
  });

  it('records no DriftCorrected for the writes of a pass that commits a step', async () => {
    const { gw, deps } = setup(0);
    const r = await runStep(deps(advancing(3)), { namespace: NS, name: 'reviews' });
    expect(r.writes).toBe(2);
    expect(r.driftCorrected).toBeUndefined();
    expect([...gw.objects.values()].filter((o) => o.kind === 'Event')).toEqual([]);
  });

  it('gives up after the bounded number of conflicts and throws the conflict', async () => {
    const { gw, deps } = setup(0);
    gw.beforeWrite = (c) => {
      if (c.resource === 'virtualservices') {
        const cur = gw.read('virtualservices', NS, 'reviews');
        if (cur) gw.put('virtualservices', cur); // bump the resourceVersion every time
      }
    };
    await expect(
      runStep({ ...deps(advancing(3)), maxConflicts: 2 }, { namespace: NS, name: 'reviews' }),
    ).rejects.toMatchObject({ isConflict: true });
    expect(gw.writes().filter((c) => c.resource === 'virtualservices')).toHaveLength(3);
  });

  it('rethrows errors that are not conflicts without retrying', async () => {
    const { gw, deps } = setup(0);
    gw.beforeWrite = () => {
      throw new Error('boom');
    };
    const seen: Observed[] = [];
    await expect(runStep(deps(advancing(3, seen)), { namespace: NS, name: 'reviews' })).rejects.toThrow(
      'boom',
    );
    expect(seen).toHaveLength(1);
  });
});

describe('runUntilSettled', () => {
  it('loops while there is follow-up work and stops when settled', async () => {
    const { gw, deps } = setup(0);
    const results = await runUntilSettled(deps(advancing(3)), { namespace: NS, name: 'reviews' });
    expect(results.map((r) => r.stepAfter)).toEqual([1, 2, 3, 3, 3]);
    expect(results.map((r) => r.writes)).toEqual([2, 2, 2, 1, 0]);
    expect(results.at(-1)?.followUp).toBe(false);
    expect(gw.read('virtualservices', NS, 'reviews')?.metadata.labels).toEqual({ step: '3' });
  });

  it("plans on the clock as it reads after the pass's reads, so a pause started here is timed from its commit", async () => {
    const { gw, deps } = setup(0);
    // A slow API server: every read moves the clock 400 ms on.
    let clock = NOW.getTime();
    const get = gw.get.bind(gw);
    const list = gw.list.bind(gw);
    gw.get = async (...a: Parameters<MemoryGateway['get']>) => ((clock += 400), get(...a));
    gw.list = async (...a: Parameters<MemoryGateway['list']>) => ((clock += 400), list(...a));
    const seen: Observed[] = [];
    const d = { ...deps(advancing(3, seen)), now: () => new Date(clock) };
    await runStep(d, { namespace: NS, name: 'reviews' });
    expect(clock).toBeGreaterThan(NOW.getTime() + 400);
    expect(seen[0]?.now.getTime()).toBe(clock);
  });

  it('moves the wake-up the plan asked for on by the time its writes took', async () => {
    const { gw, deps } = setup(0);
    // A throttled client: every write moves the clock 700 ms on.
    let clock = NOW.getTime();
    const patch = gw.patch.bind(gw);
    const mergePatch = gw.mergePatch.bind(gw);
    gw.patch = async (...a: Parameters<MemoryGateway['patch']>) => ((clock += 700), patch(...a));
    gw.mergePatch = async (...a: Parameters<MemoryGateway['mergePatch']>) => (
      (clock += 700),
      mergePatch(...a)
    );
    const asked = new Date(NOW.getTime() + 30_000);
    const planner = (o: Observed): Plan => ({
      ...advancing(3)(o),
      wakeAt: asked.toISOString(),
      requeueAfterSeconds: 30,
      wakeFromCommit: true,
    });
    const r = await runStep(
      { ...deps(planner), now: () => new Date(clock) },
      { namespace: NS, name: 'reviews' },
    );
    expect(r.writes).toBeGreaterThan(0);
    expect(clock - NOW.getTime()).toBe(700 * r.writes);
    expect(r.wakeAt).toBe(new Date(asked.getTime() + 700 * r.writes).toISOString());
    expect(r.requeueAfterSeconds).toBe(30);
  });

  it('keeps an absolute wake-up (a recorded end, a deadline) as asked, however long the writes took', async () => {
    const { gw, deps } = setup(0);
    let clock = NOW.getTime();
    const patch = gw.patch.bind(gw);
    gw.patch = async (...a: Parameters<MemoryGateway['patch']>) => ((clock += 700), patch(...a));
    const asked = new Date(NOW.getTime() + 30_000).toISOString();
    const planner = (o: Observed): Plan => ({ ...advancing(3)(o), wakeAt: asked, requeueAfterSeconds: 30 });
    const r = await runStep(
      { ...deps(planner), now: () => new Date(clock) },
      { namespace: NS, name: 'reviews' },
    );
    expect(r.writes).toBeGreaterThan(0);
    expect(clock).toBeGreaterThan(NOW.getTime());
    expect(r.wakeAt).toBe(asked);
  });

  it('keeps the wake-up as asked when the pass wrote nothing', async () => {
    const { deps } = setup(3);
    // The clock moves a second on at every reading.
    let clock = NOW.getTime();
    const asked = new Date(NOW.getTime() + 5_000).toISOString();
    const planner = (): Plan => plan({ reason: 'waiting for pods', wakeAt: asked, requeueAfterSeconds: 5 });
    const r = await runStep(
      { ...deps(planner), now: () => new Date((clock += 1000)) },
      { namespace: NS, name: 'reviews' },
    );
    expect(r.writes).toBe(0);
    expect(r.wakeAt).toBe(asked);
  });

  it('tells the plan the time the timer that asked for the pass was set for, and nothing otherwise', async () => {
    const { deps } = setup(0);
    const seen: Observed[] = [];
    const wokenAt = new Date(NOW.getTime() - 250);
    await runStep(deps(advancing(3, seen)), { namespace: NS, name: 'reviews', wokenAt });
    await runStep(deps(advancing(3, seen)), { namespace: NS, name: 'reviews' });
    expect(seen.map((o) => o.wokenAt)).toEqual([wokenAt, undefined]);
  });

  it('stops after maxPasses', async () => {
    const { deps } = setup(0);
    expect(await runUntilSettled(deps(advancing(100)), { namespace: NS, name: 'reviews' }, 4)).toHaveLength(
      4,
    );
  });
});
