import { describe, expect, it } from '@jest/globals';
import { goFloatF, goFloatV, goJson } from '../../../../shared/core/analysis/go-format.js';
import { recordMeasurement } from '../../../../shared/core/analysis/metric.js';
import { dueTasks, effectiveCount } from '../../../../shared/core/analysis/schedule.js';
import { formatTime, parseInterval } from '../../../../shared/core/analysis/time.js';
import type { AnalysisPhase, Metric } from '../../../../shared/core/analysis/types.js';
import { ago, measured, metric, NOW, result } from './fixtures.js';

describe('effectiveCount', () => {
  it.each<[Partial<Metric>, number | undefined]>([
    [{}, 1],
    [{ count: 0 }, 1],
    [{ interval: '1m' }, undefined],
    [{ interval: '1m', count: 0 }, undefined],
    [{ interval: '1m', count: 3 }, 3],
    [{ interval: '1m', count: '4' }, 4],
    [{ interval: '1m', count: 'lots' }, undefined],
  ])('%j → %p', (extra, expected) => {
    expect(effectiveCount(metric('m', extra))).toBe(expected);
  });
});

describe('due times', () => {
  const dueAfter = (extra: Partial<Metric>, phase: AnalysisPhase, secondsAgo: number, count = 1) =>
    dueTasks(
      [metric('m', extra)],
      { metricResults: [result('m', { count, measurements: [measured(phase, secondsAgo)] })] },
      false,
      NOW,
    ).length;

  it('is due strictly after finishedAt + interval, one measurement at a time (no catch-up)', () => {
    expect(dueAfter({ interval: '30s' }, 'Successful', 30)).toBe(0);
    expect(dueAfter({ interval: '30s' }, 'Successful', 31)).toBe(1);
    expect(dueAfter({ interval: '30s' }, 'Successful', 3600)).toBe(1);
  });

  it('retries 10 s after an Error whatever the interval', () => {
    expect(dueAfter({ interval: '5m' }, 'Error', 10, 0)).toBe(0);
    expect(dueAfter({ interval: '5m' }, 'Error', 11, 0)).toBe(1);
  });

  it('stops at the count; Errors do not count towards it', () => {
    expect(dueAfter({ interval: '30s', count: 2 }, 'Successful', 60, 2)).toBe(0);
    expect(dueAfter({ interval: '30s', count: 2 }, 'Error', 60, 1)).toBe(1);
  });

  it('takes nothing new once terminated', () => {
    expect(dueTasks([metric('m')], undefined, true, NOW)).toEqual([]);
    expect(dueTasks([metric('m')], undefined, false, NOW)).toHaveLength(1);
  });
});

describe('recordMeasurement counters', () => {
  const base = result('m', {
    count: 2,
    successful: 1,
    failed: 1,
    error: 1,
    consecutiveError: 1,
    consecutiveSuccess: 1,
    measurements: [measured('Successful', 60)],
  });
  it.each<[AnalysisPhase, Record<string, number>]>([
    [
      'Successful',
      {
        count: 3,
        successful: 2,
        failed: 1,
        inconclusive: 0,
        error: 1,
        consecutiveError: 0,
        consecutiveSuccess: 2,
      },
    ],
    [
      'Failed',
      {
        count: 3,
        successful: 1,
        failed: 2,
        inconclusive: 0,
        error: 1,
        consecutiveError: 0,
        consecutiveSuccess: 0,
      },
    ],
    [
      'Inconclusive',
      {
        count: 3,
        successful: 1,
        failed: 1,
        inconclusive: 1,
        error: 1,
        consecutiveError: 0,
        consecutiveSuccess: 0,
      },
    ],
    [
      'Error',
      {
        count: 2,
        successful: 1,
        failed: 1,
        inconclusive: 0,
        error: 2,
        consecutiveError: 2,
        consecutiveSuccess: 0,
      },
    ],
  ])('%s', (phase, counters) => {
    const r = recordMeasurement(
      base,
      metric('m'),
      { phase, startedAt: ago(0) },
      { kind: 'run', dryRun: false, now: NOW },
    );
    const { count, successful, failed, inconclusive = 0, error, consecutiveError, consecutiveSuccess } = r;
    expect({ count, successful, failed, inconclusive, error, consecutiveError, consecutiveSuccess }).toEqual(
      counters,
    );
    expect(r.measurements).toHaveLength(2);
    expect(r.measurements?.[1]?.finishedAt).toBe(ago(0));
    expect(base.measurements).toHaveLength(1);
  });

  it('the first measurement creates the result; resume replaces the in-flight one', () => {
    const first = recordMeasurement(
      undefined,
      metric('m'),
      { phase: 'Running', startedAt: ago(5) },
      { kind: 'run', dryRun: true, now: NOW },
    );
    expect(first).toEqual({
      name: 'm',
      phase: 'Running',
      dryRun: true,
      measurements: [{ phase: 'Running', startedAt: ago(5) }],
    });
    const done = recordMeasurement(
      first,
      metric('m'),
      { phase: 'Successful', startedAt: ago(5) },
      { kind: 'resume', dryRun: true, now: NOW },
    );
    expect(done.measurements).toEqual([{ phase: 'Successful', startedAt: ago(5), finishedAt: ago(0) }]);
    expect(done.count).toBe(1);
  });
});

describe('Go formats', () => {
  it.each<[number, string, string]>([
    [10, '10', '10'],
    [0.95, '0.95', '0.95'],
    [1000000, '1000000', '1e+06'],
    [123456, '123456', '123456'],
    [1e21, '1000000000000000000000', '1e+21'],
    [0.00001, '0.00001', '1e-05'],
    [0.0001, '0.0001', '0.0001'],
    [-1.5, '-1.5', '-1.5'],
    [NaN, 'NaN', 'NaN'],
    [Infinity, '+Inf', '+Inf'],
    [-Infinity, '-Inf', '-Inf'],
  ])('%p → FormatFloat f %s, %%v %s', (x, f, v) => {
    expect(goFloatF(x)).toBe(f);
    expect(goFloatV(x)).toBe(v);
  });

  it('json.Marshal sorts keys and escapes <, > and &', () => {
    expect(goJson({ b: 1, a: { d: '<&>', c: [1.5, null] } })).toBe(
      '{"a":{"c":[1.5,null],"d":"\\u003c\\u0026\\u003e"},"b":1}',
    );
  });

  it('timestamps are RFC 3339 truncated to the second; durations carry Go errors', () => {
    expect(formatTime(Date.parse('2026-03-01T12:00:00.999Z'))).toBe('2026-03-01T12:00:00Z');
    expect(parseInterval('1.5h')).toEqual({ ms: 5_400_000 });
    expect(parseInterval('300ms')).toEqual({ ms: 300 });
    expect(parseInterval('1d')).toEqual({ error: 'time: unknown unit "d" in duration "1d"' });
    expect(parseInterval('')).toEqual({ error: 'time: invalid duration ""' });
  });
});
