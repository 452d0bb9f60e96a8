/**
 * Where sluice deliberately differs from Argo Rollouts (its known bugs), each test showing that Argo's behaviour is
 * not reproduced.
 */
import { describe, expect, it } from '@jest/globals';
import {
  completePass,
  errorMeasurement,
  planPass,
  withSecrets,
} from '../../../../shared/core/analysis/reconcile.js';
import { assessRun, settleRun } from '../../../../shared/core/analysis/run.js';
import type { Metric } from '../../../../shared/core/analysis/types.js';
import { webMeasurement } from '../../../../shared/core/analysis/web-result.js';
import { measured, metric, NOW, result, run } from './fixtures.js';

describe('#4479: a bounded metric terminated before its count with no success', () => {
  const m = metric('gate', { count: 5, interval: '1m', failureLimit: 2 });
  const results = [
    result('gate', {
      failed: 1,
      error: 1,
      consecutiveError: 1,
      count: 1,
      measurements: [measured('Failed', 120), measured('Error', 60)],
    }),
  ];

  it('is not Successful (Argo: Successful); it keeps its last measurement phase and says why', () => {
    const { status } = assessRun({
      metrics: [m],
      status: { metricResults: results },
      terminate: true,
      dryRun: new Set(),
      now: NOW,
    });
    expect(status.phase).not.toBe('Successful');
    expect(status.phase).toBe('Error');
    expect(status.metricResults?.[0]?.phase).toBe('Error');
    expect(status.message).toBe(
      'Metric "gate" assessed Error due to terminated before its count with no successful measurement (last measurement Error)',
    );
    expect(status.runSummary).toMatchObject({ count: 1, error: 1, successful: 0 });
  });

  it('a bounded metric with one success, or an unbounded one, still ends Successful on termination (as in Argo)', () => {
    const withSuccess = [
      result('gate', {
        ...results[0],
        successful: 1,
        measurements: [measured('Successful', 180), ...(results[0]?.measurements ?? [])],
      }),
    ];
    expect(
      assessRun({
        metrics: [m],
        status: { metricResults: withSuccess },
        terminate: true,
        dryRun: new Set(),
        now: NOW,
      }).status.phase,
    ).toBe('Successful');
    const { count: _count, ...unbounded }: Metric = m;
    expect(
      assessRun({
        metrics: [unbounded],
        status: { metricResults: results },
        terminate: true,
        dryRun: new Set(),
        now: NOW,
      }).status.phase,
    ).toBe('Successful');
  });
});

describe('#3259: measurements are trimmed even when the provider cannot be built', () => {
  it('an Error measurement from a provider that could not be built keeps the stored list at its limit (Argo: grows)', () => {
    const m = metric('m', { interval: '1m', consecutiveErrorLimit: 100 });
    const old = Array.from({ length: 10 }, (_, i) => measured('Error', 700 - i * 61));
    const r = run([m], {
      phase: 'Running',
      startedAt: measured('Error', 800).startedAt,
      metricResults: [result('m', { error: 10, consecutiveError: 10, measurements: old })],
    });
    const plan = planPass(r, NOW);
    if (plan.kind !== 'measure') throw new Error(plan.kind);
    expect(plan.tasks).toHaveLength(1);
    const out = completePass(
      r,
      plan,
      [{ task: plan.tasks[0]!, measurement: errorMeasurement("no valid provider in metric 'm'", NOW) }],
      NOW,
    );
    expect(out.status.metricResults?.[0]?.measurements).toHaveLength(10);
    expect(out.status.metricResults?.[0]?.measurements?.at(-1)?.message).toBe(
      "no valid provider in metric 'm'",
    );
    expect(out.status.metricResults?.[0]?.error).toBe(11);
  });
});

describe('#4535: a web answer that is not JSON is judged by the conditions', () => {
  it.each([
    ['OK', "result == 'healthy'", 'Failed'],
    ['', "result == 'healthy'", 'Failed'],
    ['healthy', "result == 'healthy'", 'Successful'],
  ])('body %j with %s → %s (Argo 1.10: always Successful)', (body, successCondition, phase) => {
    const m = metric('w', { successCondition });
    expect(webMeasurement(m, { status: 200, body }, NOW)).toMatchObject({ phase, value: body });
  });

  it('a JSON null body is an Error measurement (Argo: the controller crashes)', () => {
    expect(
      webMeasurement(metric('w', { successCondition: 'true' }), { status: 200, body: 'null' }, NOW).phase,
    ).toBe('Error');
  });
});

describe('a failing metric stops its siblings in the same pass', () => {
  it('settleRun ends the run Failed at once (Argo: Running until its own status patch triggers another reconcile)', () => {
    const ms = [metric('bad', { interval: '1m' }), metric('slow', { interval: '1m' })];
    const status = {
      metricResults: [
        result('bad', { failed: 1, count: 1, measurements: [measured('Failed')] }),
        result('slow', { successful: 1, count: 1, measurements: [measured('Successful')] }),
      ],
    };
    const input = { metrics: ms, status, terminate: false, dryRun: new Set<string>(), now: NOW };
    expect(assessRun(input).status.phase).toBe('Running');
    const settled = settleRun(input).status;
    expect(settled.phase).toBe('Failed');
    expect(settled.message).toBe('Metric "bad" assessed Failed due to failed (1) > failureLimit (0)');
    expect(settled.metricResults?.map((r) => r.phase)).toEqual(['Failed', 'Successful']);
  });
});

describe('a transient Secret read error is retried, not terminal', () => {
  it('withSecrets reports it as transient so the caller leaves the run as it is (Argo: run Error)', () => {
    const r = run([metric('m', { provider: { web: { url: 'https://x/{{args.token}}' } } })], undefined, {
      args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
    });
    const plan = planPass(r, NOW);
    if (plan.kind !== 'measure') throw new Error(plan.kind);
    expect(
      withSecrets(r, plan.tasks, () => ({ error: 'etcdserver: request timed out', transient: true })),
    ).toEqual({
      error: 'Unable to resolve metric arguments: etcdserver: request timed out',
      transient: true,
    });
    const ok = withSecrets(r, plan.tasks, () => ({ value: 's3cr3t' }));
    expect(ok).toMatchObject({
      secrets: ['s3cr3t'],
      tasks: [{ metric: { provider: { web: { url: 'https://x/s3cr3t' } } } }],
    });
  });
});
