/**
 * The scheduling, metric and run cases of Argo Rollouts' analysis/analysis_test.go, each named after its Go test.
 */
import { describe, expect, it } from '@jest/globals';
import { recordMeasurement } from '../../../../shared/core/analysis/metric.js';
import { assessMetric } from '../../../../shared/core/analysis/metric.js';
import {
  completePass,
  planPass,
  ttlExpired,
  withSecrets,
} from '../../../../shared/core/analysis/reconcile.js';
import { trimMeasurements } from '../../../../shared/core/analysis/rules.js';
import { assessRun } from '../../../../shared/core/analysis/run.js';
import { dueTasks, nextDue } from '../../../../shared/core/analysis/schedule.js';
import type { Measurement, Metric, MetricResult } from '../../../../shared/core/analysis/types.js';
import { ago, measured, metric, NOW, result, run } from './fixtures.js';

const due = (metrics: Metric[], results: MetricResult[], startedAt?: string, terminate?: boolean) =>
  dueTasks(metrics, { metricResults: results, ...(startedAt ? { startedAt } : {}) }, terminate, NOW);

describe('generateMetricTasks', () => {
  it.each([
    [50, 0],
    [61, 1],
  ])('TestGenerateMetricTasksInterval: finished %i s ago with interval 60s → %i task(s)', (secondsAgo, n) => {
    const m = metric('m', { interval: '60s' });
    expect(
      due([m], [result('m', { count: 1, measurements: [measured('Successful', secondsAgo)] })]),
    ).toHaveLength(n);
  });

  it('TestGenerateMetricTasksFailing', () => {
    const ms = [metric('a'), metric('b')];
    expect(due(ms, [])).toHaveLength(2);
    expect(
      due(ms, [result('a', { phase: 'Failed', failed: 1, count: 1, measurements: [measured('Failed', 5)] })]),
    ).toHaveLength(0);
  });

  it('TestGenerateMetricTasksNoIntervalOrCount', () => {
    expect(
      due([metric('m')], [result('m', { count: 1, measurements: [measured('Successful', 600)] })]),
    ).toHaveLength(0);
  });

  it('TestGenerateMetricTasksIncomplete', () => {
    const inflight: Measurement = { phase: 'Running', startedAt: ago(5) };
    expect(due([metric('m')], [result('m', { measurements: [inflight] })])).toEqual([
      { metric: metric('m'), kind: 'resume' },
    ]);
  });

  it('TestGenerateMetricTasksHonorResumeAt', () => {
    const later: Measurement = { phase: 'Running', startedAt: ago(5), resumeAt: ago(-10) };
    const earlier: Measurement = { phase: 'Running', startedAt: ago(5), resumeAt: ago(10) };
    const tasks = due(
      [metric('a'), metric('b')],
      [result('a', { measurements: [later] }), result('b', { measurements: [earlier] })],
    );
    expect(tasks.map((t) => t.metric.name)).toEqual(['b']);
  });

  it.each([[{}], [{ interval: '5m' }]])(
    'TestGenerateMetricTasksError: last Error 120 s ago, %j → 1 task',
    (extra) => {
      expect(
        due(
          [metric('m', extra)],
          [result('m', { error: 1, consecutiveError: 1, measurements: [measured('Error', 120)] })],
        ),
      ).toHaveLength(1);
    },
  );

  it.each<[string, string | undefined, number]>([
    ['20s', undefined, 0],
    ['20s', ago(10), 0],
    ['20s', ago(20), 1],
    ['invalid-start-delay', ago(60), 0],
  ])(
    'TestGenerateMetricTasksHonorInitialDelay: delay %s, startedAt %s → %i',
    (initialDelay, startedAt, n) => {
      expect(due([metric('m', { initialDelay })], [], startedAt)).toHaveLength(n);
    },
  );
});

describe('assessRunStatus / assessMetricStatus', () => {
  const pass = (metrics: Metric[], results: MetricResult[], terminate?: boolean, dry: string[] = []) =>
    assessRun({ metrics, status: { metricResults: results }, terminate, dryRun: new Set(dry), now: NOW })
      .status;

  it('TestAssessRunStatus', () => {
    const ms = [metric('a', { interval: '1m' }), metric('b', { interval: '1m' })];
    const ok = result('a', { phase: 'Successful', measurements: [measured('Successful')] });
    expect(
      pass(ms, [ok, result('b', { measurements: [measured('Successful')], successful: 1, count: 1 })]),
    ).toMatchObject({ phase: 'Running' });
    const s = pass(ms, [ok, result('b', { phase: 'Failed', measurements: [measured('Failed')] })]);
    expect(s.phase).toBe('Failed');
    expect(s.message).toBeUndefined();
  });

  it('TestAssessRunStatusUpdateResult: the metric flips Failed, the run stays Running this pass', () => {
    const ms = [metric('a', { interval: '1m' }), metric('b', { interval: '1m' })];
    const s = pass(ms, [
      result('a', { failed: 1, count: 1, measurements: [measured('Failed')] }),
      result('b', { successful: 1, count: 1, measurements: [measured('Successful')] }),
    ]);
    expect(s.metricResults?.[0]?.phase).toBe('Failed');
    expect(s.phase).toBe('Running');
  });

  const m = (extra: Partial<Metric> = {}) => metric('m', { interval: '1m', ...extra });
  const r = (extra: Partial<MetricResult>, last: Measurement = measured('Successful')) =>
    result('m', { measurements: [last], ...extra });

  it.each<[string, Metric, MetricResult | undefined, boolean, string]>([
    ['TestAssessMetricStatusNoMeasurements', m(), result('m'), false, 'Pending'],
    ['TestAssessMetricStatusNoMeasurements (terminating)', m(), result('m'), true, 'Successful'],
    [
      'TestAssessMetricStatusInFlightMeasurement',
      m(),
      r({}, { phase: 'Running', startedAt: ago(1) }),
      false,
      'Running',
    ],
    [
      'TestAssessMetricStatusInFlightMeasurement (terminating)',
      m(),
      r({}, { phase: 'Running', startedAt: ago(1) }),
      true,
      'Running',
    ],
    [
      'TestAssessMetricStatusFailureLimit',
      m({ failureLimit: 2 }),
      r({ failed: 3, count: 3 }, measured('Failed')),
      false,
      'Failed',
    ],
    [
      'TestAssessMetricStatusFailureLimit (limit 3)',
      m({ failureLimit: 3 }),
      r({ failed: 3, count: 3 }, measured('Failed')),
      false,
      'Running',
    ],
    [
      'TestAssessMetricStatusFailureLimit (limit 3, terminating)',
      m({ failureLimit: 3 }),
      r({ failed: 3, count: 3 }, measured('Failed')),
      true,
      'Successful',
    ],
    [
      'TestAssessMetricStatusInconclusiveLimit',
      m({ inconclusiveLimit: 2 }),
      r({ inconclusive: 3, count: 3 }, measured('Inconclusive')),
      false,
      'Inconclusive',
    ],
    [
      'TestAssessMetricStatusInconclusiveLimit (limit 3)',
      m({ inconclusiveLimit: 3 }),
      r({ inconclusive: 3, count: 3 }, measured('Inconclusive')),
      false,
      'Running',
    ],
    [
      'TestAssessMetricStatusConsecutiveErrors',
      m(),
      r({ error: 5, consecutiveError: 5 }, measured('Error')),
      false,
      'Error',
    ],
    [
      'TestAssessMetricStatusConsecutiveErrors (4)',
      m(),
      r({ error: 4, consecutiveError: 4 }, measured('Error')),
      false,
      'Running',
    ],
    [
      'TestAssessMetricStatusConsecutiveSuccessLimit',
      m({ failureLimit: -1, consecutiveSuccessLimit: 3 }),
      r({ successful: 3, consecutiveSuccess: 3, count: 3 }),
      false,
      'Successful',
    ],
    [
      'TestAssessMetricStatusConsecutiveSuccessLimit (5)',
      m({ failureLimit: -1, consecutiveSuccessLimit: 5 }),
      r({ successful: 3, consecutiveSuccess: 3, count: 3 }),
      false,
      'Running',
    ],
    [
      'TestAssessMetricStatusConsecutiveSuccessLimit (count 7 reached)',
      m({ failureLimit: -1, consecutiveSuccessLimit: 5, count: 7 }),
      r({ successful: 3, failed: 4, consecutiveSuccess: 3, count: 7 }),
      false,
      'Failed',
    ],
    [
      'TestAssessMetricStatusFailureLimitAndConsecutiveSuccessLimit',
      m({ failureLimit: 4, consecutiveSuccessLimit: 4, count: 10 }),
      r({ successful: 6, failed: 4, consecutiveSuccess: 3, count: 10 }),
      false,
      'Inconclusive',
    ],
    [
      'TestAssessMetricStatusFailureLimitAndConsecutiveSuccessLimit (failed 5)',
      m({ failureLimit: 4, consecutiveSuccessLimit: 4, count: 10 }),
      r({ successful: 5, failed: 5, consecutiveSuccess: 3, count: 10 }),
      false,
      'Failed',
    ],
    [
      'TestAssessMetricStatusFailureLimitAndConsecutiveSuccessLimit (consecutive 4)',
      m({ failureLimit: 4, consecutiveSuccessLimit: 4, count: 10 }),
      r({ successful: 6, failed: 4, consecutiveSuccess: 4, count: 10 }),
      false,
      'Successful',
    ],
    [
      'TestAssessMetricStatusCountReached',
      m({ count: 10 }),
      r({ successful: 10, count: 10 }),
      false,
      'Successful',
    ],
    [
      'TestAssessMetricStatusCountReached (5 inconclusive)',
      m({ count: 10 }),
      r({ successful: 5, inconclusive: 5, count: 10 }),
      false,
      'Inconclusive',
    ],
  ])('%s', (_name, spec, res, terminating, phase) => {
    expect(assessMetric(spec, res, terminating).phase).toBe(phase);
  });

  it('TestAssessRunStatusErrorMessageAnalysisPhaseFail / FromProvider / MultipleFailures', () => {
    const failed = (name: string, message?: string) =>
      result(name, {
        failed: 1,
        count: 1,
        measurements: [measured('Failed', 0, message ? { message } : {})],
      });
    expect(pass([metric('failed-metric', { interval: '1m' })], [failed('failed-metric')]).message).toBe(
      'Metric "failed-metric" assessed Failed due to failed (1) > failureLimit (0)',
    );
    expect(
      pass([metric('failed-metric', { interval: '1m' })], [failed('failed-metric', 'Provider Error')])
        .message,
    ).toBe(
      'Metric "failed-metric" assessed Failed due to failed (1) > failureLimit (0): "Error Message: Provider Error"',
    );
    const two = [metric('first', { interval: '1m' }), metric('second', { interval: '1m' })];
    expect(pass(two, [failed('first'), failed('second')]).message).toBe(
      'Metric "first" assessed Failed due to failed (1) > failureLimit (0)',
    );
  });

  it('TestAssessRunStatusErrorMessageAnalysisPhaseFailInDryRunMode / WithOnlyDryRunMetrics', () => {
    const ms = [metric('ok', { count: 1 }), metric('bad', { count: 1 })];
    const s = pass(
      ms,
      [
        result('ok', { successful: 1, count: 1, measurements: [measured('Successful')] }),
        result('bad', { failed: 1, count: 1, measurements: [measured('Failed')] }),
      ],
      false,
      ['ok', 'bad'],
    );
    expect(s.phase).toBe('Successful');
    expect(s.message).toBeUndefined();
    expect(s.dryRunSummary).toEqual({ count: 2, successful: 1, failed: 1, inconclusive: 0, error: 0 });
    expect(s.runSummary).toEqual({ count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 });
    expect(s.metricResults?.[1]?.message).toBe('Metric assessed Failed due to failed (1) > failureLimit (0)');
  });

  it('TestAssessRunStatusWithMixedMetrics', () => {
    const ms = [metric('dry', { count: 1 }), metric('run-forever', { interval: '1m' })];
    const s = pass(
      ms,
      [
        result('dry', { failed: 1, count: 1, measurements: [measured('Failed')] }),
        result('run-forever', { inconclusive: 1, count: 1, measurements: [measured('Inconclusive')] }),
      ],
      false,
      ['dry'],
    );
    expect(s.phase).toBe('Inconclusive');
    expect(s.message).toBe(
      'Metric "run-forever" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
    );
  });

  it('TestTerminateAnalysisRun: nothing measured → Successful "Run Terminated"', () => {
    const s = pass([metric('m', { interval: '1m' })], [], true);
    expect(s).toMatchObject({ phase: 'Successful', message: 'Run Terminated' });
  });
});

describe('calculateNextReconcileTime', () => {
  const next = (ms: Metric[], results: MetricResult[], startedAt?: string) =>
    nextDue(ms, { metricResults: results, ...(startedAt ? { startedAt } : {}) }, NOW);

  it('TestCalculateNextReconcileTimeInterval', () => {
    const m = metric('m', { interval: '60s' });
    expect(next([m], [result('m', { count: 1, measurements: [measured('Successful', 30)] })])).toBe(
      NOW + 30_000,
    );
    expect(
      next([m], [result('m', { measurements: [{ phase: 'Running', startedAt: ago(30) }] })]),
    ).toBeUndefined();
    expect(
      next([m], [result('m', { phase: 'Successful', measurements: [measured('Successful', 30)] })]),
    ).toBeUndefined();
  });

  it('TestCalculateNextReconcileTimeInitialDelay', () => {
    expect(next([metric('m', { initialDelay: '40s' })], [], ago(30))).toBe(NOW + 10_000);
  });

  it.each([[{}], [{ interval: '5m' }]])('TestCalculateNextReconcileUponError (%j)', (extra) => {
    expect(
      next([metric('m', extra)], [result('m', { error: 1, measurements: [measured('Error', 0)] })]),
    ).toBe(NOW + 10_000);
  });

  it('TestCalculateNextReconcileTimeNoInterval', () => {
    expect(
      next(
        [metric('m', { count: 1 })],
        [result('m', { count: 1, measurements: [measured('Successful', 30)] })],
      ),
    ).toBeUndefined();
  });
});

describe('reconcileAnalysisRun', () => {
  const onePass = (spec: Partial<Metric>, phase: Measurement['phase'] = 'Successful') => {
    const r = run([metric('m', spec)]);
    const plan = planPass(r, NOW);
    if (plan.kind !== 'measure') throw new Error(plan.kind);
    return completePass(
      r,
      plan,
      plan.tasks.map((task) => ({ task, measurement: measured(phase) })),
      NOW,
    );
  };

  it.each<[string, Partial<Metric>, string]>([
    ['interval 60s', { interval: '60s' }, 'Running'],
    ['count 1', { count: 1 }, 'Successful'],
    ['count 0, no interval', { count: 0 }, 'Successful'],
  ])('TestReconcileAnalysisRunInitial: %s → %s', (_name, spec, phase) => {
    const out = onePass(spec);
    expect(out.status.phase).toBe(phase);
    expect(out.status.startedAt).toBe(ago(0));
  });

  it('TestReconcileAnalysisRunInvalid: no provider → Error', () => {
    const plan = planPass(run([{ name: 'm', provider: {} }]), NOW);
    expect(plan).toMatchObject({
      kind: 'invalid',
      status: { phase: 'Error', message: 'Analysis spec invalid: metrics[0]: no provider specified' },
    });
    if (plan.kind === 'invalid') expect(plan.status.completedAt).toBeUndefined();
  });

  it.each(['Failed', 'Inconclusive', 'Error'] as const)(
    'TestReconcileAnalysisRunTerminateSiblingAfterFail: sibling %s',
    (phase) => {
      const inflight: Measurement = { phase: 'Running', startedAt: ago(5) };
      const r = run([metric('sibling', { interval: '1m' }), metric('slow', { interval: '1m' })], {
        phase: 'Running',
        startedAt: ago(60),
        metricResults: [
          result('sibling', { phase, measurements: [measured(phase)] }),
          result('slow', { measurements: [inflight] }),
        ],
      });
      const plan = planPass(r, NOW);
      if (plan.kind !== 'measure') throw new Error(plan.kind);
      expect(plan.tasks.map((t) => [t.metric.name, t.kind])).toEqual([['slow', 'terminate']]);
      const terminated = measured('Inconclusive', 0, { message: 'Metric Terminated' });
      const out = completePass(r, plan, [{ task: plan.tasks[0]!, measurement: terminated }], NOW);
      expect(out.status.phase).toBe(phase);
      expect(out.status.metricResults?.[1]?.measurements).toEqual([terminated]);
    },
  );

  it('TestRunMeasurementsResetConsecutiveErrorCounter', () => {
    const before = result('m', { consecutiveError: 4, error: 4, count: 4 });
    const after = recordMeasurement(before, metric('m'), measured('Error'), {
      kind: 'run',
      dryRun: false,
      now: NOW,
    });
    expect([after.consecutiveError, after.error, after.count]).toEqual([5, 5, 4]);
  });

  it('TestTrimMeasurementHistory', () => {
    const many = (name: string, n: number) =>
      result(name, { measurements: Array.from({ length: n }, (_, i) => measured('Successful', n - i)) });
    const [a, b] = trimMeasurements([many('metric1', 12), many('metric2', 12)], new Map([['metric2', 2]]));
    expect(a?.measurements).toHaveLength(10);
    expect(a?.measurements?.at(-1)?.finishedAt).toBe(ago(1));
    expect(b?.measurements?.map((x) => x.finishedAt)).toEqual([ago(2), ago(1)]);
    expect(trimMeasurements([many('metric1', 3)], new Map([['metric1', 1]]))[0]?.measurements).toEqual([
      measured('Successful', 1),
    ]);
  });

  it('TestResolveMetricArgsUnableToSubstitute', () => {
    const m: Metric = {
      name: 'rate',
      successCondition: '{{args.does-not-exist}}',
      provider: { prometheus: { query: '{{args.metric-name}}' } },
    };
    expect(planPass(run([m]), NOW)).toMatchObject({
      kind: 'invalid',
      status: {
        phase: 'Error',
        message: 'Unable to resolve metric arguments: failed to resolve {{args.metric-name}}',
      },
    });
  });

  it('TestSecretContentReferenceProviderError: secret values are masked in messages', () => {
    const out = recordMeasurement(
      undefined,
      metric('m'),
      measured('Error', 0, { message: 'Error with Header Value: 12345' }),
      {
        kind: 'run',
        dryRun: false,
        now: NOW,
        secrets: ['12345'],
      },
    );
    expect(out.measurements?.[0]?.message).toBe('Error with Header Value: *****');
  });

  it.each<[string, { value: string } | { error: string }, string]>([
    [
      'TestSecretNotFound',
      { error: 'secrets "secret-does-not-exist" not found' },
      'Unable to resolve metric arguments: secrets "secret-does-not-exist" not found',
    ],
    [
      'TestKeyNotInSecret',
      { error: "key 'key-name' does not exist in secret 'secret-name'" },
      "Unable to resolve metric arguments: key 'key-name' does not exist in secret 'secret-name'",
    ],
  ])('%s', (_name, answer, message) => {
    const r = run([metric('m', { provider: { web: { url: 'https://x/{{args.token}}' } } })], undefined, {
      args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 'secret-name', key: 'key-name' } } }],
    });
    const plan = planPass(r, NOW);
    if (plan.kind !== 'measure') throw new Error(plan.kind);
    expect(withSecrets(r, plan.tasks, () => answer)).toEqual({ error: message, transient: false });
  });

  it('TestInvalidDryRunConfigThrowsError', () => {
    const r = run([metric('success-rate')], undefined, { dryRun: [{ metricName: 'error-rate' }] });
    expect(planPass(r, NOW)).toMatchObject({
      status: {
        phase: 'Error',
        message: "Analysis spec invalid: dryRun[0]: Rule didn't match any metric name(s)",
      },
    });
  });

  it.each([
    [86401, true],
    [86400, false],
  ])('TestExceededTtlChecked: completed %i s ago → expired %p', (secondsAgo, expired) => {
    const r = run(
      [metric('m')],
      { phase: 'Successful', completedAt: ago(secondsAgo) },
      { ttlStrategy: { secondsAfterCompletion: 86400 } },
    );
    expect(ttlExpired(r, NOW)).toBe(expired);
  });
});
