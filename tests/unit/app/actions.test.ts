import { describe, expect, it } from '@jest/globals';
import { applyOperatorAction, describeSummary } from '../../../shared/app/actions.js';
import type { RolloutStatus } from '../../../shared/core/model/types.js';
import { MemoryGateway } from './memory-gateway.js';
import { NS, rollout } from './fixtures.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const paused: RolloutStatus = {
  currentStepIndex: 1,
  currentPodHash: 'new',
  stableRS: 'old',
  pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }],
  controllerPause: true,
  phase: 'Paused',
};

function setup(status: RolloutStatus = paused, specPaused = false): MemoryGateway {
  const gw = new MemoryGateway();
  const r = rollout(status);
  if (specPaused) r.spec.paused = true;
  gw.put('rollouts', r);
  return gw;
}

const deps = (gw: MemoryGateway) => ({ gateway: gw, now: () => NOW });

describe('applyOperatorAction', () => {
  it('promote clears the pause conditions on the status subresource with a resourceVersion precondition, and records an Event', async () => {
    const gw = setup();
    const rv = gw.read('rollouts', NS, 'reviews')?.metadata.resourceVersion;
    const res = await applyOperatorAction(deps(gw), {
      namespace: NS,
      name: 'reviews',
      action: 'promote',
      expectedStep: 1,
      actor: 'cli:test',
    });
    expect(res).toMatchObject({
      ok: true,
      outcome: 'accepted',
      before: { step: 1, pauseConditions: 1 },
      after: { pauseConditions: 0 },
    });
    const write = gw.writes().find((c) => c.resource === 'rollouts');
    expect(write).toMatchObject({
      verb: 'mergePatch',
      subresource: 'status',
      body: { metadata: { resourceVersion: rv }, status: { pauseConditions: null } },
    });
    const events = gw.writes().filter((c) => c.resource === 'events');
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0]?.body)).toContain('promote by cli:test');
  });

  it.each([
    {
      case: 'promote expecting another step',
      action: 'promote',
      status: paused,
      expectedStep: 0,
      outcome: 'conflict',
    },
    {
      case: 'abort of a fully promoted Rollout',
      action: 'abort',
      status: { currentStepIndex: 3, stableRS: 'a', currentPodHash: 'a' },
      expectedStep: undefined,
      outcome: 'conflict',
    },
    {
      case: 'promote of an aborted Rollout',
      action: 'promote',
      status: { ...paused, abort: true },
      expectedStep: undefined,
      outcome: 'conflict',
    },
  ] as const)('refuses $case with zero writes', async ({ action, status, expectedStep, outcome }) => {
    const gw = setup(status as RolloutStatus);
    const res = await applyOperatorAction(deps(gw), {
      namespace: NS,
      name: 'reviews',
      action,
      actor: 'cli:test',
      ...(expectedStep !== undefined ? { expectedStep } : {}),
    });
    expect(res).toMatchObject({ ok: false, outcome });
    expect(gw.writes()).toHaveLength(0);
  });

  it('answers not-found for a missing Rollout', async () => {
    const gw = new MemoryGateway();
    expect(
      await applyOperatorAction(deps(gw), { namespace: NS, name: 'nope', action: 'abort', actor: 'x' }),
    ).toMatchObject({ ok: false, outcome: 'not-found' });
    expect(gw.writes()).toHaveLength(0);
  });

  it('resume of a spec-paused Rollout writes the spec, then the status with the new resourceVersion', async () => {
    const gw = setup(paused, true);
    const res = await applyOperatorAction(deps(gw), {
      namespace: NS,
      name: 'reviews',
      action: 'resume',
      actor: 'x',
    });
    expect(res.ok).toBe(true);
    const rolloutWrites = gw.writes().filter((c) => c.resource === 'rollouts');
    expect(rolloutWrites.map((c) => c.subresource ?? 'main')).toEqual(['main', 'status']);
    const stored = gw.read('rollouts', NS, 'reviews');
    expect(stored?.spec).toMatchObject({ paused: false });
    expect((stored?.status as RolloutStatus).pauseConditions).toBeUndefined();
  });

  it('retries a 409 while the step is unchanged, and answers conflict once the step moved', async () => {
    const gw = setup();
    let bumps = 0;
    gw.beforeWrite = (c) => {
      if (c.resource === 'rollouts' && bumps < 1) {
        bumps++;
        const cur = gw.read('rollouts', NS, 'reviews');
        if (cur) gw.put('rollouts', cur); // same step, new resourceVersion
      }
    };
    expect(
      (await applyOperatorAction(deps(gw), { namespace: NS, name: 'reviews', action: 'abort', actor: 'x' }))
        .ok,
    ).toBe(true);
    const gw2 = setup();
    gw2.beforeWrite = (c) => {
      if (c.resource === 'rollouts') {
        const cur = gw2.read('rollouts', NS, 'reviews');
        if (cur) gw2.put('rollouts', { ...cur, status: { ...(cur.status as object), currentStepIndex: 2 } });
      }
    };
    const res = await applyOperatorAction(deps(gw2), {
      namespace: NS,
      name: 'reviews',
      action: 'abort',
      actor: 'x',
    });
    expect(res).toMatchObject({ ok: false, outcome: 'conflict' });
    expect((gw2.read('rollouts', NS, 'reviews')?.status as RolloutStatus).abort).toBeUndefined();
  });

  it.each([
    { case: 'the pause conditions cleared (another promote)', change: { pauseConditions: [] } },
    { case: 'controllerPause cleared', change: { controllerPause: false } },
    { case: 'abort set', change: { abort: true } },
    { case: 'promoteFull set', change: { promoteFull: true } },
    { case: 'a new pod hash', change: { currentPodHash: 'newer' } },
  ])(
    'a 409 after $case at the same step is a conflict: re-decided from the fresh state, nothing written',
    async ({ change }) => {
      const gw = setup();
      gw.beforeWrite = (c) => {
        if (c.resource !== 'rollouts') return;
        gw.beforeWrite = undefined;
        const cur = gw.read('rollouts', NS, 'reviews');
        if (cur) gw.put('rollouts', { ...cur, status: { ...(cur.status as object), ...change } });
      };
      const res = await applyOperatorAction(deps(gw), {
        namespace: NS,
        name: 'reviews',
        action: 'promote',
        expectedStep: 1,
        actor: 'x',
      });
      expect(res).toMatchObject({ ok: false, outcome: 'conflict' });
      // The one write attempted is the refused first one; the stored status is the other writer's.
      expect(gw.writes()).toHaveLength(1);
      expect(gw.read('rollouts', NS, 'reviews')?.status).toEqual({ ...paused, ...change });
    },
  );

  it('a 409 after spec.paused was set at the same step is a conflict with nothing written', async () => {
    const gw = setup();
    gw.beforeWrite = (c) => {
      if (c.resource !== 'rollouts') return;
      gw.beforeWrite = undefined;
      const cur = gw.read('rollouts', NS, 'reviews');
      if (cur) gw.put('rollouts', { ...cur, spec: { ...(cur.spec as object), paused: true } } as typeof cur);
    };
    const res = await applyOperatorAction(deps(gw), {
      namespace: NS,
      name: 'reviews',
      action: 'abort',
      actor: 'x',
    });
    expect(res).toMatchObject({ ok: false, outcome: 'conflict' });
    expect(gw.writes()).toHaveLength(1);
    expect((gw.read('rollouts', NS, 'reviews')?.status as RolloutStatus).abort).toBeUndefined();
  });
});

describe('describeSummary', () => {
  const base = {
    step: 1,
    steps: 4,
    phase: 'Paused',
    paused: false,
    pauseConditions: 0,
    abort: false,
    promoteFull: false,
  };
  it.each([
    {
      case: 'a pause condition is shown, so clearing it reads as a change',
      s: { ...base, pauseConditions: 1 },
      text: 'step 1/4 Paused (pause condition)',
    },
    { case: 'no flags', s: base, text: 'step 1/4 Paused' },
    {
      case: 'several flags',
      s: { ...base, paused: true, abort: true },
      text: 'step 1/4 Paused (spec paused, aborted)',
    },
    { case: 'no state', s: undefined, text: 'unknown' },
  ])('$case', ({ s, text }) => {
    expect(describeSummary(s)).toBe(text);
  });
});
