/**
 * The engine never crosses a manual pause on its own: over step layouts with manual pauses anywhere (first, last,
 * back to back, between weights), the planner stops at every manual pause with a `RolloutPaused`, and goes past it
 * only after a promotion of that very pause. A second promote of the same pause is a conflict, and a promote that
 * skips a promoted pause onto the next one leaves that next pause to be entered (and announced) afresh.
 */
import { describe, expect, it } from '@jest/globals';
import { operatorAction } from '../../../../shared/core/engine/actions.js';
import type { CanaryStep } from '../../../../shared/core/model/types.js';
import { T0, World } from './support/fixtures.js';
import { drive, messages } from './support/drive.js';

const W = (setWeight: number): CanaryStep => ({ setWeight });
const P: CanaryStep = { pause: {} };

const LAYOUTS: { case: string; steps: CanaryStep[] }[] = [
  { case: 'one pause between weights', steps: [W(25), P, W(75)] },
  { case: 'two pauses between weights', steps: [W(25), P, W(50), P, W(75)] },
  { case: 'pauses back to back', steps: [W(25), P, P, W(75)] },
  { case: 'a pause first', steps: [P, W(50)] },
  { case: 'a pause last', steps: [W(25), W(50), P] },
  { case: 'three pauses back to back, nothing else', steps: [P, P, P] },
];

const manualPauses = (steps: CanaryStep[]): number[] =>
  steps.flatMap((s, i) => (s.pause && s.pause.duration === undefined ? [i] : []));

/** Applies an accepted decision's status patch as the status subresource would (null deletes). */
function applyStatus(w: World, res: ReturnType<typeof operatorAction>): void {
  if (!res.ok) throw new Error(`action refused: ${res.message}`);
  const patch = res.statusPatch as { status?: Record<string, unknown> } | undefined;
  if (patch?.status) w.setStatus(patch.status);
}

function updated(steps: CanaryStep[]): { w: World; paused: string[] } {
  const w = new World('host', steps);
  drive(w);
  w.updateImage('demo:2');
  return { w, paused: messages(drive(w).events, 'RolloutPaused') };
}

describe('the engine at manual pauses', () => {
  it.each(LAYOUTS)(
    '$case: stops at every manual pause, each crossed by a promotion of its own',
    ({ steps }) => {
      const start = updated(steps);
      const w = start.w;
      let paused = start.paused;
      const crossed: number[] = [];
      for (const pause of manualPauses(steps)) {
        expect(w.rollout.status?.currentStepIndex).toBe(pause);
        expect(w.rollout.status?.pauseConditions?.length).toBe(1);
        expect(paused).toHaveLength(1);
        applyStatus(w, operatorAction(w.rollout, 'promote', { expectedStep: pause, now: T0 }));
        const dup = operatorAction(w.rollout, 'promote', { expectedStep: pause, now: T0 });
        expect(dup).toMatchObject({ ok: false, outcome: 'conflict' });
        crossed.push(pause);
        paused = messages(drive(w).events, 'RolloutPaused');
      }
      expect(crossed).toEqual(manualPauses(steps));
      expect(w.rollout.status?.currentStepIndex).toBe(steps.length);
      expect(w.rollout.status?.phase).toBe('Healthy');
    },
  );

  it.each(LAYOUTS.filter((l) => l.steps.some((s, i) => s.pause && l.steps[i + 1]?.pause)))(
    '$case: a promote without expected step on a promoted pause lands on the next pause, which still pauses',
    ({ steps }) => {
      const { w } = updated(steps);
      const first = w.rollout.status?.currentStepIndex as number;
      applyStatus(w, operatorAction(w.rollout, 'promote', { expectedStep: first, now: T0 }));
      applyStatus(w, operatorAction(w.rollout, 'promote', { now: T0 }));
      expect(w.rollout.status?.currentStepIndex).toBe(first + 1);
      const d = drive(w);
      expect(w.rollout.status?.currentStepIndex).toBe(first + 1);
      expect(w.rollout.status?.pauseConditions?.length).toBe(1);
      expect(messages(d.events, 'RolloutPaused')).toHaveLength(1);
      expect(messages(d.events, 'RolloutStepCompleted')).toEqual([]);
    },
  );
});
