import { describe, expect, it } from '@jest/globals';
import {
  evaluate,
  evaluateCondition,
  ExprError,
  toHost,
} from '../../../../shared/core/analysis/expr/index.js';

const value = (src: string, result: unknown = null) => toHost(evaluate(src, result).value);
const failure = (src: string, result: unknown = null): ExprError => {
  try {
    evaluate(src, result);
  } catch (e) {
    if (e instanceof ExprError) return e;
    throw e;
  }
  throw new Error(`expected ${src} to fail`);
};

describe('expression syntax', () => {
  it.each<[string, unknown, unknown]>([
    ['1 + 2 * 3', null, 7n],
    ['(1 + 2) * 3', null, 9n],
    ['7 / 2', null, 3.5],
    ['7 % 4', null, 3n],
    ['2 ** 3 ** 2', null, 512],
    ['2 ^ 3', null, 8],
    ['-2 ** 2', null, -4],
    ['1.5e1', null, 15],
    ['0x10 + 1_000', null, 1016n],
    ['"a\\tb" + \'c\'', null, 'a\tbc'],
    ['"\\u0041"', null, 'A'],
    ['true && !false', null, true],
    ['true and not false or false', null, true],
    ['not true == false', null, true],
    ['1 < 2 ? "yes" : "no"', null, 'yes'],
    ['nil == nil', null, true],
    ['result', 0.5, 0.5],
    ['result[0]', [3, 4], 3],
    ['result[-1]', [3, 4], 4],
    ['result.a.b', { a: { b: 'x' } }, 'x'],
    ['result["a"]', { a: 1 }, 1],
    ['result.missing', { a: 1 }, null],
    ['result.missing?.deeper', { a: 1 }, null],
    ['(result.missing ?? 0) > 1', { a: 1 }, false],
    ['result.a ?? 5', { a: null }, 5n],
    ['len(result)', [1, 2, 3], 3n],
    ['len(result)', { a: 1 }, 1n],
    ['len("abc")', null, 3n],
    ['2 in result', [1, 2], true],
    ['"a" in result', { a: 1 }, true],
    ['3 not in result', [1, 2], true],
    ['3 in [1, 2, 3]', null, true],
    ['all(result, {# > 1})', [2, 3], true],
    ['all(result, # > 2)', [2, 3], false],
    ['any(result, {# > 2})', [2, 3], true],
    ['none(result, {# > 3})', [2, 3], true],
    ['one(result, {# > 2})', [2, 3], true],
    ['filter(result, {# > 2})', [2, 3, 4], [3, 4]],
    ['map(result, {# * 2})', [2, 3], [4, 6]],
    ['count(result, {# >= 3})', [2, 3, 4], 2n],
    ['find(result, {# > 2})', [2, 3, 4], 3],
    ['findIndex(result, {# > 2})', [2, 3, 4], 1n],
    ['all(result.x, {asFloat(.value) >= 9900})', { x: [{ value: '9901' }, { value: '9950.5' }] }, true],
    ['max(result) < 0.05', [0.01, 0.04], true],
    ['min(result)', [3, 1, 2], 1],
    ['max(1, 5, 3)', null, 5n],
    ['sum(result)', [1, 2.5], 3.5],
    ['sum([1, 2])', null, 3n],
    ['mean(result)', [1, 2], 1.5],
    ['abs(-3)', null, 3n],
    ['int(2.9)', null, 2n],
    ['float(2)', null, 2],
    ['int(result) % 3', 7.0, 1n],
    ['asInt("12") + 1', null, 13n],
    ['asFloat("1e3")', null, 1000],
    ['isNaN(asFloat("NaN"))', null, true],
    ['isInf(asFloat("-Inf"))', null, true],
    ['isNil(1)', null, true],
    ['isNil(nil)', [], false],
    ['default(result, 0)', null, 0n],
    ['default(result, 0)', [], []],
    ['result == "true"', 'true', true],
    ['result.ok && result.successPercent >= 0.90', { ok: true, successPercent: 0.95 }, true],
    ['result.a == "1"', { a: 1 }, false],
    ['1 == 1.0', null, true],
    ['result == [1, 2]', [1, 2], true],
    ['"abc"[1]', null, 'b'],
    ['"b" > "a" && "a" <= "a" && "a" >= "b" == false', null, true],
    ['2 <= 3 && 3 >= 3 && 2 < 2.5 && 3.5 > 3', null, true],
    ['asFloat("NaN") < 1 || asFloat("NaN") >= 1', null, false],
    ['9223372036854775807 + 1', null, -9223372036854775808n],
    ['5 - 7.5', null, -2.5],
    ['result ? "a" : 1', true, 'a'],
  ])('%s with result %j = %p', (src, result, expected) => {
    expect(value(src, result)).toEqual(expected);
  });
});

describe('expression errors name the problem', () => {
  it.each<[string, unknown, string, ExprError['kind']]>([
    ['1 +', null, 'unexpected end of expression (1:4)', 'syntax'],
    ['1 2', null, 'unexpected token 2 (1:3)', 'syntax'],
    ['"abc', null, 'literal not terminated (1:1)', 'syntax'],
    ['1 @ 2', null, "unrecognized character: U+0040 '@' (1:3)", 'syntax'],
    [
      'result.a ?? 0 > 1',
      { a: 1 },
      'Operator (??) and other operators must be parenthesized when mixed (1:15)',
      'syntax',
    ],
    ['# > 1', null, 'unexpected token # (1:1)', 'syntax'],
    ['invalidVariable', null, 'unknown name invalidVariable (1:1)', 'compile'],
    ['eval("1")', null, 'unknown func eval (1:1)', 'compile'],
    ['result.Name() == "hi"', { Name: 'hi' }, 'type has no method Name (1:7)', 'compile'],
    [
      'asFloat(result) == "1.1"',
      '1.1',
      'invalid operation: == (mismatched types float64 and string) (1:17)',
      'compile',
    ],
    ['result == "true"', true, 'invalid operation: == (mismatched types bool and string) (1:8)', 'compile'],
    ['result[0]', [], 'index out of range: 0 (array length is 0)', 'runtime'],
    ['result.a.b', { a: null }, 'cannot fetch b from <nil>', 'runtime'],
    ['result.a > 1', { b: 1 }, 'invalid operation: <nil> > int', 'runtime'],
    ['result % 2', 3.5, 'invalid operation: float64 % int', 'runtime'],
    ['5 % 0', null, 'integer divide by zero', 'runtime'],
    ['result[2]', 'ab', 'index out of range: 2 (array length is 2)', 'runtime'],
    ['result[1.5]', [1, 2], 'cannot fetch 1.5 from []interface {}', 'runtime'],
    ['"a" < 1', null, 'invalid operation: < (mismatched types string and int) (1:5)', 'compile'],
    ['result.a < 1', { a: 'x' }, 'invalid operation: string < int', 'runtime'],
    ['asInt(result)', '1.1', 'strconv.ParseInt: parsing "1.1": invalid syntax', 'runtime'],
    ['asFloat(result)', 'NotANum', 'strconv.ParseFloat: parsing "NotANum": invalid syntax', 'runtime'],
    ['all(result, {#})', [1], 'all: expected bool, but got float64', 'runtime'],
    ['all(result, {1})', [1], 'all: expected bool, but got int', 'runtime'],
    ['all(result, {# > 1})', null, 'cannot iterate <nil>', 'runtime'],
    ['len(1)', null, 'invalid argument for len (type int)', 'runtime'],
    ['1 && true', null, 'invalid operation: &&: expected bool, but got int', 'runtime'],
  ])('%s with result %j fails: %s', (src, result, message, kind) => {
    const e = failure(src, result);
    expect(e.message).toBe(message);
    expect(e.kind).toBe(kind);
  });

  it('a condition must yield a boolean', () => {
    expect(() => evaluateCondition('1', null)).toThrow('expected bool, but got int');
    expect(evaluateCondition('result > 1', 2)).toBe(true);
  });
});

describe('the evaluator reaches nothing but result', () => {
  it.each(['constructor', '__proto__', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'])(
    'result.%s is a missing key (nil)',
    (key) => {
      expect(value(`result.${key}`, { a: 1 })).toBeNull();
      expect(value(`result["${key}"]`, { a: 1 })).toBeNull();
      expect(value(`result.a.${key} ?? "none"`, { a: {} })).toBe('none');
    },
  );

  it('a key the provider did send is readable, even one named like a prototype member', () => {
    expect(value('result.constructor', JSON.parse('{"constructor": 5}'))).toBe(5);
    expect(value('result.__proto__', JSON.parse('{"__proto__": 6}'))).toBe(6);
  });

  it.each(['this', 'globalThis', 'process', 'require', 'Function', 'env', '$env'])(
    '%s is an unknown name',
    (name) => {
      expect(failure(name).message).toBe(`unknown name ${name} (1:1)`);
    },
  );

  it('member access on a number or string is refused, never resolved on its prototype', () => {
    expect(failure('result.constructor', 1).message).toBe('cannot fetch constructor from float64');
    expect(failure('result.length', 'abc').message).toBe('cannot fetch length from string');
  });

  it('refuses results that are not plain data', () => {
    expect(failure('true', { f: () => 1 }).kind).toBe('runtime');
    expect(failure('true', new (class X {})()).kind).toBe('runtime');
  });
});

describe('bounds', () => {
  it('stops a condition that would take too many steps', () => {
    const e = failure(
      'all(result, {all(result, {all(result, {# >= 0})})})',
      Array.from({ length: 100 }, (_, i) => i),
    );
    expect(e.kind).toBe('limit');
    expect(e.message).toBe('evaluation exceeded 200000 steps');
  });

  it('refuses nesting deeper than the parser allows', () => {
    expect(failure(`${'('.repeat(60)}1${')'.repeat(60)}`).kind).toBe('limit');
  });

  it('refuses sources longer than 4096 characters', () => {
    expect(failure(`1${' + 1'.repeat(1100)}`).kind).toBe('limit');
  });

  it('refuses results nested deeper than 64', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(failure('true', deep).kind).toBe('limit');
  });

  it('counts the steps it takes', () => {
    expect(evaluate('1 + 2', null).steps).toBe(3);
  });
});
