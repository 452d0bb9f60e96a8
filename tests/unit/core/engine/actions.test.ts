import { describe, expect, it } from '@jest/globals';
import { operatorAction } from '../../../../shared/core/engine/actions.js';
import type { OperatorActionName } from '../../../../shared/core/model/actions.js';
import type { Rollout, RolloutStatus } from '../../../../shared/core/model/types.js';
import { STEPS, T0, rollout } from './support/fixtures.js';

const at = (status: RolloutStatus, paused = false): Rollout => {
  const r = rollout('host', STEPS);
  return { ...r, spec: { ...r.spec, paused }, status };
};
const pausedAt1: RolloutStatus = {
  currentStepIndex: 1,
  stableRS: 'a',
  currentPodHash: 'b',
  controllerPause: true,
  pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }],
};
const running: RolloutStatus = { currentStepIndex: 0, stableRS: 'a', currentPodHash: 'b' };
/** The pause at step 1 promoted (its condition cleared), the engine yet to advance. */
const promotedAt1: RolloutStatus = { ...pausedAt1, pauseConditions: [] };
const healthy: RolloutStatus = { currentStepIndex: 4, stableRS: 'b', currentPodHash: 'b' };

describe('operatorAction', () => {
  it.each<{ case: string; r: Rollout; action: OperatorActionName; expectedStep?: number; want: object }>([
    {
      case: 'promote on a pause step clears the pause conditions',
      r: at(pausedAt1),
      action: 'promote',
      expectedStep: 1,
      want: { ok: true, statusPatch: { status: { pauseConditions: null } }, before: 1 },
    },
    {
      case: 'promote on a running step skips it',
      r: at(running),
      action: 'promote',
      want: {
        ok: true,
        statusPatch: { status: { pauseConditions: null, controllerPause: null, currentStepIndex: 1 } },
        before: 0,
      },
    },
    {
      case: 'promote of a pause already promoted, with the expected step, is a conflict',
      r: at(promotedAt1),
      action: 'promote',
      expectedStep: 1,
      want: { ok: false, outcome: 'conflict', message: expect.stringContaining('already promoted') },
    },
    {
      case: 'promote of a pause already promoted, without an expected step, skips it and clears controllerPause',
      r: at(promotedAt1),
      action: 'promote',
      want: {
        ok: true,
        statusPatch: { status: { pauseConditions: null, controllerPause: null, currentStepIndex: 2 } },
        before: 1,
      },
    },
    {
      case: 'promote with a stale expected step is a conflict',
      r: at(pausedAt1),
      action: 'promote',
      expectedStep: 0,
      want: { ok: false, outcome: 'conflict' },
    },
    {
      case: 'promote of a fully promoted rollout is a conflict',
      r: at(healthy),
      action: 'promote',
      want: { ok: false, outcome: 'conflict' },
    },
    {
      case: 'promote of an aborted rollout is a conflict',
      r: at({ ...running, abort: true }),
      action: 'promote',
      want: { ok: false, outcome: 'conflict' },
    },
    {
      case: 'promote unpauses a manually paused rollout',
      r: at(running, true),
      action: 'promote',
      want: { ok: true, specPatch: { spec: { paused: false } } },
    },
    {
      case: 'promote-full sets promoteFull',
      r: at(running),
      action: 'promote-full',
      want: { ok: true, statusPatch: { status: { promoteFull: true } } },
    },
    {
      case: 'abort sets abort',
      r: at(running),
      action: 'abort',
      want: { ok: true, statusPatch: { status: { abort: true } } },
    },
    {
      case: 'abort of a fully promoted rollout is a conflict',
      r: at(healthy),
      action: 'abort',
      want: { ok: false, outcome: 'conflict' },
    },
    {
      case: 'retry clears abort',
      r: at({ ...running, abort: true }),
      action: 'retry',
      want: { ok: true, statusPatch: { status: { abort: false } } },
    },
    {
      case: 'pause sets spec.paused',
      r: at(running),
      action: 'pause',
      want: { ok: true, specPatch: { spec: { paused: true } } },
    },
    {
      case: 'resume clears pause conditions and spec.paused',
      r: at(pausedAt1, true),
      action: 'resume',
      want: {
        ok: true,
        statusPatch: { status: { pauseConditions: null } },
        specPatch: { spec: { paused: false } },
      },
    },
  ])('$case', ({ r, action, expectedStep, want }) => {
    const res = operatorAction(r, action, {
      now: T0,
      ...(expectedStep === undefined ? {} : { expectedStep }),
    });
    expect(res).toMatchObject(want);
  });

  it('a skipping promote writes exactly the index, the pause conditions and controllerPause', () => {
    const res = operatorAction(at(running), 'promote', { now: T0 });
    expect(res).toEqual({
      ok: true,
      before: 0,
      statusPatch: { status: { pauseConditions: null, controllerPause: null, currentStepIndex: 1 } },
    });
  });

  it('a duplicate promote carrying the step it saw cannot skip the next step', () => {
    const first = operatorAction(at(running), 'promote', { expectedStep: 0, now: T0 });
    expect(first.ok).toBe(true);
    const moved = at({ ...running, currentStepIndex: 1 });
    const dup = operatorAction(moved, 'promote', { expectedStep: 0, now: T0 });
    expect(dup).toMatchObject({ ok: false, outcome: 'conflict' });
    expect(dup.ok ? '' : dup.message).toContain('not at the expected step 0');
  });
});
