/**
 * Events recorded where Argo Rollouts records them (`rollout/sync.go`): RolloutNotCompleted when an update starts
 * (and, with RolloutCompleted "Initial deploy", on the first deploy), RolloutResumed only when the pass itself
 * removed the last pause condition (a timed pause ended, promote --full), never for an operator's promote.
 */
import { describe, expect, it } from '@jest/globals';
import { plan } from '../../../../shared/core/engine/plan.js';
import { drive, messages } from './support/drive.js';
import { World } from './support/fixtures.js';

/** A healthy world with a new image, driven until it pauses at the first (indefinite) pause. */
function pausedAtStep2(): World {
  const w = new World('host');
  drive(w);
  w.updateImage('demo:2');
  drive(w);
  return w;
}

describe('Events as Argo records them', () => {
  it('the initial deploy records RolloutNotCompleted then RolloutCompleted "Initial deploy"', () => {
    const events = plan(new World('host').observed()).events.map((e) => `${e.reason}: ${e.message}`);
    const notCompleted = events.findIndex((e) => e.startsWith('RolloutNotCompleted: '));
    const completed = events.findIndex((e) => /^RolloutCompleted: .*: Initial deploy$/.test(e));
    expect(notCompleted).toBeGreaterThanOrEqual(0);
    expect(completed).toBeGreaterThan(notCompleted);
  });

  it.each<{ case: string; world: () => World; change: (w: World) => void; want: Record<string, number> }>([
    {
      case: 'a new revision records RolloutNotCompleted once',
      world: () => {
        const w = new World('host');
        drive(w);
        return w;
      },
      change: (w) => w.updateImage('demo:2'),
      want: { RolloutNotCompleted: 1, RolloutResumed: 0 },
    },
    {
      case: "an operator's promote (pause condition removed) records no RolloutResumed",
      world: pausedAtStep2,
      change: (w) => w.setStatus({ pauseConditions: null }),
      want: { RolloutResumed: 0, RolloutStepCompleted: 2 },
    },
    {
      case: 'promote --full (the pass clears the pause) records RolloutResumed',
      world: pausedAtStep2,
      change: (w) => w.setStatus({ promoteFull: true }),
      want: { RolloutResumed: 1, RolloutCompleted: 1 },
    },
    {
      case: 'a timed pause ending records RolloutResumed',
      world: () => {
        const w = pausedAtStep2();
        w.setStatus({ pauseConditions: null });
        drive(w);
        return w;
      },
      change: (w) => (w.now = new Date(w.now.getTime() + 31_000)),
      want: { RolloutResumed: 1, RolloutCompleted: 1 },
    },
  ])('$case', ({ world, change, want }) => {
    const w = world();
    change(w);
    const { events } = drive(w);
    for (const [reason, n] of Object.entries(want))
      expect([reason, messages(events, reason).length]).toEqual([reason, n]);
  });
});
