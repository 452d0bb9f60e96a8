/**
 * Unary and binary operators with expr-lang's semantics: int (`bigint`, 64-bit wrapping) and float64 (`number`)
 * arithmetic, `/` and `**` always float, `%` on ints only, ordering on numbers or strings only (anything else is a
 * run-time error such as `invalid operation: <nil> > int`), `==` false across types. Pure module: no I/O imports.
 */
import type { BinaryOp } from './ast.js';
import { ExprError } from './errors.js';
import { equal, isList, isMap, isNumber, typeName, type Value } from './values.js';

/** Longest string a condition may build. */
export const MAX_STRING_LENGTH = 1 << 20;

function invalid(op: string, a: Value, b: Value, pos: number): ExprError {
  return new ExprError('runtime', `invalid operation: ${typeName(a)} ${op} ${typeName(b)}`, pos);
}

function concat(a: string, b: string, pos: number): string {
  if (a.length + b.length > MAX_STRING_LENGTH) throw new ExprError('limit', 'string result too long', pos);
  return a + b;
}

/** int64 arithmetic, wrapping; `%` by zero is a run-time error. */
function int64(op: BinaryOp, a: bigint, b: bigint, pos: number): bigint {
  if (op === '%') {
    if (b === 0n) throw new ExprError('runtime', 'integer divide by zero', pos);
    return a % b;
  }
  return BigInt.asIntN(64, op === '+' ? a + b : op === '-' ? a - b : a * b);
}

function arithmetic(op: BinaryOp, a: Value, b: Value, pos: number): Value {
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return concat(a, b, pos);
  if (!isNumber(a) || !isNumber(b)) throw invalid(op, a, b, pos);
  if (op === '/') return Number(a) / Number(b);
  if (op === '**') return Number(a) ** Number(b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return int64(op, a, b, pos);
  if (op === '%') throw invalid(op, a, b, pos);
  const x = Number(a);
  const y = Number(b);
  return op === '+' ? x + y : op === '-' ? x - y : x * y;
}

type OrderOp = '<' | '>' | '<=' | '>=';

/** Whether a three-way comparison result satisfies each ordering operator. */
const ORDER: Record<OrderOp, (cmp: number) => boolean> = {
  '<': (cmp) => cmp < 0,
  '>': (cmp) => cmp > 0,
  '<=': (cmp) => cmp <= 0,
  '>=': (cmp) => cmp >= 0,
};

/** -1, 0 or 1 for two values of one ordered type. */
const sign = <T extends number | bigint | string>(x: T, y: T): number => (x < y ? -1 : x > y ? 1 : 0);

/** Three-way comparison of two numbers: exact between ints, as float64 otherwise; undefined when either is NaN. */
function compareNumbers(a: number | bigint, b: number | bigint): number | undefined {
  if (typeof a === 'bigint' && typeof b === 'bigint') return sign(a, b);
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return undefined;
  return sign(x, y);
}

function order(op: OrderOp, a: Value, b: Value, pos: number): boolean {
  let cmp: number | undefined;
  if (isNumber(a) && isNumber(b)) cmp = compareNumbers(a, b);
  else if (typeof a === 'string' && typeof b === 'string') cmp = sign(a, b);
  else throw invalid(op, a, b, pos);
  return cmp !== undefined && ORDER[op](cmp);
}

function member(a: Value, b: Value, pos: number): boolean {
  if (isList(b)) return b.some((x) => equal(a, x));
  if (isMap(b)) {
    if (typeof a !== 'string') throw invalid('in', a, b, pos);
    return b.has(a);
  }
  throw invalid('in', a, b, pos);
}

/**
 * A binary operator other than the short-circuiting `&&`, `||` and `??`.
 *
 * @throws ExprError (kind `runtime`) for operand types the operator does not accept.
 */
export function applyBinary(op: BinaryOp, a: Value, b: Value, pos: number): Value {
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case '<':
    case '>':
    case '<=':
    case '>=':
      return order(op, a, b, pos);
    case 'in':
      return member(a, b, pos);
    case 'not in':
      return !member(a, b, pos);
    default:
      return arithmetic(op, a, b, pos);
  }
}

/**
 * A unary operator: `!` on booleans, `-` and `+` on numbers.
 *
 * @throws ExprError (kind `runtime`) for other operand types.
 */
export function applyUnary(op: '!' | '-' | '+', a: Value, pos: number): Value {
  if (op === '!') {
    if (typeof a !== 'boolean') throw new ExprError('runtime', `invalid operation: ! ${typeName(a)}`, pos);
    return !a;
  }
  if (!isNumber(a)) throw new ExprError('runtime', `invalid operation: ${op} ${typeName(a)}`, pos);
  if (op === '+') return a;
  return typeof a === 'bigint' ? BigInt.asIntN(64, -a) : -a;
}
