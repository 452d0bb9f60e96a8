/** The InvalidSpec message for the first problem of a Rollout and what it references; none when usable. */
import { describe, expect, it } from '@jest/globals';
import { validationError } from '../../../../shared/core/engine/validation.js';
import { World } from './support/fixtures.js';

describe('validationError', () => {
  it.each<{ case: string; edit: (w: World) => void; want: RegExp | undefined }>([
    { case: 'host-level Rollout with everything present', edit: () => undefined, want: undefined },
    {
      case: 'spec problem comes first',
      edit: (w) => {
        w.rollout.spec.strategy!.canary!.steps = [{ setWeight: 120 }];
        delete w.services['demo-canary'];
      },
      want: /^The Rollout "demo" is invalid: .*SetWeight needs to be between 0 and 100/,
    },
    {
      case: 'missing canary Service',
      edit: (w) => delete w.services['demo-canary'],
      want: /^The Rollout "demo" is invalid: .*demo-canary/,
    },
    {
      case: 'missing VirtualService',
      edit: (w) => (w.virtualServices = {}),
      want: /^The Rollout "demo" is invalid: .*demo-vs/,
    },
  ])('$case', ({ edit, want }) => {
    const w = new World('host');
    edit(w);
    const got = validationError(w.observed());
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(want);
  });

  it('subset-level: a missing DestinationRule is reported', () => {
    const w = new World('subset');
    expect(validationError(w.observed())).toBeUndefined();
    delete w.destinationRule;
    expect(validationError(w.observed())).toMatch(/^The Rollout "demo" is invalid: .*demo-dr/);
  });
});
