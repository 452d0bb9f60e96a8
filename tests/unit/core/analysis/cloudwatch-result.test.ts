/**
 * The pure half of the CloudWatch provider: Go's `%+v` of the values and the measurement from an answer.
 */
import { describe, expect, it } from '@jest/globals';
import {
  cloudWatchMeasurement,
  cloudWatchValue,
  type CloudWatchResult,
} from '../../../../shared/core/analysis/cloudwatch-result.js';

const result = (Values: number[], Id = 'q'): CloudWatchResult => ({
  Id,
  Label: null,
  Values,
  Timestamps: Values.map(() => '2026-01-01T00:00:00.000Z'),
  StatusCode: 'Complete',
  Messages: [],
});

describe('cloudWatchValue (Go %+v of [][]float64)', () => {
  it.each([
    [[[0.1, 0.2, 0.3]], '[[0.1 0.2 0.3]]'],
    [[[1000000], [0.00001]], '[[1e+06] [1e-05]]'],
    [[[]], '[[]]'],
    [[], '[]'],
    [[[NaN, Infinity, -Infinity]], '[[NaN +Inf -Inf]]'],
  ])('%j → %s', (values, text) => {
    expect(cloudWatchValue(values.map((v) => result(v)))).toBe(text);
  });
});

describe('cloudWatchMeasurement', () => {
  const now = Date.parse('2026-01-01T00:00:10.500Z');

  it.each([
    ['all(result[0].Values, {# <= 0.01})', [0.01, 0.005], 'Successful'],
    ['all(result[0].Values, {# <= 0.01})', [0.01, 0.02], 'Failed'],
    ['len(result[0].Values) >= 5', [0.01], 'Failed'],
  ])('%s on %j: %s', (successCondition, values, phase) => {
    const m = cloudWatchMeasurement({ successCondition }, [result(values)], [], now);
    expect(m).toMatchObject({ phase, finishedAt: '2026-01-01T00:00:10Z' });
  });

  it('keeps the value when only the evaluation failed', () => {
    const m = cloudWatchMeasurement({ successCondition: 'result[0].Values[0] < 1' }, [result([])], [], now);
    expect(m.phase).toBe('Error');
    expect(m.value).toBe('[[]]');
  });

  it('writes the answer messages as text', () => {
    const m = cloudWatchMeasurement(
      {},
      [result([1])],
      [{ Code: 'MaxQueryTimeRangeExceed', Value: 'x' }],
      now,
    );
    expect(m.metadata).toEqual({ messages: '[{Code:MaxQueryTimeRangeExceed Value:x}]' });
  });
});
