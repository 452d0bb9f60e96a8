/**
 * The condition cases of Argo Rollouts' unit tests, each named after the Go test it comes from.
 */
import { describe, expect, it } from '@jest/globals';
import { assess } from '../../../../shared/core/analysis/assess.js';
import { ExprError } from '../../../../shared/core/analysis/expr/errors.js';
import { evaluateTime } from '../../../../shared/core/analysis/expr/time-expr.js';
import { prometheusMeasurement } from '../../../../shared/core/analysis/prometheus-result.js';
import type { Metric } from '../../../../shared/core/analysis/types.js';
import { webMeasurement } from '../../../../shared/core/analysis/web-result.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const cond = (successCondition?: string, failureCondition?: string) => ({
  ...(successCondition !== undefined ? { successCondition } : {}),
  ...(failureCondition !== undefined ? { failureCondition } : {}),
});

describe('utils/evaluate/evaluate_test.go', () => {
  it.each<[string, string | undefined, string | undefined, unknown, string]>([
    ['TestEvaluateResultWithSuccess', 'true', 'false', 0, 'Successful'],
    ['TestEvaluateResultWithFailure', 'true', 'true', 0, 'Failed'],
    ['TestEvaluateResultInconclusive', 'false', 'false', 0, 'Inconclusive'],
    ['TestEvaluateResultNoSuccessConditionAndNotFailing', undefined, 'false', 0, 'Successful'],
    ['TestEvaluateResultNoFailureConditionAndNoSuccessCondition', undefined, undefined, 0, 'Successful'],
    ['TestEvaluateResultNoFailureConditionAndNotSuccessful', 'false', undefined, 0, 'Failed'],
    ['TestEvaluateResultWithErrorOnSuccessCondition', 'a == true', undefined, 0, 'Error'],
    ['TestEvaluateResultWithErrorOnFailureCondition', undefined, 'a == true', 0, 'Error'],
  ])('%s', (_name, s, f, result, phase) => {
    expect(assess(cond(s, f), result).phase).toBe(phase);
  });

  it.each<[string, string, unknown, string]>([
    [
      'TestErrorWithNonBoolReturn',
      '1',
      1,
      'could not evaluate successCondition "1": expected bool, but got int',
    ],
    [
      'TestErrorWithInvalidReference',
      'invalidVariable',
      1,
      'could not evaluate successCondition "invalidVariable": unknown name invalidVariable (1:1)',
    ],
    [
      'TestEvaluateInvalidStruct',
      "result.Name() == 'hi'",
      { Name: 'hi' },
      `could not evaluate successCondition "result.Name() == 'hi'": type has no method Name (1:7)`,
    ],
  ])('%s', (_name, s, result, message) => {
    expect(assess(cond(s), result)).toEqual({ phase: 'Error', message });
  });

  it('TestEvaluateArray', () => {
    const result = { service_apdex: { label: null, values: { values: [2, 2] } } };
    expect(assess(cond('all(result.service_apdex.values.values, {# > 1})'), result).phase).toBe('Successful');
  });

  it('TestEvaluateInOperator', () => {
    expect(assess(cond('2 in result'), [2, 3]).phase).toBe('Successful');
  });

  it.each([['1'], [1], [1.123]])('TestEvaluateAsInt: asInt(%j) == 1', (result) => {
    expect(assess(cond('asInt(result) == 1'), result).phase).toBe('Successful');
  });

  it('TestEvaluateAsIntPanic', () => {
    expect(assess(cond('asInt(result) == 1.1'), '1.1')).toEqual({
      phase: 'Error',
      message:
        'could not evaluate successCondition "asInt(result) == 1.1": strconv.ParseInt: parsing "1.1": invalid syntax',
    });
  });

  it('TestEvaluateAsFloat', () => {
    expect(assess(cond('asFloat(result) >= 1.1'), '1.1').phase).toBe('Successful');
  });

  it('TestEvaluateAsFloatError', () => {
    expect(assess(cond('asFloat(result) >= 1.1'), 'NotANum').message).toContain(
      'strconv.ParseFloat: parsing "NotANum": invalid syntax',
    );
    expect(assess(cond('asFloat(result) == "1.1"'), '1.1').message).toContain(
      'invalid operation: == (mismatched types float64 and string)',
    );
  });

  it.each([[null], [[]]])(
    'TestEvaluateConditionErrorMessageWithNilResult / WithEmptySlice (%j)',
    (result) => {
      expect(assess(cond('result[0] >= 0.95'), result)).toEqual({
        phase: 'Error',
        message:
          'could not evaluate successCondition "result[0] >= 0.95": metric result is nil or empty: no data returned from the metric provider',
      });
    },
  );

  it('TestEvalTimeWithSuccessExpr', () => {
    const t = evaluateTime('date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")', NOW);
    expect(new Date(t).toISOString()).toBe('2023-08-13T23:00:00.000Z');
    expect(evaluateTime('now() - duration("5m")', NOW)).toBe(NOW - 300_000);
    expect(evaluateTime('date("2023-08-14")', NOW)).toBe(Date.parse('2023-08-14T00:00:00Z'));
  });

  it.each([['hello'], ['duration("1h")'], ['now() + now()'], ['date("14/08/2023")'], ['duration("??")']])(
    'TestEvalTimeNotTimeResult: %s is an ExprError',
    (src) => {
      expect(() => evaluateTime(src, NOW)).toThrow(ExprError);
    },
  );

  it('TestEvalTimeNotTimeResult messages', () => {
    expect(() => evaluateTime('duration("1h")', NOW)).toThrow('expected time.Time, but got time.Duration');
    expect(() => evaluateTime('duration("??")', NOW)).toThrow('time: invalid duration "??"');
  });

  it('TestEvaluateConditionWithInvalidExpression / OnFailureCondition', () => {
    expect(assess(cond('result >= '), 1).message).toMatch(
      /^could not evaluate successCondition "result >= ": /,
    );
    expect(assess(cond(undefined, 'invalidVar == true'), 1).message).toMatch(
      /^could not evaluate failureCondition "invalidVar == true": unknown name invalidVar/,
    );
  });
});

const prom = (s?: string, f?: string): Metric => ({
  name: 'foo',
  ...cond(s, f),
  provider: { prometheus: { query: 'q' } },
});
const scalar = (v: string) => ({ resultType: 'scalar', result: [1700000000, v] });

describe('metricproviders/prometheus/prometheus_test.go', () => {
  it('TestRunSuccessfully / TestRunSuccessfullyWithWarning', () => {
    const m = prometheusMeasurement(prom('result == 10', 'result != 10'), scalar('10'), NOW, [
      'warning',
      'warning2',
    ]);
    expect(m).toMatchObject({
      phase: 'Successful',
      value: '10',
      metadata: { warnings: '"warning", "warning2"' },
    });
    expect(m.finishedAt).toBe('2026-01-01T00:00:00Z');
  });

  it('TestRunSuccessfullyWithRangeQuery', () => {
    const data = {
      resultType: 'matrix',
      result: [
        {
          values: [
            [1, '11'],
            [2, '12'],
          ],
        },
        {
          values: [
            [1, '13'],
            [2, '14'],
          ],
        },
      ],
    };
    expect(prometheusMeasurement(prom('all(result, # > 10)'), data, NOW)).toMatchObject({
      phase: 'Successful',
      value: '[11,12,13,14]',
    });
  });

  it('TestRunWithEvaluationError / TestProcessInvalidResponse', () => {
    for (const data of [{}, { resultType: 'string', result: [1, 'x'] }]) {
      const m = prometheusMeasurement(prom('result == 10'), data, NOW);
      expect(m).toMatchObject({ phase: 'Error', message: 'Prometheus metric type not supported' });
      expect(m.value).toBeUndefined();
    }
  });

  it.each<[string | undefined, string | undefined, string]>([
    ['result >= 0.9', 'result < 0.9', 'Inconclusive'],
    ['result >= 0.9 || isNaN(result)', undefined, 'Successful'],
    ['result >= 0.9', undefined, 'Failed'],
    [undefined, 'result < 0.9', 'Successful'],
  ])('TestProcessNaNResponse: S %s F %s → %s', (s, f, phase) => {
    expect(prometheusMeasurement(prom(s, f), scalar('NaN'), NOW)).toMatchObject({ phase, value: 'NaN' });
  });

  it.each<[string | undefined, string | undefined, string]>([
    ['result >= 0.9', undefined, 'Successful'],
    [undefined, 'isInf(result)', 'Failed'],
  ])('TestProcessInfResponse: S %s F %s → %s', (s, f, phase) => {
    expect(prometheusMeasurement(prom(s, f), scalar('+Inf'), NOW)).toMatchObject({ phase, value: '+Inf' });
  });

  it('TestProcessVectorResponse', () => {
    const data = { resultType: 'vector', result: [{ value: [1, '10'] }, { value: [1, '11'] }] };
    expect(prometheusMeasurement(prom('10 in result', 'len(result) != 2'), data, NOW)).toMatchObject({
      phase: 'Successful',
      value: '[10,11]',
    });
  });
});

const web = (s?: string, f?: string, jsonPath?: string): Metric => ({
  name: 'foo',
  ...cond(s, f),
  provider: { web: { url: 'https://example.com', ...(jsonPath ? { jsonPath } : {}) } },
});
const ok = (body: string) => ({ status: 200, body });

describe('metricproviders/webmetric/webmetric_test.go (TestRunSuite)', () => {
  it.each<[string, Metric, { status: number; body: string }, string, string | undefined]>([
    [
      'noJSONPathSpecified_And_MatchesConditions',
      web('result.a > 0 && result.b && all(result.c, {# < 5}) && result.d == nil'),
      ok('{"a":1,"b":true,"c":[1,2,3,4],"d":null}'),
      'Successful',
      '{"a":1,"b":true,"c":[1,2,3,4],"d":null}',
    ],
    [
      'matchesNeitherCondition',
      web('result.a >= 2', 'result.a <= 0'),
      ok('{"a":1}'),
      'Inconclusive',
      '{"a":1}',
    ],
    [
      'intStringReturnedInJson',
      web('asInt(result) > 0', 'asInt(result) <= 0', '{$.key[0].key2.value}'),
      ok('{"key":[{"key2":{"value":"1"}}]}'),
      'Successful',
      '"1"',
    ],
    [
      'intStringReturnedInJson (0)',
      web('asInt(result) > 0', 'asInt(result) <= 0', '{$.key[0].key2.value}'),
      ok('{"key":[{"key2":{"value":"0"}}]}'),
      'Failed',
      '"0"',
    ],
    [
      'floatStringReturnedInJson',
      web('asFloat(result) > 1.1', 'asFloat(result) < 1.3', '{$.key[0].key2.value}'),
      ok('{"key":[{"key2":{"value":"1.2"}}]}'),
      'Failed',
      '"1.2"',
    ],
    ['numberReturnedInJson', web('result > 0', 'result <= 0', '{$.key}'), ok('{"key":1}'), 'Successful', '1'],
    ['numberReturnedInJson (0)', web('result > 0', 'result <= 0', '{$.key}'), ok('{"key":0}'), 'Failed', '0'],
    [
      'floatReturnedInJson',
      web('result > 0', 'result <= 0', '{$.key}'),
      ok('{"key":-1.1}'),
      'Failed',
      '-1.1',
    ],
    [
      'stringReturnedInJson',
      web('result == "true"', undefined, '{$.key}'),
      ok('{"key":"true"}'),
      'Successful',
      '"true"',
    ],
    [
      'boolReturnedInJson',
      web('result == true', 'result == false', '{$.key}'),
      ok('{"key":false}'),
      'Failed',
      'false',
    ],
    [
      'listReturnedInJson',
      web('any(result, {# > 5})', undefined, '{$.key}'),
      ok('{"key":[1,2,3,4,5,6]}'),
      'Successful',
      '[1,2,3,4,5,6]',
    ],
    [
      'listReturnedInJson (none > 6)',
      web('any(result, {# > 6})', undefined, '{$.key}'),
      ok('{"key":[1,2,3,4,5,6]}'),
      'Failed',
      '[1,2,3,4,5,6]',
    ],
    [
      'mapReturnedInJson',
      web('result.num > 1', undefined, '{$.key}'),
      ok('{"key":{"num":1.2,"bool":true,"mapfield":{"foo":"bar"}}}'),
      'Successful',
      '{"bool":true,"mapfield":{"foo":"bar"},"num":1.2}',
    ],
    ['non200Response', web('true'), { status: 300, body: '{}' }, 'Error', undefined],
    ['non200Response_And_NoBody', web('true'), { status: 400, body: '' }, 'Error', undefined],
    ['200Response_And_EmptyBody', web('true'), ok(''), 'Successful', ''],
    [
      '200Response_And_NonJsonBody',
      web("result == 'test: notJson'"),
      ok('test: notJson'),
      'Successful',
      'test: notJson',
    ],
    [
      '200Response_And_EmptyBody_And_SuccessConditionNotMet',
      web("result == 'fail123'"),
      ok(''),
      'Failed',
      '',
    ],
    [
      '200Response_And_NonJsonBody_And_SuccessConditionNotMet',
      web("result == 'fail123'"),
      ok('OK'),
      'Failed',
      'OK',
    ],
    [
      'JsonPathHasNoMatch',
      web('true', undefined, '{$.key[0].key2.novalue}'),
      ok('{"key":[{"key2":{"value":"1"}}]}'),
      'Error',
      undefined,
    ],
    ['AnyJson', web('true'), ok('{}'), 'Successful', '{}'],
  ])('%s', (_name, metric, response, phase, value) => {
    const m = webMeasurement(metric, response, NOW);
    expect(m.phase).toBe(phase);
    expect(m.value).toBe(value);
  });

  it('non200Response and JsonPathHasNoMatch carry Argo messages', () => {
    expect(webMeasurement(web('true'), { status: 300, body: '' }, NOW).message).toBe(
      'received non 2xx response code: 300',
    );
    expect(
      webMeasurement(
        web('true', undefined, '{$.key[0].key2.novalue}'),
        ok('{"key":[{"key2":{"value":"1"}}]}'),
        NOW,
      ).message,
    ).toBe('Could not find JSONPath in body: novalue is not found');
  });
});
