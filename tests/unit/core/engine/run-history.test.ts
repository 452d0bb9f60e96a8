/** AnalysisRun garbage collection: run history, runs of deleted ReplicaSets, ttlStrategy (tables after Argo's Go tests). */
import { describe, expect, it } from '@jest/globals';
import type { ReplicaSet, Rollout, RolloutStatus } from '../../../../shared/core/model/types.js';
import type { AnalysisPhase, AnalysisRun } from '../../../../shared/core/analysis/types.js';
import {
  passRunCleanup,
  planRunCleanup,
  runHistoryLimits,
  runsToDelete,
  withoutDeletedRuns,
  type RunCleanupInput,
} from '../../../../shared/core/engine/run-history.js';
import { ttlExpired, ttlExpiresAt } from '../../../../shared/core/analysis/reconcile.js';
import { forbiddenEffect } from '../../../../shared/core/engine/tenancy.js';
import type { Observed, Write } from '../../../../shared/core/engine/types.js';
import { plan, plannedEvents } from '../../../../shared/core/engine/plan.js';
import { drive } from './support/drive.js';
import { AnalysisWorld, ANALYSIS_STEPS } from './support/analysis-world.js';

const NS = 'shop';
const T0 = Date.UTC(2026, 0, 1);
const NOW = new Date(T0 + 3_600_000);

function rollout(status: RolloutStatus = { stableRS: 'a', currentPodHash: 'n' }, spec = {}): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'demo', namespace: NS, uid: 'ro-uid', resourceVersion: '7' },
    spec,
    status,
  };
}

interface RunOpts {
  hash?: string | null;
  phase?: AnalysisPhase;
  created?: number;
  owner?: string;
  ttl?: NonNullable<AnalysisRun['spec']['ttlStrategy']>;
  completedAt?: number;
  deleting?: boolean;
}

/** Run `name`, created `o.created` seconds after T0 (default its index in the name), hash label `o.hash` (null: none). */
function run(name: string, o: RunOpts = {}): AnalysisRun {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      resourceVersion: `rv-${name}`,
      creationTimestamp: new Date(T0 + (o.created ?? 0) * 1000).toISOString(),
      ...(o.hash === null ? {} : { labels: { 'rollouts-pod-template-hash': o.hash ?? 'a' } }),
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'demo',
          uid: o.owner ?? 'ro-uid',
          controller: true,
        },
      ],
      ...(o.deleting ? { deletionTimestamp: new Date(T0).toISOString() } : {}),
    },
    spec: { metrics: [], ...(o.ttl ? { ttlStrategy: o.ttl } : {}) },
    status: {
      phase: o.phase ?? 'Successful',
      ...(o.completedAt === undefined ? {} : { completedAt: new Date(o.completedAt).toISOString() }),
    },
  } as AnalysisRun;
}

function rs(hash: string, deleting = false): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `demo-${hash}`,
      namespace: NS,
      uid: `rs-${hash}`,
      resourceVersion: '1',
      labels: { 'rollouts-pod-template-hash': hash },
      ...(deleting ? { deletionTimestamp: new Date(T0).toISOString() } : {}),
    },
    spec: { replicas: 0 },
  } as ReplicaSet;
}

const names = (runs: AnalysisRun[]): string[] => runs.map((r) => r.metadata.name ?? '');
const FIVE = { successful: 5, unsuccessful: 5 };

describe('runsToDelete (Argo FilterAnalysisRunsToDelete)', () => {
  it.each<{ case: string; runs: AnalysisRun[]; sets: ReplicaSet[]; limits?: typeof FIVE; want: string[] }>([
    {
      case: 'TestFilterAnalysisRunsToDelete: no hash, hash of an RS being deleted, hash of no RS go; a valid one stays',
      runs: [
        run('no-deletion'),
        run('no-hash', { hash: null }),
        run('deleted-rs', { hash: 'b' }),
        run('no-rs', { hash: 'c' }),
      ],
      sets: [rs('a'), rs('b', true)],
      // Same creation time: newest first falls back to the name, later first.
      want: ['no-rs', 'no-hash', 'deleted-rs'],
    },
    {
      case: 'DeleteAnalysisRunsWithNoMatchingRS: a Successful run with hash abc123 matching no ReplicaSet is deleted',
      runs: [run('demo-abc123-1-0', { hash: 'abc123' })],
      sets: [rs('a')],
      want: ['demo-abc123-1-0'],
    },
    {
      case: 'no matching ReplicaSet: even a Running run is deleted',
      runs: [run('running', { hash: 'gone', phase: 'Running' })],
      sets: [rs('a')],
      want: ['running'],
    },
    {
      case: 'TestDeleteAnalysisRuns: seven Successful runs, default limit 5: the two oldest go',
      runs: [1, 2, 3, 4, 5, 6, 7].map((n) => run(`s${n}`, { created: n })),
      sets: [rs('a')],
      want: ['s2', 's1'],
    },
    {
      case: 'history limits: successful 1, unsuccessful 2, counted apart; Failed, Error and Inconclusive count together',
      runs: [
        run('s1', { created: 1 }),
        run('s2', { created: 2 }),
        run('f3', { created: 3, phase: 'Failed' }),
        run('e4', { created: 4, phase: 'Error' }),
        run('i5', { created: 5, phase: 'Inconclusive' }),
      ],
      sets: [rs('a')],
      limits: { successful: 1, unsuccessful: 2 },
      want: ['f3', 's1'],
    },
    {
      case: 'history limits 0: every completed run goes; Running, Pending and "" are never counted or deleted',
      runs: [
        run('s1', { created: 1 }),
        run('f2', { created: 2, phase: 'Failed' }),
        run('r3', { created: 3, phase: 'Running' }),
        run('p4', { created: 4, phase: 'Pending' }),
        run('x5', { created: 5, phase: '' }),
      ],
      sets: [rs('a')],
      limits: { successful: 0, unsuccessful: 0 },
      want: ['f2', 's1'],
    },
    {
      case: 'within the limits nothing goes',
      runs: [run('s1', { created: 1 }), run('f2', { created: 2, phase: 'Failed' })],
      sets: [rs('a')],
      want: [],
    },
  ])('$case', ({ runs, sets, limits, want }) => {
    expect(names(runsToDelete(runs, sets, limits ?? FIVE))).toEqual(want);
  });

  it('the limits come from spec.analysis, 5 each when unset or not whole numbers', () => {
    expect(runHistoryLimits(rollout())).toEqual(FIVE);
    const spec = { analysis: { successfulRunHistoryLimit: 2, unsuccessfulRunHistoryLimit: 'x' } };
    expect(runHistoryLimits(rollout(undefined, spec))).toEqual({ successful: 2, unsuccessful: 5 });
  });
});

function input(over: Partial<RunCleanupInput>): RunCleanupInput {
  const r = over.rollout ?? rollout();
  return {
    rollout: r,
    status: r.status ?? {},
    runs: [],
    replicaSets: [rs('a'), rs('n')],
    deletedReplicaSets: [],
    now: NOW,
    ...over,
  };
}

const deleted = (effects: Write[]): string[] => effects.map((w) => `${w.op} ${w.target.name}`);

describe('planRunCleanup', () => {
  it('every delete is guarded by the run uid and resourceVersion as read, with no Events', () => {
    const out = planRunCleanup(input({ runs: [run('lost', { hash: 'zz' })] }));
    expect(out.effects).toEqual([
      {
        op: 'delete',
        target: { resource: 'analysisruns', namespace: NS, name: 'lost' },
        preconditions: { uid: 'uid-lost', resourceVersion: 'rv-lost' },
        reason: 'delete AnalysisRun lost: no ReplicaSet of the Rollout with pod hash zz remains',
      },
    ]);
  });

  it('the current runs, as read and as this pass keeps them, are never deleted by the history', () => {
    const asRead = rollout({
      stableRS: 'a',
      currentPodHash: 'n',
      canary: { currentStepAnalysisRunStatus: { name: 'read', status: 'Running' } },
    });
    const kept: RolloutStatus = {
      ...asRead.status,
      canary: { currentBackgroundAnalysisRunStatus: { name: 'kept', status: 'Running' } },
    };
    const runs = [run('read', { hash: 'zz' }), run('kept', { hash: 'zz' }), run('other', { hash: 'zz' })];
    const out = planRunCleanup(input({ rollout: asRead, status: kept, runs }));
    expect(deleted(out.effects)).toEqual(['delete other']);
  });

  it.each<{ case: string; status: RolloutStatus; spec?: object }>([
    { case: 'aborted', status: { stableRS: 'a', abort: true } },
    { case: 'promote --full', status: { stableRS: 'a', promoteFull: true } },
    { case: 'initial deploy (no stableRS)', status: {} },
    { case: 'spec.paused', status: { stableRS: 'a' }, spec: { paused: true } },
    {
      case: 'paused on an Inconclusive run',
      status: { stableRS: 'a', pauseConditions: [{ reason: 'InconclusiveAnalysisRun', startTime: '' }] },
    },
  ])('no history while $case (Argo cancels analysis or only syncs replicas)', ({ status, spec }) => {
    const out = planRunCleanup(
      input({ rollout: rollout(status, spec), runs: [run('lost', { hash: 'zz' })] }),
    );
    expect(out.effects).toEqual([]);
  });

  it('ReplicaSet cleanup: runs that are not current with the deleted ReplicaSet hash go, even while aborted', () => {
    const r = rollout({
      stableRS: 'a',
      abort: true,
      canary: { currentStepAnalysisRunStatus: { name: 'cur', status: 'Running' } },
    });
    const runs = [
      run('old-1', { hash: 'h1', created: 1 }),
      run('old-2', { hash: 'h1', created: 2 }),
      run('cur', { hash: 'h1' }),
      run('h2', { hash: 'h2' }),
    ];
    const out = planRunCleanup(
      input({ rollout: r, runs, replicaSets: [rs('a'), rs('h1'), rs('h2')], deletedReplicaSets: [rs('h1')] }),
    );
    expect(deleted(out.effects)).toEqual(['delete old-2', 'delete old-1']);
    expect(out.effects[0]?.reason).toBe('delete AnalysisRun old-2: its ReplicaSet demo-h1 is deleted');
  });

  it('a run picked by several causes is deleted once; runs being deleted are not deleted again', () => {
    const runs = [
      run('both', { hash: 'h1', ttl: { secondsAfterCompletion: 0 }, completedAt: T0 }),
      run('going', { hash: 'zz', deleting: true }),
    ];
    const out = planRunCleanup(
      input({ runs, replicaSets: [rs('a'), rs('h1')], deletedReplicaSets: [rs('h1')] }),
    );
    expect(deleted(out.effects)).toEqual(['delete both']);
  });

  it('TTL: an expired run goes even when current or paused; the next expiry among those kept is the wake-up', () => {
    const r = rollout(
      {
        stableRS: 'a',
        canary: { currentBackgroundAnalysisRunStatus: { name: 'cur', status: 'Successful' } },
      },
      { paused: true },
    );
    const done = NOW.getTime() - 100_000;
    const runs = [
      run('cur', { ttl: { secondsAfterSuccess: 99 }, completedAt: done }),
      run('later', { ttl: { secondsAfterCompletion: 200 }, completedAt: done }),
      run('sooner', { ttl: { secondsAfterFailure: 150 }, completedAt: done, phase: 'Failed' }),
    ];
    const out = planRunCleanup(input({ rollout: r, runs }));
    expect(deleted(out.effects)).toEqual(['delete cur']);
    expect(out.effects[0]?.reason).toBe('delete AnalysisRun cur: its ttlStrategy expired');
    expect(out.wakeAt).toBe(done + 151_000);
  });

  it('no run with a TTL: no wake-up', () => {
    expect(planRunCleanup(input({ runs: [run('s1')] })).wakeAt).toBeUndefined();
  });

  it('passRunCleanup: nothing when the runs were not read; the ReplicaSets come from the pass deletes', () => {
    const observed = { rollout: rollout(), replicaSets: [rs('a'), rs('h1')], now: NOW } as Observed;
    expect(passRunCleanup(observed, {}, [])).toEqual({ effects: [] });
    const withRuns = {
      ...observed,
      analysis: { runs: [run('x', { hash: 'h1' })], templates: [], clusterTemplates: [] },
    };
    const rsDelete: Write = {
      op: 'delete',
      target: { resource: 'replicasets', namespace: NS, name: 'demo-h1' },
      preconditions: { uid: 'rs-h1', resourceVersion: '1' },
      reason: 'r',
    };
    expect(deleted(passRunCleanup(withRuns, {}, []).effects)).toEqual([]);
    expect(deleted(passRunCleanup(withRuns, {}, [rsDelete]).effects)).toEqual(['delete x']);
  });

  it('withoutDeletedRuns drops the termination of a run the pass deletes, nothing else', () => {
    const patch = (name: string): Write => ({
      op: 'patch',
      target: { resource: 'analysisruns', namespace: NS, name },
      patch: [{ op: 'add', path: '/spec/terminate', value: true }],
      reason: 'terminate',
    });
    const del = planRunCleanup(input({ runs: [run('a1', { hash: 'zz', phase: 'Running' })] })).effects;
    expect(withoutDeletedRuns([patch('a1'), patch('b2')], del)).toEqual([patch('b2')]);
  });
});

describe('ttlStrategy (Argo ExceededTtlChecked)', () => {
  const completed = (phase: AnalysisPhase, ttl: RunOpts['ttl']): AnalysisRun =>
    run('t', { phase, ...(ttl ? { ttl } : {}), completedAt: T0 });
  it.each<{ case: string; r: AnalysisRun; at?: number }>([
    {
      case: 'TTL 86400: expires 86401 s after completion',
      r: completed('Successful', { secondsAfterCompletion: 86400 }),
      at: T0 + 86_401_000,
    },
    {
      case: 'secondsAfterSuccess wins for Successful',
      r: completed('Successful', { secondsAfterCompletion: 9, secondsAfterSuccess: 1 }),
      at: T0 + 2000,
    },
    {
      case: 'secondsAfterFailure wins for Failed',
      r: completed('Failed', { secondsAfterCompletion: 9, secondsAfterFailure: 2 }),
      at: T0 + 3000,
    },
    {
      case: 'Error and Inconclusive use secondsAfterCompletion only',
      r: completed('Error', { secondsAfterFailure: 1, secondsAfterCompletion: 4 }),
      at: T0 + 5000,
    },
    { case: 'no ttlStrategy: never', r: completed('Successful', undefined) },
    { case: 'only a TTL for another phase: never', r: completed('Successful', { secondsAfterFailure: 1 }) },
    {
      case: 'Error without completedAt (invalid spec, as in Argo): never',
      r: run('t', { phase: 'Error', ttl: { secondsAfterCompletion: 0 } }),
    },
    {
      case: 'Running: never',
      r: run('t', { phase: 'Running', ttl: { secondsAfterCompletion: 0 }, completedAt: T0 }),
    },
  ])('$case', ({ r, at }) => {
    expect(ttlExpiresAt(r)).toBe(at);
    if (at === undefined) {
      expect(ttlExpired(r, T0 + 10 * 86_400_000)).toBe(false);
      return;
    }
    expect(ttlExpired(r, at - 1)).toBe(false);
    expect(ttlExpired(r, at)).toBe(true);
  });

  it('ExceededTtlChecked: completed 86401 s ago is deleted, 86400 s ago is kept', () => {
    const r = completed('Successful', { secondsAfterCompletion: 86400 });
    expect(deleted(planRunCleanup(input({ runs: [r], now: new Date(T0 + 86_401_000) })).effects)).toEqual([
      'delete t',
    ]);
    const kept = planRunCleanup(input({ runs: [r], now: new Date(T0 + 86_400_000) }));
    expect(kept.effects).toEqual([]);
    expect(kept.wakeAt).toBe(T0 + 86_401_000);
  });
});

describe('tenancy of run deletes', () => {
  const observed = (runs: AnalysisRun[]): Observed =>
    ({
      rollout: rollout(),
      replicaSets: [],
      services: {},
      virtualServices: [],
      now: NOW,
      analysis: { runs, templates: [], clusterTemplates: [] },
    }) as Observed;
  const del = (name: string, uid: string, namespace = NS): Write => ({
    op: 'delete',
    target: { resource: 'analysisruns', namespace, name },
    preconditions: { uid, resourceVersion: 'rv' },
    reason: 'r',
  });
  it('allows a run the Rollout controls as read; refuses a foreign run with the same labels, another uid or namespace', () => {
    const own = run('own', { hash: 'zz' });
    const foreign = run('foreign', { hash: 'zz', owner: 'other-uid' });
    const o = observed([own, foreign]);
    expect(forbiddenEffect(o, del('own', 'uid-own'))).toBeUndefined();
    const refusal = 'it is not an AnalysisRun Rollout shop/demo owns (by ownerReference uid)';
    expect(forbiddenEffect(o, del('foreign', 'uid-foreign'))).toBe(
      `refused to delete analysisruns shop/foreign: ${refusal}`,
    );
    expect(forbiddenEffect(o, del('own', 'uid-other'))).toContain(refusal);
    expect(forbiddenEffect(o, del('unread', 'uid-unread'))).toContain(refusal);
    expect(forbiddenEffect(o, del('own', 'uid-own', 'elsewhere'))).toContain('refused to');
  });
});

describe('in the regular pass (plan)', () => {
  it('a Running run of no ReplicaSet is deleted, not also terminated; the current run is kept', () => {
    const w = new AnalysisWorld(ANALYSIS_STEPS);
    drive(w);
    w.updateImage('demo:2');
    drive(w);
    const current = w.rollout.status?.canary?.currentStepAnalysisRunStatus?.name ?? '';
    const stray = structuredClone(w.run(current) as AnalysisRun);
    stray.metadata.name = 'demo-gone-1-1';
    stray.metadata.labels = { ...stray.metadata.labels, 'rollouts-pod-template-hash': 'gone' };
    Object.assign(stray.metadata, { uid: 'uid-stray', resourceVersion: '5' });
    stray.status = { phase: 'Running' };
    const without = plannedEvents(plan(w.observed()));
    w.runs.push(stray);
    const p = plan(w.observed());
    const runWrites = p.effects.filter((e) => e.target.resource === 'analysisruns');
    expect(runWrites).toEqual([
      {
        op: 'delete',
        target: { resource: 'analysisruns', namespace: w.rollout.metadata.namespace, name: 'demo-gone-1-1' },
        preconditions: { uid: 'uid-stray', resourceVersion: '5' },
        reason: 'delete AnalysisRun demo-gone-1-1: no ReplicaSet of the Rollout with pod hash gone remains',
      },
    ]);
    // No Event for the delete (Argo records none): the same Events as without the stray run.
    expect(plannedEvents(p)).toEqual(without);
  });
});
