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

function arithmetic(op: BinaryOp, a: Value, b: Value, pos: number): Value {
  if (op === '+' && typeof a === 'string' && typeof b === 'string') {
    if (a.length + b.length > MAX_STRING_LENGTH) throw new ExprError('limit', 'string result too long', pos);
    return a + b;
  }
  if (!isNumber(a) || !isNumber(b)) throw invalid(op, a, b, pos);
  if (op === '/') return Number(a) / Number(b);
  if (op === '**') return Number(a) ** Number(b);
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (op === '%') {
      if (b === 0n) throw new ExprError('runtime', 'integer divide by zero', pos);
      return a % b;
    }
    return BigInt.asIntN(64, op === '+' ? a + b : op === '-' ? a - b : a * b);
  }
  if (op === '%') throw invalid(op, a, b, pos);
  const x = Number(a);
  const y = Number(b);
  return op === '+' ? x + y : op === '-' ? x - y : x * y;
}

function order(op: BinaryOp, a: Value, b: Value, pos: number): boolean {
  let cmp: number;
  if (isNumber(a) && isNumber(b)) {
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return false;
    cmp =
      typeof a === 'bigint' && typeof b === 'bigint'
        ? a < b
          ? -1
          : a > b
            ? 1
            : 0
        : x < y
          ? -1
          : x > y
            ? 1
            : 0;
  } else if (typeof a === 'string' && typeof b === 'string') {
    cmp = a < b ? -1 : a > b ? 1 : 0;
  } else {
    throw invalid(op, a, b, pos);
  }
  return op === '<' ? cmp < 0 : op === '>' ? cmp > 0 : op === '<=' ? cmp <= 0 : cmp >= 0;
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
