/** RolloutParseError names the Rollout and the field. */
import { describe, expect, it } from '@jest/globals';
import { RolloutParseError } from '../../../../shared/core/model/errors.js';

describe('RolloutParseError', () => {
  it.each<{ rollout: string | undefined; path: string; want: string }>([
    {
      rollout: 'shop/reviews',
      path: 'spec.replicas',
      want: 'Rollout shop/reviews: spec.replicas: expected an integer',
    },
    { rollout: undefined, path: 'spec.replicas', want: 'Rollout: spec.replicas: expected an integer' },
    { rollout: 'shop/reviews', path: '', want: 'Rollout shop/reviews: expected an integer' },
    { rollout: undefined, path: '', want: 'Rollout: expected an integer' },
  ])('$rollout $path', ({ rollout, path, want }) => {
    const cause = new Error('inner');
    const e = new RolloutParseError(rollout, path, 'expected an integer', { cause });
    expect(e.message).toBe(want);
    expect(e.name).toBe('RolloutParseError');
    expect(e.path).toBe(path);
    expect(e.rollout).toBe(rollout);
    expect(e.cause).toBe(cause);
    expect(e).toBeInstanceOf(Error);
  });
});
