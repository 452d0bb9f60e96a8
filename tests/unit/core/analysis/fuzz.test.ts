/**
 * Seeded fuzzing of the condition evaluator: whatever the source and the result, `evaluate` returns plain data or
 * throws its typed ExprError, never anything else; no value from outside `result` is reachable; every evaluation
 * stays within its step bound; and nothing is written to shared prototypes.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  evaluate,
  ExprError,
  MAX_STEPS,
  toHost,
  type Value,
} from '../../../../shared/core/analysis/expr/index.js';
import { FUNCTIONS } from '../../../../shared/core/analysis/expr/parser.js';

const SEED = 1406;
const DANGEROUS = [
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'call',
  'apply',
  'bind',
  'length',
];
const NAMES = [
  'result',
  'nil',
  'true',
  'false',
  'this',
  'globalThis',
  'process',
  'require',
  'Function',
  'eval',
  ...DANGEROUS,
];
/** Every function a condition may call, as the parser knows them (a function added there is fuzzed too). */
const FUNCS = [...FUNCTIONS];
const OPS = [
  '+',
  '-',
  '*',
  '/',
  '%',
  '**',
  '^',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '&&',
  '||',
  'and',
  'or',
  'in',
  'not in',
  '??',
];

const literal = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc
    .double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
    .map((d) => (Number.isInteger(d) ? `${d}.5` : String(d))),
  fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
  fc.constantFrom(...NAMES),
);

/** Syntactically plausible expressions built from the grammar. */
const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    fc.tuple(tie('expr'), fc.constantFrom(...OPS), tie('expr')).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(fc.constantFrom('!', '-', 'not '), tie('expr')).map(([op, a]) => `${op}${a}`),
    tie('expr').map((a) => `(${a})`),
    fc.tuple(tie('expr'), fc.constantFrom(...DANGEROUS, 'a', 'b')).map(([a, k]) => `${a}.${k}`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, i]) => `${a}[${i}]`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, a, b]) => `${c} ? ${a} : ${b}`),
    fc
      .tuple(fc.constantFrom(...FUNCS), fc.array(tie('expr'), { maxLength: 2 }))
      .map(([f, args]) => `${f}(${args.join(', ')})`),
    fc
      .tuple(fc.constantFrom('all', 'any', 'map', 'filter', 'count'), tie('expr'), tie('expr'))
      .map(([f, a, b]) => `${f}(${a}, {${b.replace(/result/g, '#')}})`),
    fc.array(tie('expr'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
  ),
}));

/** Arbitrary token soup, mostly not valid. */
const soup = fc
  .array(
    fc.oneof(
      literal,
      fc.constantFrom(
        ...OPS,
        '(',
        ')',
        '[',
        ']',
        '{',
        '}',
        ',',
        '.',
        '?.',
        '?',
        ':',
        '#',
        ...FUNCS,
        '@',
        '`',
        '\\',
      ),
    ),
    { maxLength: 20 },
  )
  .map((tokens) => tokens.join(' '));

const withProtoKeys = fc.constantFrom(
  JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown,
  JSON.parse('{"constructor": {"prototype": {"x": 1}}}') as unknown,
  { a: [1, 2, 3], b: { c: 'd' } },
);
const results = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  withProtoKeys,
  fc.array(fc.double(), { maxLength: 6 }),
  fc.double(),
);

function isPlain(v: Value): boolean {
  if (v === null || ['boolean', 'bigint', 'number', 'string'].includes(typeof v)) return true;
  if (Array.isArray(v)) return v.every(isPlain);
  if (v instanceof Map) return [...v.values()].every(isPlain);
  return false;
}

const outcomes = { value: 0, syntax: 0, compile: 0, runtime: 0, limit: 0 };

function check(src: string, result: unknown): void {
  try {
    const out = evaluate(src, result);
    expect(isPlain(out.value)).toBe(true);
    expect(out.steps).toBeLessThanOrEqual(MAX_STEPS);
    outcomes.value++;
  } catch (e) {
    if (!(e instanceof ExprError)) throw new Error(`non-ExprError from ${JSON.stringify(src)}: ${String(e)}`);
    outcomes[e.kind]++;
  }
}

describe('fuzzing the condition evaluator (seeded)', () => {
  it('grammar-built expressions: plain data or ExprError, within the step bound', () => {
    fc.assert(
      fc.property(expr, results, (src, result) => check(src, result)),
      { seed: SEED, numRuns: 3000 },
    );
    // The generator reaches every outcome, so the property is exercised on values as well as on errors.
    expect(outcomes.value).toBeGreaterThan(300);
    expect(outcomes.compile).toBeGreaterThan(0);
    expect(outcomes.runtime).toBeGreaterThan(300);
  });

  it('token soup: plain data or ExprError', () => {
    fc.assert(
      fc.property(soup, results, (src, result) => check(src, result)),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('member access with prototype names yields only the own value of the result, or nil', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DANGEROUS),
        fc.dictionary(fc.constantFrom(...DANGEROUS, 'a'), fc.jsonValue({ maxDepth: 1 })),
        (key, obj) => {
          const expected = Object.prototype.hasOwnProperty.call(obj, key)
            ? (obj as Record<string, unknown>)[key]
            : null;
          expect(toHost(evaluate(`result.${key}`, obj).value)).toEqual(expected ?? null);
          expect(toHost(evaluate(`result["${key}"]`, obj).value)).toEqual(expected ?? null);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('leaves the shared prototypes untouched', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    fc.assert(
      fc.property(expr, results, (src, result) => check(src, result)),
      { seed: SEED + 1, numRuns: 500 },
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
