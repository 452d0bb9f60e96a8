/** plan(observed): which kind of pass runs, and that it is pure (same observation, same plan; input untouched). */
import { describe, expect, it } from '@jest/globals';
import { plan } from '../../../../shared/core/engine/plan.js';
import { drive } from './support/drive.js';
import { World } from './support/fixtures.js';

const healthyWorld = (): World => {
  const w = new World('host');
  drive(w);
  return w;
};

describe('plan', () => {
  it.each<{ case: string; world: () => World; transition: string | undefined; effects: number }>([
    {
      case: 'a new Rollout is initialized with its first ReplicaSet',
      world: () => new World('host'),
      transition: 'initialized',
      // Only the ReplicaSet: the revision annotation waits for the first status commit (next pass).
      effects: 1,
    },
    {
      case: 'an invalid Rollout gets InvalidSpec and no effects',
      world: () => {
        const w = new World('host');
        w.rollout.spec.strategy!.canary!.steps = [{ setWeight: 120 }];
        return w;
      },
      transition: 'invalid-spec',
      effects: 0,
    },
    {
      case: 'a new pod template starts a new revision',
      world: () => {
        const w = healthyWorld();
        w.updateImage('demo:2');
        return w;
      },
      transition: 'new-revision',
      // Create the ReplicaSet, then set the Rollout's revision annotation to its revision.
      effects: 2,
    },
    { case: 'a Healthy Rollout has nothing to do', world: healthyWorld, transition: undefined, effects: 0 },
  ])('$case', ({ world, transition, effects }) => {
    const p = plan(world().observed());
    expect(p.transition).toBe(transition);
    expect(p.effects).toHaveLength(effects);
    expect(p.reason).not.toBe('');
  });

  it('is pure: the same observation gives the same plan and is not mutated', () => {
    const w = healthyWorld();
    w.updateImage('demo:2');
    const observed = w.observed();
    const copy = structuredClone(observed);
    const first = plan(observed);
    expect(plan(observed)).toEqual(first);
    expect(observed).toEqual(copy);
  });
});
