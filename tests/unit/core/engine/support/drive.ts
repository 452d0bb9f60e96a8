/** Drives the planner over a World until nothing is left to do (pods become ready between passes). */
import { plan, plannedEvents } from '../../../../../shared/core/engine/plan.js';
import type { EventRecord, Plan } from '../../../../../shared/core/engine/types.js';
import type { World } from './fixtures.js';

export interface Drive {
  plans: Plan[];
  events: EventRecord[];
  last: Plan;
}

/** Plans and applies until a plan is empty (no effects, no status); pods settle after each pass. */
export function drive(world: World, opts: { settle?: boolean; max?: number } = {}): Drive {
  const plans: Plan[] = [];
  for (let i = 0; i < (opts.max ?? 30); i++) {
    const p = plan(world.observed());
    plans.push(p);
    if (p.effects.length === 0 && p.status === undefined) {
      return { plans, events: plans.flatMap(plannedEvents), last: p };
    }
    world.apply(p);
    if (opts.settle !== false) world.settle();
  }
  throw new Error(`no fixpoint after ${opts.max ?? 30} passes: ${plans.map((p) => p.reason).join(' | ')}`);
}

/** The event messages of a drive, by reason. */
export function messages(events: EventRecord[], reason: string): string[] {
  return events.filter((e) => e.reason === reason).map((e) => e.message);
}
