/** The cluster request bound shared by the clients that may run at once: each client's bucket, and the refusals. */
import { describe, expect, it } from '@jest/globals';
import {
  clientShare,
  DEFAULT_CLUSTER_BOUND,
  maxRequestsIn,
  type ClusterBound,
} from '../../../../shared/adapters/kube/cluster-bound.js';

describe('clientShare', () => {
  it.each<[string, ClusterBound, { qps: number; burst: number }]>([
    ["the defaults: Argo's 40/80 over two invocations", DEFAULT_CLUSTER_BOUND, { qps: 20, burst: 40 }],
    ['40/80 over ten invocations', { qps: 40, burst: 80, concurrency: 10 }, { qps: 4, burst: 8 }],
    [
      'one client (sluice run) gets the whole bound',
      { qps: 40, burst: 80, concurrency: 1 },
      { qps: 40, burst: 80 },
    ],
    [
      'an uneven burst is rounded down, never above',
      { qps: 10, burst: 25, concurrency: 4 },
      { qps: 2.5, burst: 6 },
    ],
    [
      'a burst equal to the concurrency: one token each',
      { qps: 5, burst: 3, concurrency: 3 },
      { qps: 5 / 3, burst: 1 },
    ],
  ])('%s', (_title, bound, want) => {
    const share = clientShare(bound);
    expect(share).toEqual(want);
    // The clients together never exceed the bound, over any window.
    for (const t of [0, 1, 10])
      expect(bound.concurrency * maxRequestsIn(t, share)).toBeLessThanOrEqual(maxRequestsIn(t, bound) + 1e-9);
  });

  it.each<[string, ClusterBound, RegExp]>([
    [
      'a burst below the concurrency',
      { qps: 40, burst: 5, concurrency: 10 },
      /burst 5 is below the concurrency 10/,
    ],
    ['a zero rate', { qps: 0, burst: 80, concurrency: 10 }, /qps must be > 0, got 0/],
    ['no client', { qps: 40, burst: 80, concurrency: 0 }, /concurrency must be an integer >= 1, got 0/],
    ['a fractional concurrency', { qps: 40, burst: 80, concurrency: 2.5 }, /concurrency must be an integer/],
  ])('refuses %s, naming it', (_title, bound, message) => {
    expect(() => clientShare(bound)).toThrow(message);
  });
});

describe('maxRequestsIn', () => {
  it('is the burst plus the rate over the window', () => {
    expect(maxRequestsIn(0, { qps: 4, burst: 8 })).toBe(8);
    expect(maxRequestsIn(1, { qps: 4, burst: 8 })).toBe(12);
    expect(maxRequestsIn(2.5, { qps: 40, burst: 80 })).toBe(180);
  });
});
