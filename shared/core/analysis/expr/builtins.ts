/**
 * The functions a condition may call that take no predicate: expr-lang's `len`, `max`, `min`, `sum`, `mean`, `abs`,
 * `int`, `float`, and Argo Rollouts' `asInt`, `asFloat`, `isNaN`, `isInf`, `isNil`, `default`. As in Argo, `isNil`
 * and `default` ignore their first argument and look at the whole `result`. Pure module: no I/O imports.
 */
import { ExprError } from './errors.js';
import { goQuote } from '../../model/field-error.js';
import { isList, isMap, isNumber, typeName, type Value } from './values.js';

const GO_FLOAT = /^[+-]?(?:\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf(?:inity)?)$/i;

function fail(message: string, pos: number): ExprError {
  return new ExprError('runtime', message, pos);
}

function parseGoInt(s: string, pos: number): bigint {
  if (!/^[+-]?\d+$/.test(s)) throw fail(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`, pos);
  const n = BigInt(s);
  if (n !== BigInt.asIntN(64, n))
    throw fail(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`, pos);
  return n;
}

function parseGoFloat(s: string, pos: number): number {
  if (/^nan$/i.test(s)) return NaN;
  if (!GO_FLOAT.test(s)) throw fail(`strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`, pos);
  return /inf/i.test(s) ? (s.startsWith('-') ? -Infinity : Infinity) : Number(s);
}

function toInt(fn: string, v: Value, pos: number): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return -(2n ** 63n);
    return BigInt.asIntN(64, BigInt(Math.trunc(v)));
  }
  if (typeof v === 'string') return parseGoInt(v, pos);
  throw fail(`${fn}: unsupported type ${typeName(v)}`, pos);
}

function toFloat(fn: string, v: Value, pos: number): number {
  if (isNumber(v)) return Number(v);
  if (typeof v === 'string') return parseGoFloat(v, pos);
  throw fail(`${fn}: unsupported type ${typeName(v)}`, pos);
}

function floatArg(fn: string, v: Value, pos: number): number {
  if (!isNumber(v)) throw fail(`cannot use ${typeName(v)} as argument (type float64) to call ${fn}`, pos);
  return Number(v);
}

function numbers(fn: string, args: Value[], pos: number): (bigint | number)[] {
  const list = args.length === 1 && isList(args[0] ?? null) ? (args[0] as readonly Value[]) : args;
  return list.map((v) => {
    if (!isNumber(v)) throw fail(`invalid argument for ${fn} (type ${typeName(v)})`, pos);
    return v;
  });
}

function extreme(fn: 'max' | 'min', args: Value[], pos: number): Value {
  const list = numbers(fn, args, pos);
  let best: bigint | number | null = null;
  for (const v of list) {
    if (best === null || (fn === 'max' ? Number(v) > Number(best) : Number(v) < Number(best))) best = v;
  }
  return best;
}

function sum(args: Value[], pos: number): Value {
  const list = numbers('sum', args, pos);
  if (list.every((v) => typeof v === 'bigint'))
    return BigInt.asIntN(
      64,
      list.reduce<bigint>((a, v) => a + (v as bigint), 0n),
    );
  return list.reduce<number>((a, v) => a + Number(v), 0);
}

function len(v: Value, pos: number): bigint {
  if (isList(v)) return BigInt(v.length);
  if (isMap(v)) return BigInt(v.size);
  if (typeof v === 'string') return BigInt(new TextEncoder().encode(v).length);
  throw fail(`invalid argument for len (type ${typeName(v)})`, pos);
}

type Builtin = (args: Value[], result: Value, pos: number) => Value;
const first = (args: Value[]): Value => args[0] ?? null;

/** Each function with its arity. */
const BUILTINS: Record<string, { arity: [number, number]; run: Builtin }> = {
  len: { arity: [1, 1], run: (a, _r, pos) => len(first(a), pos) },
  abs: {
    arity: [1, 1],
    run: (a, _r, pos) => {
      const v = first(a);
      return typeof v === 'bigint' ? (v < 0n ? BigInt.asIntN(64, -v) : v) : Math.abs(floatArg('abs', v, pos));
    },
  },
  int: { arity: [1, 1], run: (a, _r, pos) => toInt('int', first(a), pos) },
  asInt: { arity: [1, 1], run: (a, _r, pos) => toInt('asInt', first(a), pos) },
  float: { arity: [1, 1], run: (a, _r, pos) => toFloat('float', first(a), pos) },
  asFloat: { arity: [1, 1], run: (a, _r, pos) => toFloat('asFloat', first(a), pos) },
  isNaN: { arity: [1, 1], run: (a, _r, pos) => Number.isNaN(floatArg('isNaN', first(a), pos)) },
  isInf: { arity: [1, 1], run: (a, _r, pos) => Math.abs(floatArg('isInf', first(a), pos)) === Infinity },
  isNil: { arity: [1, 1], run: (_a, result) => result === null },
  default: { arity: [2, 2], run: (a, result) => (result === null ? (a[1] ?? null) : result) },
  max: { arity: [1, 64], run: (a, _r, pos) => extreme('max', a, pos) },
  min: { arity: [1, 64], run: (a, _r, pos) => extreme('min', a, pos) },
  sum: { arity: [1, 1], run: (a, _r, pos) => sum(a, pos) },
  mean: {
    arity: [1, 1],
    run: (a, _r, pos) => {
      const list = numbers('mean', a, pos);
      return list.length === 0 ? 0 : list.reduce<number>((acc, v) => acc + Number(v), 0) / list.length;
    },
  },
};

/**
 * Calls a function that takes no predicate. `result` is the whole metric result (for `isNil` and `default`).
 *
 * @throws ExprError (kind `runtime`) with the wording of Go's `strconv` or expr-lang for bad arguments.
 */
export function callBuiltin(fn: string, args: Value[], result: Value, pos: number): Value {
  const builtin = Object.prototype.hasOwnProperty.call(BUILTINS, fn) ? BUILTINS[fn] : undefined;
  if (!builtin) throw fail(`unknown func ${fn}`, pos);
  const [lo, hi] = builtin.arity;
  if (args.length < lo || args.length > hi)
    throw fail(`invalid number of arguments to ${fn} (got ${args.length})`, pos);
  return builtin.run(args, result, pos);
}
