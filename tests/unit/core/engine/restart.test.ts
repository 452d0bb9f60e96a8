/**
 * The pod restart (`spec.restartAt`) as Argo Rollouts' pod restarter decides it: tables named after its
 * `restart_test.go` cases, plus the budget arithmetic and the outcome of a pass.
 */
import { describe, expect, it } from '@jest/globals';
import type { ReplicaSet, Rollout } from '../../../../shared/core/model/types.js';
import type { Observed } from '../../../../shared/core/engine/types.js';
import { forbiddenEviction } from '../../../../shared/core/engine/tenancy.js';
import {
  formatLabelSelector,
  maxUnavailable,
  needsRestart,
  planRestart,
  podAvailable,
  restartInPass,
  restartOutcome,
  restartWakeAt,
  RESTART_CHECK_SECONDS,
  type RestartPod,
} from '../../../../shared/core/engine/restart.js';

const NS = 'shop';
const NOW = new Date('2026-01-01T00:10:00Z');
const AT = '2026-01-01T00:05:00Z';
const at = (offsetSeconds: number): string => new Date(Date.parse(AT) + offsetSeconds * 1000).toISOString();

function rollout(
  o: {
    replicas?: number;
    maxUnavailable?: number | string;
    maxSurge?: number | string;
    restartAt?: string;
    restartedAt?: string;
    minReadySeconds?: number;
  } = {},
): Rollout {
  const canary: Record<string, unknown> = {};
  if (o.maxUnavailable !== undefined) canary['maxUnavailable'] = o.maxUnavailable;
  if (o.maxSurge !== undefined) canary['maxSurge'] = o.maxSurge;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'restart-rollout', namespace: NS, uid: 'ro-uid' },
    spec: {
      ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
      selector: { matchLabels: { test: 'test' } },
      strategy: { canary },
      ...('restartAt' in o
        ? o.restartAt === undefined
          ? {}
          : { restartAt: o.restartAt }
        : { restartAt: AT }),
      ...(o.minReadySeconds === undefined ? {} : { minReadySeconds: o.minReadySeconds }),
    },
    status: o.restartedAt === undefined ? {} : { restartedAt: o.restartedAt },
  };
}

function rs(name: string, uid: string, replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: NS, uid },
    spec: { replicas, selector: { matchLabels: { test: 'test' } } },
    status: { replicas, availableReplicas: replicas },
  };
}

const RS = rs('rollout-restart-abc123', 'rs-uid', 1);

function pod(
  name: string,
  created: string,
  o: {
    owner?: string;
    ready?: boolean;
    label?: string;
    deleting?: boolean;
    readySince?: string;
    namespace?: string;
  } = {},
): RestartPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? NS,
      creationTimestamp: created,
      labels: { test: o.label ?? 'test' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: o.owner ?? 'rs-uid', controller: true },
      ],
      ...(o.deleting ? { deletionTimestamp: at(1) } : {}),
    },
    status: {
      conditions:
        o.ready === false
          ? []
          : [{ type: 'Ready', status: 'True', lastTransitionTime: o.readySince ?? at(-100) }],
    },
  };
}

const older = (name = 'older', o = {}) => pod(name, at(-10), o);
const newer = (name = 'newer', o = {}) => pod(name, at(10), o);

describe('needsRestart (NeedsRestart)', () => {
  it.each([
    ['.spec.restartAt not set', rollout({ restartAt: undefined }), false],
    ['restartAt passed, never restarted', rollout(), true],
    ['No Restart Needed: restartedAt equals restartAt', rollout({ restartedAt: AT }), false],
    ['restartedAt of an earlier restart', rollout({ restartedAt: at(-3600) }), true],
    ['restartAt in the future', rollout({ restartAt: at(3600) }), false],
    ['restartAt exactly now is not after it', rollout({ restartAt: NOW.toISOString() }), false],
    ['restartAt not a time', rollout({ restartAt: 'soon' }), false],
  ])('%s', (_name, r, want) => {
    expect(needsRestart(r, NOW)).toBe(want);
  });
});

describe('restartWakeAt (checkEnqueueRollout)', () => {
  it.each([
    ['.spec.restartAt not set', rollout({ restartAt: undefined }), undefined],
    ['.spec.restartAt has already past', rollout(), undefined],
    [
      'Enqueue Rollout for its restartAt',
      rollout({ restartAt: '2026-01-01T01:00:00Z' }),
      '2026-01-01T01:00:00.000Z',
    ],
    [
      'a future restartAt already recorded',
      rollout({ restartAt: '2026-01-01T01:00:00Z', restartedAt: '2026-01-01T01:00:00Z' }),
      undefined,
    ],
  ])('%s', (_name, r, want) => {
    expect(restartWakeAt(r, NOW)).toBe(want);
  });
});

describe('maxUnavailable (MaxUnavailable)', () => {
  it.each([
    ['default 25% of 4', { replicas: 4 }, 1],
    ['default 25% of 3 rounds down to 0, surge 1', { replicas: 3 }, 0],
    ['2 of 3', { replicas: 3, maxUnavailable: 2 }, 2],
    ['100% of 3', { replicas: 3, maxUnavailable: '100%' }, 3],
    ['more than replicas is capped', { replicas: 3, maxUnavailable: 5 }, 3],
    ['surge and unavailable both 0 → 1', { replicas: 3, maxUnavailable: 0, maxSurge: 0 }, 1],
    ['replicas 0', { replicas: 0, maxUnavailable: 2 }, 0],
    ['replicas unset defaults to 1', {}, 0],
  ])('%s', (_name, o, want) => {
    expect(maxUnavailable(rollout(o))).toBe(want);
  });
});

describe('podAvailable (IsPodAvailable)', () => {
  it.each([
    ['Ready, minReadySeconds 0', older('p'), 0, true],
    ['not Ready', older('p', { ready: false }), 0, false],
    ['Ready long enough', older('p', { readySince: at(-100) }), 30, true],
    [
      'Ready, not long enough',
      older('p', { readySince: new Date(NOW.getTime() - 10_000).toISOString() }),
      30,
      false,
    ],
    [
      'Ready exactly minReadySeconds ago is not yet available',
      older('p', { readySince: new Date(NOW.getTime() - 30_000).toISOString() }),
      30,
      false,
    ],
  ])('%s', (_name, p, minReady, want) => {
    expect(podAvailable(p, minReady, NOW)).toBe(want);
  });
});

describe('planRestart (Reconcile)', () => {
  const rs2 = rs('rollout-restart-def456', 'rs2-uid', 1);
  it.each([
    // TestRestartReconcile
    ['No pods: all current', rollout(), [RS], [], { candidates: [], budget: 0, needsRestart: 0 }],
    ['Deletes Pod', rollout(), [RS], [older()], { candidates: ['older'], budget: 1, needsRestart: 1 }],
    ['No more pods to delete', rollout(), [RS], [newer()], { candidates: [], budget: 1, needsRestart: 0 }],
    [
      'restartedAt equals creationTimestamp',
      rollout(),
      [RS],
      [pod('equal', AT)],
      { candidates: [], budget: 1, needsRestart: 0 },
    ],
    // TestRestartReplicaSetPod
    [
      'Finds no pods to delete due to different label selector',
      rollout(),
      [RS],
      [older('older', { label: 'test2' })],
      { candidates: [], budget: 0, needsRestart: 0 },
    ],
    // TestRestartDoNotDeleteOtherPods
    [
      'Do not delete other pods with the same labels',
      rollout({ maxUnavailable: 2 }),
      [RS],
      [newer(), older('other-pod', { owner: 'other-uid' })],
      { candidates: [], budget: 1, needsRestart: 0 },
    ],
    [
      "a pod in another namespace is not the Rollout's",
      rollout(),
      [RS],
      [older('elsewhere', { namespace: 'other' })],
      { candidates: [], budget: 0, needsRestart: 0 },
    ],
    // TestRestartMaxUnavailable
    [
      'Restart multiple',
      rollout({ replicas: 3, maxUnavailable: 2 }),
      [RS],
      [older('older1'), older('older2'), newer()],
      { candidates: ['older1', 'older2'], budget: 2, needsRestart: 2 },
    ],
    [
      'Restart multiple honor availability',
      rollout({ replicas: 3, maxUnavailable: 2 }),
      [RS],
      [older('older1'), older('older2'), newer('newer', { ready: false })],
      { candidates: ['older1', 'older2'], budget: 1, needsRestart: 2 },
    ],
    [
      'maxUnavailable zero',
      rollout({ replicas: 3, maxUnavailable: 0 }),
      [RS],
      [older('older1'), older('older2'), newer()],
      { candidates: ['older1', 'older2'], budget: 1, needsRestart: 2 },
    ],
    [
      'maxUnavailable 100%',
      rollout({ replicas: 3, maxUnavailable: '100%' }),
      [RS],
      [older('older1'), older('older2'), newer()],
      { candidates: ['older1', 'older2'], budget: 3, needsRestart: 2 },
    ],
    [
      'replicas:1 weight:50',
      rollout({ replicas: 1 }),
      [RS, rs2],
      [older('older1'), older('older2', { owner: 'rs2-uid' })],
      { candidates: ['older1', 'older2'], budget: 1, needsRestart: 2 },
    ],
    [
      'replicas:1 weight:50, already at minAvailable',
      rollout({ replicas: 1 }),
      [RS, rs2],
      [older('older1'), older('older2', { owner: 'rs2-uid', ready: false })],
      { candidates: ['older1', 'older2'], budget: 0, needsRestart: 2 },
    ],
    [
      'replicas:0',
      rollout({ replicas: 0 }),
      [rs('rollout-restart-abc123', 'rs-uid', 0)],
      [],
      { candidates: [], budget: 1, needsRestart: 0 },
    ],
    // Pods being deleted: counted as still to restart, never evicted again, not available.
    [
      'a pod being deleted is counted, not evicted',
      rollout({ replicas: 3, maxUnavailable: 1 }),
      [rs('r', 'rs-uid', 3)],
      [older('going', { deleting: true }), older('a'), newer('n')],
      { candidates: ['a'], budget: 0, needsRestart: 2 },
    ],
    [
      'minReadySeconds: a pod Ready too recently is not available',
      rollout({ replicas: 2, maxUnavailable: 1, minReadySeconds: 60 }),
      [rs('r', 'rs-uid', 2)],
      [older('a'), newer('fresh', { readySince: new Date(NOW.getTime() - 5000).toISOString() })],
      { candidates: ['a'], budget: 0, needsRestart: 1 },
    ],
  ])('%s', (_name, r, replicaSets, pods, want) => {
    expect(planRestart({ rollout: r, replicaSets, pods, now: NOW })).toEqual(want);
  });
});

describe('restartOutcome', () => {
  const r = rollout();
  it.each([
    [
      'an eviction landed: the pass ends, runs again in 30 s',
      { candidates: ['a'], budget: 1, needsRestart: 1 },
      1,
      { kind: 'stop', requeueAfterSeconds: RESTART_CHECK_SECONDS },
    ],
    [
      'old pods left, none evicted (budget or 429): the pass goes on, runs again in 30 s',
      { candidates: ['a'], budget: 0, needsRestart: 1 },
      0,
      { kind: 'continue', requeueAfterSeconds: 30 },
    ],
    [
      'only pods being deleted left',
      { candidates: [], budget: 1, needsRestart: 1 },
      0,
      { kind: 'continue', requeueAfterSeconds: 30 },
    ],
    [
      'all current: restartedAt = restartAt',
      { candidates: [], budget: 1, needsRestart: 0 },
      0,
      { kind: 'done', restartedAt: AT },
    ],
  ])('%s', (_name, p, evicted, want) => {
    expect(restartOutcome(r, p, evicted)).toEqual(want);
  });
});

describe('restartInPass', () => {
  const base = { replicaSets: [RS], now: NOW };
  it.each([
    ['no restartAt: nothing', { rollout: rollout({ restartAt: undefined }), pods: [older()] }, {}],
    [
      'a restartAt ahead wakes the Rollout at it',
      { rollout: rollout({ restartAt: '2026-01-01T01:00:00Z' }) },
      { wakeAt: Date.parse('2026-01-01T01:00:00Z'), reason: 'restart at 2026-01-01T01:00:00.000Z' },
    ],
    ['due but pods not read: nothing', { rollout: rollout() }, {}],
    [
      'every pod current: restartedAt',
      { rollout: rollout(), pods: [newer()] },
      { restartedAt: AT, reason: 'every pod is newer than restartAt' },
    ],
    [
      'old pods left: run again in 30 s',
      { rollout: rollout(), pods: [older()] },
      { wakeAt: NOW.getTime() + 30_000, reason: '1 pod(s) older than restartAt wait for their restart' },
    ],
    ['already recorded: nothing', { rollout: rollout({ restartedAt: AT }), pods: [older()] }, {}],
  ])('%s', (_name, o, want) => {
    expect(restartInPass({ ...base, ...o })).toEqual(want);
  });
});

describe('formatLabelSelector (FormatLabelSelector)', () => {
  it.each([
    ['empty', undefined, ''],
    ['matchLabels sorted by key', { matchLabels: { b: '2', a: '1' } }, 'a=1,b=2'],
    [
      'expressions',
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['b', 'a'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'canary', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      },
      'app=web,canary,env notin (dev),!legacy,tier in (a,b)',
    ],
  ])('%s', (_name, sel, want) => {
    expect(formatLabelSelector(sel)).toBe(want);
  });
});

describe('forbiddenEviction (tenancy)', () => {
  const observed = (pods: RestartPod[]): Observed => ({
    rollout: rollout(),
    replicaSets: [RS],
    services: {},
    virtualServices: [],
    now: NOW,
    pods,
  });
  const refusal =
    "refused to evict pod %s: it is not a pod of Rollout shop/restart-rollout's ReplicaSets (by ownerReference uid)";
  it.each([
    ['a pod of its ReplicaSet', [older('mine')], NS, 'mine', undefined],
    [
      'same labels, another owner',
      [older('other', { owner: 'other-uid' })],
      NS,
      'other',
      refusal.replace('%s', 'shop/other'),
    ],
    ['not listed this pass', [], NS, 'ghost', refusal.replace('%s', 'shop/ghost')],
    [
      'in another namespace',
      [older('mine', { namespace: 'other' })],
      'other',
      'mine',
      refusal.replace('%s', 'other/mine'),
    ],
  ])('%s', (_name, pods, ns, name, want) => {
    expect(forbiddenEviction(observed(pods), ns, name)).toBe(want);
  });
});
