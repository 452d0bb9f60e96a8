/**
 * Values of the expression language and their conversion from a provider's result. Only these shapes exist inside
 * the evaluator: `null` (nil), booleans, `bigint` (expr-lang's int, 64-bit), `number` (float64), strings, arrays of
 * values and `Map`s from string keys to values. A host object becomes a `Map` of its own enumerable keys, so
 * property names such as `constructor` or `__proto__` are ordinary missing keys and no prototype is ever reachable.
 * Pure module: no I/O imports.
 */
import { ExprError } from './errors.js';

/** A value inside the evaluator. */
export type Value = null | boolean | bigint | number | string | readonly Value[] | ReadonlyMap<string, Value>;

/** Deepest nesting of a result accepted from a provider. */
export const MAX_RESULT_DEPTH = 64;
/** Most nodes (scalars, list items, map entries) accepted in a result. */
export const MAX_RESULT_NODES = 200_000;

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Converts a provider's result (parsed JSON, a list of numbers, CloudWatch's plain records) into a {@link Value}.
 * `undefined` becomes nil, a `Date` its RFC 3339 text; functions, symbols and class instances are refused.
 *
 * @throws ExprError (kind `limit` or `runtime`) for results too deep, too large or of an unsupported type.
 */
export function fromHost(input: unknown): Value {
  let nodes = 0;
  const convert = (v: unknown, depth: number): Value => {
    if (++nodes > MAX_RESULT_NODES)
      throw new ExprError('limit', `metric result has more than ${MAX_RESULT_NODES} values`, 0);
    if (depth > MAX_RESULT_DEPTH)
      throw new ExprError('limit', `metric result nested deeper than ${MAX_RESULT_DEPTH}`, 0);
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
    if (typeof v === 'bigint') return BigInt.asIntN(64, v);
    if (Array.isArray(v)) return v.map((x: unknown) => convert(x, depth + 1));
    if (v instanceof Date) return v.toISOString();
    if (typeof v === 'object' && isPlainObject(v)) {
      const out = new Map<string, Value>();
      for (const key of Object.keys(v)) out.set(key, convert((v as Record<string, unknown>)[key], depth + 1));
      return out;
    }
    throw new ExprError('runtime', `unsupported metric result type ${typeof v}`, 0);
  };
  return convert(input, 0);
}

/** Whether a value is a list. */
export function isList(v: Value): v is readonly Value[] {
  return Array.isArray(v);
}

/** Whether a value is a map. */
export function isMap(v: Value): v is ReadonlyMap<string, Value> {
  return v instanceof Map;
}

/** Whether a value is a number (int or float). */
export function isNumber(v: Value): v is bigint | number {
  return typeof v === 'bigint' || typeof v === 'number';
}

/** The Go type name expr-lang prints for a value (`int`, `float64`, `<nil>`, `[]interface {}`, ...). */
export function typeName(v: Value): string {
  if (v === null) return '<nil>';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (isList(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** expr-lang's `==`: numbers compare by value across int and float, lists and maps deeply, other types never equal. */
export function equal(a: Value, b: Value): boolean {
  if (isNumber(a) && isNumber(b)) {
    return typeof a === typeof b ? a === b : Number(a) === Number(b);
  }
  if (isList(a) && isList(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i] ?? null));
  if (isMap(a) && isMap(b)) {
    if (a.size !== b.size) return false;
    for (const [k, x] of a) if (!b.has(k) || !equal(x, b.get(k) ?? null)) return false;
    return true;
  }
  return a === b;
}

/** Converts a value back to plain JSON-like data (maps become null-prototype records), for callers and tests. */
export function toHost(v: Value): unknown {
  if (isList(v)) return v.map(toHost);
  if (isMap(v)) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, x] of v) out[k] = toHost(x);
    return out;
  }
  return v;
}
