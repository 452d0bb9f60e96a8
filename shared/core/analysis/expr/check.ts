/**
 * The compile-time checks expr-lang makes before running a condition, against the runtime type of `result`: unknown
 * names, and comparisons whose operand types are both known and incompatible (`asFloat(result) == "1.1"` is
 * `invalid operation: == (mismatched types float64 and string)`; the same comparison on values inside a JSON map or
 * list is decided at run time, where `==` between different types is simply false). Pure module: no I/O imports.
 */
import type { Node } from './ast.js';
import { ExprError } from './errors.js';
import type { Value } from './values.js';

/** A static type; `any` when only the run time knows. */
type StaticType = 'int' | 'float64' | 'string' | 'bool' | 'any';

const RETURNS: Record<string, StaticType> = {
  len: 'int',
  count: 'int',
  findIndex: 'int',
  asInt: 'int',
  int: 'int',
  asFloat: 'float64',
  float: 'float64',
  mean: 'float64',
  isNaN: 'bool',
  isInf: 'bool',
  isNil: 'bool',
  all: 'bool',
  any: 'bool',
  none: 'bool',
  one: 'bool',
};

function resultType(result: Value): StaticType {
  if (typeof result === 'number') return 'float64';
  if (typeof result === 'bigint') return 'int';
  if (typeof result === 'string') return 'string';
  if (typeof result === 'boolean') return 'bool';
  return 'any';
}

const numeric = (t: StaticType): boolean => t === 'int' || t === 'float64';

function litType(v: Value): StaticType | 'nil' {
  if (v === null) return 'nil';
  return resultType(v);
}

function arithmetic(op: string, l: StaticType, r: StaticType): StaticType {
  if (op === '/' || op === '**') return numeric(l) && numeric(r) ? 'float64' : 'any';
  if (op === '+' && l === 'string' && r === 'string') return 'string';
  if (numeric(l) && numeric(r)) return l === 'int' && r === 'int' ? 'int' : 'float64';
  return 'any';
}

type Walk = (n: Node) => StaticType | 'nil';

/** Nodes whose static type does not follow from their operands': walks the operands for their own checks. */
type Opaque = Extract<Node, { t: 'pointer' | 'member' | 'index' | 'call' | 'closure' | 'array' }>;

function opaque(n: Opaque, walk: Walk): StaticType {
  switch (n.t) {
    case 'member':
      walk(n.obj);
      return 'any';
    case 'index':
      walk(n.obj);
      walk(n.index);
      return 'any';
    case 'call':
      n.args.forEach(walk);
      return RETURNS[n.fn] ?? 'any';
    case 'closure':
      walk(n.body);
      return 'any';
    case 'array':
      n.items.forEach(walk);
      return 'any';
    case 'pointer':
      return 'any';
  }
}

function unary(op: '!' | '-' | '+', a: StaticType | 'nil'): StaticType {
  if (op === '!') return 'bool';
  return a === 'nil' ? 'any' : a;
}

function cond(n: Node & { t: 'cond' }, walk: Walk): StaticType | 'nil' {
  walk(n.test);
  const a = walk(n.then);
  return a === walk(n.else) ? a : 'any';
}

/**
 * Walks the tree once, returning the static type of `node`.
 *
 * @throws ExprError (kind `compile`) for an unknown name or statically mismatched comparison.
 */
export function check(node: Node, result: Value): StaticType | 'nil' {
  const rt = resultType(result);
  const walk = (n: Node): StaticType | 'nil' => {
    switch (n.t) {
      case 'lit':
        return litType(n.value);
      case 'name':
        if (n.name !== 'result') throw new ExprError('compile', `unknown name ${n.name}`, n.pos);
        return rt;
      case 'unary':
        return unary(n.op, walk(n.arg));
      case 'cond':
        return cond(n, walk);
      case 'binary':
        return binary(n, walk(n.left), walk(n.right));
      default:
        return opaque(n, walk);
    }
  };
  return walk(node);
}

const COMPARISONS = new Set(['==', '!=', '<', '>', '<=', '>=']);
const BOOLEAN_RESULT = new Set(['&&', '||', 'in', 'not in']);

/** Both types known and neither converts to the other (numbers compare across int and float64). */
function mismatched(l: StaticType | 'nil', r: StaticType | 'nil'): boolean {
  if (l === 'any' || r === 'any' || l === 'nil' || r === 'nil') return false;
  return l !== r && !(numeric(l) && numeric(r));
}

/** `nil` takes part in arithmetic as an unknown type. */
const nilAsAny = (t: StaticType | 'nil'): StaticType => (t === 'nil' ? 'any' : t);

function binary(n: Node & { t: 'binary' }, l: StaticType | 'nil', r: StaticType | 'nil'): StaticType | 'nil' {
  const comparison = COMPARISONS.has(n.op);
  if (comparison && mismatched(l, r)) {
    throw new ExprError('compile', `invalid operation: ${n.op} (mismatched types ${l} and ${r})`, n.pos);
  }
  if (comparison || BOOLEAN_RESULT.has(n.op)) return 'bool';
  if (n.op === '??') return 'any';
  return arithmetic(n.op, nilAsAny(l), nilAsAny(r));
}
