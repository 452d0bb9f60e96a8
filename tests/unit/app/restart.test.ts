/** The restart's evictions over the gateway: budget, 429 and 404 skipped, other errors stop the pass. */
import { describe, expect, it } from '@jest/globals';
import type { Observed } from '../../../shared/core/engine/types.js';
import type { RestartPod } from '../../../shared/core/engine/restart.js';
import type { ReplicaSet, Rollout } from '../../../shared/core/model/types.js';
import { evictForRestart } from '../../../shared/app/restart.js';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';
import { MemoryGateway } from './memory-gateway.js';

const NS = 'shop';
const AT = '2026-01-01T00:05:00Z';
const NOW = new Date('2026-01-01T00:10:00Z');

function rollout(maxUnavailable: number, restartedAt?: string): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace: NS, uid: 'ro' },
    spec: {
      replicas: 3,
      restartAt: AT,
      selector: { matchLabels: { app: 'web' } },
      strategy: { canary: { maxUnavailable } },
    },
    status: restartedAt ? { restartedAt } : {},
  };
}
const rs: ReplicaSet = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-h1', namespace: NS, uid: 'rs' },
  spec: { replicas: 3 },
};
const pod = (name: string, created = '2026-01-01T00:00:00Z'): RestartPod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: NS,
    creationTimestamp: created,
    labels: { app: 'web' },
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-h1', uid: 'rs', controller: true },
    ],
  },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

function setup(maxUnavailable: number, names = ['a', 'b', 'c']) {
  const gw = new MemoryGateway();
  const pods = names.map((n) => pod(n));
  for (const p of pods) gw.put('pods', p);
  const observed: Observed = {
    rollout: rollout(maxUnavailable),
    replicaSets: [rs],
    services: {},
    virtualServices: [],
    now: NOW,
    pods,
  };
  return { gw, observed };
}
const evictions = (gw: MemoryGateway) => gw.writes().map((c) => `${c.verb} ${c.name}`);
const err = (code: number, name: string) =>
  new KubeApiError(
    { verb: 'create', resource: 'pods/eviction', namespace: NS, name },
    code,
    'x',
    `HTTP ${code}`,
  );

describe('evictForRestart', () => {
  it('evicts in list order up to the budget (maxUnavailable 2 of 3 → 2)', async () => {
    const { gw, observed } = setup(2);
    expect(await evictForRestart(gw, observed)).toEqual({ evicted: ['a', 'b'], skipped: [] });
    expect(evictions(gw)).toEqual(['evict a', 'evict b']);
    expect(gw.read('pods', NS, 'c')).toBeDefined();
  });

  it('a 429 (disruption budget) is skipped and does not use the budget; a 404 likewise', async () => {
    const { gw, observed } = setup(1);
    gw.beforeWrite = (c) => {
      if (c.name === 'a') throw err(429, 'a');
      if (c.name === 'b') throw err(404, 'b');
    };
    expect(await evictForRestart(gw, observed)).toEqual({ evicted: ['c'], skipped: ['a', 'b'] });
    expect(gw.read('pods', NS, 'a')).toBeDefined();
  });

  it('any other error stops the pass: thrown, nothing more evicted', async () => {
    const { gw, observed } = setup(2);
    gw.beforeWrite = (c) => {
      if (c.name === 'a') throw err(500, 'a');
    };
    await expect(evictForRestart(gw, observed)).rejects.toThrow('HTTP 500');
    expect(evictions(gw)).toEqual(['evict a']);
    expect(['a', 'b', 'c'].every((n) => gw.read('pods', NS, n) !== undefined)).toBe(true);
  });

  it('no restart due (already recorded) or pods not read: nothing sent', async () => {
    const { gw, observed } = setup(2);
    expect(await evictForRestart(gw, { ...observed, rollout: rollout(2, AT) })).toBeUndefined();
    const { pods: _unread, ...withoutPods } = observed;
    expect(await evictForRestart(gw, withoutPods)).toBeUndefined();
    expect(gw.writes()).toEqual([]);
  });
});
