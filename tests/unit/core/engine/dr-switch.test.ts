/** Subset-level splitting: DestinationRule subset labels and the switch delay (#2507). */
import { describe, expect, it } from '@jest/globals';
import { destinationRuleHashes, drWrite } from '../../../../shared/core/engine/dr-switch.js';
import type { TrafficInput } from '../../../../shared/core/engine/types.js';
import {
  ANNOTATIONS,
  LABELS,
  type KubeObject,
  type ReplicaSet,
} from '../../../../shared/core/model/types.js';
import { NS, T0, destinationRule, rollout } from './support/fixtures.js';

const withHashes = (canary: string | undefined, stable: string | undefined, adopted = true): KubeObject => {
  const dr = destinationRule();
  const subsets = (dr.spec as { subsets: { name: string; labels: Record<string, string> }[] }).subsets;
  for (const s of subsets) {
    const hash = s.name === 'canary' ? canary : stable;
    if (hash) s.labels[LABELS.podTemplateHash] = hash;
  }
  if (adopted) dr.metadata.annotations = { [ANNOTATIONS.managedBy]: 'demo' };
  return dr;
};
const rs = (hash: string, available: number, replicas = 2): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: `demo-${hash}`, namespace: NS, labels: { [LABELS.podTemplateHash]: hash } },
  spec: { replicas, selector: {}, template: {} },
  status: { replicas, availableReplicas: available },
});

describe('destinationRuleHashes', () => {
  it.each<{ case: string; dr: KubeObject | undefined; want: string[] }>([
    { case: 'both subsets labelled', dr: withHashes('b', 'a'), want: ['b', 'a'] },
    { case: 'unlabelled subset gives ""', dr: withHashes(undefined, 'a'), want: ['', 'a'] },
    { case: 'no DestinationRule', dr: undefined, want: [] },
    { case: 'subsets not a list', dr: { ...destinationRule(), spec: { subsets: 'x' } }, want: [] },
  ])('$case', ({ dr, want }) => {
    expect(destinationRuleHashes(dr)).toEqual(want);
  });
});

const input = (
  dr: KubeObject | undefined,
  replicaSets: ReplicaSet[],
  kind: 'subset' | 'host' = 'subset',
): TrafficInput => {
  const r = rollout(kind);
  return {
    observed: {
      rollout: r,
      replicaSets,
      services: {},
      virtualServices: [],
      ...(dr ? { destinationRule: dr } : {}),
      now: T0,
    },
    rollout: r,
    newHash: 'b',
    stableHash: 'a',
    atDesiredCounts: true,
  };
};

describe('drWrite', () => {
  it.each<{ case: string; in: TrafficInput; weight: number; want: 'none' | 'write' | string }>([
    {
      case: 'no DestinationRule referenced',
      in: input(withHashes('a', 'a'), [rs('a', 2), rs('b', 2)], 'host'),
      weight: 25,
      want: 'none',
    },
    {
      case: 'DestinationRule not found',
      in: input(undefined, [rs('a', 2), rs('b', 2)]),
      weight: 25,
      want: 'none',
    },
    {
      case: 'subsets already right',
      in: input(withHashes('b', 'a'), [rs('a', 2), rs('b', 2)]),
      weight: 25,
      want: 'none',
    },
    {
      case: 'canary flip onto an available ReplicaSet',
      in: input(withHashes('a', 'a'), [rs('a', 2), rs('b', 2)]),
      weight: 25,
      want: 'write',
    },
    {
      case: 'canary flip while canary weight is 0 is never delayed',
      in: input(withHashes('a', 'a'), [rs('a', 2), rs('b', 0)]),
      weight: 0,
      want: 'write',
    },
    {
      case: 'canary flip onto a partly available ReplicaSet with traffic waits',
      in: input(withHashes('a', 'a'), [rs('a', 2), rs('b', 1)]),
      weight: 25,
      want: 'delaying destination rule switch: ReplicaSet demo-b not fully available',
    },
    {
      case: 'canary flip onto a missing ReplicaSet with traffic waits',
      in: input(withHashes('a', 'a'), [rs('a', 2)]),
      weight: 25,
      want: 'delaying destination rule switch: ReplicaSet with hash b does not exist',
    },
    {
      case: 'stable flip onto an unavailable ReplicaSet waits',
      in: input(withHashes('b', 'z'), [rs('a', 0), rs('b', 2)]),
      weight: 25,
      want: 'delaying destination rule switch: ReplicaSet demo-a not fully available',
    },
    {
      case: 'stable flip with all traffic on the canary is never delayed',
      in: input(withHashes('b', 'z'), [rs('a', 0), rs('b', 2)]),
      weight: 100,
      want: 'write',
    },
  ])('$case', ({ in: i, weight, want }) => {
    const got = drWrite(i, 'b', weight);
    expect(got.waiting ?? (got.write ? 'write' : 'none')).toBe(want);
    if (got.waiting) expect(got.write).toBeUndefined();
  });

  it('writes the subset labels guarded by resourceVersion, with its UpdatedDestinationRule Event', () => {
    const got = drWrite(input(withHashes('a', 'a'), [rs('a', 2), rs('b', 2)]), 'b', 25);
    expect(got.write).toMatchObject({
      op: 'patch',
      target: { resource: 'destinationrules', namespace: NS, name: 'demo-dr' },
      reason: 'DestinationRule demo-dr: canary → b, stable → a',
    });
    const patch = got.write?.op === 'patch' ? got.write.patch : [];
    expect(patch[0]).toEqual({ op: 'test', path: '/metadata/resourceVersion', value: '1' });
    expect(got.write?.events).toEqual([
      {
        type: 'Normal',
        reason: 'UpdatedDestinationRule',
        message: 'DestinationRule demo-dr subset updated (canary: b, stable: a)',
      },
    ]);
  });
});
