/**
 * The interpreter: walks a checked tree with `result` as the only variable. Every node visited, every closure call
 * and every list or map element an operator touches costs one step; a condition that needs more than
 * {@link MAX_STEPS} stops with a `limit` error, so evaluation always ends. Pure module: no I/O imports.
 */
import type { Node } from './ast.js';
import { callBuiltin } from './builtins.js';
import { ExprError } from './errors.js';
import { applyBinary, applyUnary } from './operators.js';
import { isList, isMap, typeName, type Value } from './values.js';

/** Most steps one evaluation may take. */
export const MAX_STEPS = 200_000;

/** Operators whose cost grows with the size of their operands. */
const SIZED = new Set(['==', '!=', 'in', 'not in']);

interface Ctx {
  result: Value;
  steps: number;
}

function charge(ctx: Ctx, n: number, pos: number): void {
  ctx.steps += n;
  if (ctx.steps > MAX_STEPS) throw new ExprError('limit', `evaluation exceeded ${MAX_STEPS} steps`, pos);
}

/** Charges the size of a composite value, counting no further than the remaining budget. */
function chargeSize(ctx: Ctx, v: Value, pos: number): void {
  if (isList(v)) {
    charge(ctx, v.length, pos);
    for (const x of v) if (isList(x) || isMap(x)) chargeSize(ctx, x, pos);
  } else if (isMap(v)) {
    charge(ctx, v.size, pos);
    for (const x of v.values()) if (isList(x) || isMap(x)) chargeSize(ctx, x, pos);
  }
}

const isIntKey = (key: Value): key is bigint | number =>
  typeof key === 'bigint' || (typeof key === 'number' && Number.isInteger(key));

/** Element `key` of a list or string (negative counts from the end). */
function element(obj: readonly Value[] | string, key: bigint | number, pos: number): Value {
  const items = typeof obj === 'string' ? [...obj] : obj;
  const n = Number(key);
  const i = n < 0 ? n + items.length : n;
  if (i < 0 || i >= items.length) {
    throw new ExprError('runtime', `index out of range: ${n} (array length is ${items.length})`, pos);
  }
  return items[i] ?? null;
}

function fetch(obj: Value, key: Value, optional: boolean, pos: number): Value {
  if (obj === null) {
    if (optional) return null;
    throw new ExprError('runtime', `cannot fetch ${display(key)} from <nil>`, pos);
  }
  if (isMap(obj) && typeof key === 'string') return obj.has(key) ? (obj.get(key) ?? null) : null;
  if ((isList(obj) || typeof obj === 'string') && isIntKey(key)) return element(obj, key, pos);
  throw new ExprError('runtime', `cannot fetch ${display(key)} from ${typeName(obj)}`, pos);
}

function display(v: Value): string {
  return typeof v === 'string' ? v : isList(v) || isMap(v) ? typeName(v) : String(v);
}

function truth(v: Value, what: string, pos: number): boolean {
  if (typeof v !== 'boolean')
    throw new ExprError('runtime', `${what}: expected bool, but got ${typeName(v)}`, pos);
  return v;
}

function predicate(n: Node & { t: 'call' }, ctx: Ctx, pointer: Value | undefined): Value {
  const [listNode, closure] = n.args;
  if (listNode === undefined || closure?.t !== 'closure' || n.args.length !== 2) {
    throw new ExprError('runtime', `invalid number of arguments to ${n.fn} (got ${n.args.length})`, n.pos);
  }
  const list = evalNode(listNode, ctx, pointer);
  if (!isList(list)) throw new ExprError('runtime', `cannot iterate ${typeName(list)}`, n.pos);
  const test = (x: Value): Value => evalNode(closure.body, ctx, x);
  const ok = (x: Value): boolean => truth(test(x), n.fn, closure.pos);
  switch (n.fn) {
    case 'all':
      return list.every(ok);
    case 'any':
      return list.some(ok);
    case 'none':
      return !list.some(ok);
    case 'one':
      return list.filter(ok).length === 1;
    case 'filter':
      return list.filter(ok);
    case 'map':
      return list.map(test);
    case 'count':
      return BigInt(list.filter(ok).length);
    case 'find':
      return list.find(ok) ?? null;
    default:
      return BigInt(list.findIndex(ok));
  }
}

function binary(n: Node & { t: 'binary' }, ctx: Ctx, pointer: Value | undefined): Value {
  const left = evalNode(n.left, ctx, pointer);
  if (n.op === '&&' || n.op === '||') {
    const l = truth(left, `invalid operation: ${n.op}`, n.pos);
    if (n.op === '&&' ? !l : l) return l;
    return truth(evalNode(n.right, ctx, pointer), `invalid operation: ${n.op}`, n.pos);
  }
  if (n.op === '??') return left !== null ? left : evalNode(n.right, ctx, pointer);
  const right = evalNode(n.right, ctx, pointer);
  if (SIZED.has(n.op)) {
    chargeSize(ctx, left, n.pos);
    chargeSize(ctx, right, n.pos);
  }
  return applyBinary(n.op, left, right, n.pos);
}

function evalNode(n: Node, ctx: Ctx, pointer: Value | undefined): Value {
  charge(ctx, 1, n.pos);
  switch (n.t) {
    case 'lit':
      return n.value;
    case 'name':
      return ctx.result;
    case 'pointer':
      return pointer ?? null;
    case 'member':
      return fetch(evalNode(n.obj, ctx, pointer), n.key, n.optional, n.pos);
    case 'index': {
      const obj = evalNode(n.obj, ctx, pointer);
      return fetch(obj, evalNode(n.index, ctx, pointer), n.optional, n.pos);
    }
    case 'unary':
      return applyUnary(n.op, evalNode(n.arg, ctx, pointer), n.pos);
    case 'binary':
      return binary(n, ctx, pointer);
    case 'cond':
      return truth(evalNode(n.test, ctx, pointer), 'ternary condition', n.pos)
        ? evalNode(n.then, ctx, pointer)
        : evalNode(n.else, ctx, pointer);
    case 'array':
      return n.items.map((item) => evalNode(item, ctx, pointer));
    case 'closure':
      throw new ExprError(
        'runtime',
        'a predicate is only allowed as the second argument of all/any/none/one/filter/map/count/find/findIndex',
        n.pos,
      );
    case 'call':
      return call(n, ctx, pointer);
  }
}

/** A builtin call: a predicate when its second argument is a closure; else its arguments' sizes are charged. */
function call(n: Node & { t: 'call' }, ctx: Ctx, pointer: Value | undefined): Value {
  if (n.args[1]?.t === 'closure') return predicate(n, ctx, pointer);
  const args = n.args.map((a) => evalNode(a, ctx, pointer));
  for (const a of args) chargeSize(ctx, a, n.pos);
  return callBuiltin(n.fn, args, ctx.result, n.pos);
}

/**
 * Evaluates a checked tree against `result`.
 *
 * @returns the value and the number of steps it took.
 * @throws ExprError (kind `runtime` or `limit`).
 */
export function interpret(node: Node, result: Value): { value: Value; steps: number } {
  const ctx: Ctx = { result, steps: 0 };
  const value = evalNode(node, ctx, undefined);
  return { value, steps: ctx.steps };
}
