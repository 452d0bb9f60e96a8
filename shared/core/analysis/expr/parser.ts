/**
 * Parser for the expr-lang subset of Argo Rollouts' conditions: precedence climbing with expr-lang's precedences
 * (`||` 10, `&&` 15, comparisons and `in` 20, `+ -` 30, `* / %` 60, `**` 100 right-associative, `??` 500 and not to
 * be mixed with other operators without parentheses; unary `!`/`not` 50, `-`/`+` 90; `?:` lowest), postfix
 * `.field`, `?.field`, `[index]`, calls of the known functions only, closures `{# ...}` or bare predicates as the
 * second argument of `all`, `any`, `none`, `one`, `filter`, `map`, `count`, `find`, `findIndex`.
 * Nesting is bounded ({@link MAX_DEPTH}). Pure module: no I/O imports.
 */
import type { BinaryOp, Node } from './ast.js';
import { ExprError } from './errors.js';
import { tokenize, type Token } from './lexer.js';

/** Deepest nesting of sub-expressions accepted. */
export const MAX_DEPTH = 48;

const BINARY: Record<string, { prec: number; op: BinaryOp; right?: boolean }> = {
  '||': { prec: 10, op: '||' },
  or: { prec: 10, op: '||' },
  '&&': { prec: 15, op: '&&' },
  and: { prec: 15, op: '&&' },
  '==': { prec: 20, op: '==' },
  '!=': { prec: 20, op: '!=' },
  '<': { prec: 20, op: '<' },
  '>': { prec: 20, op: '>' },
  '<=': { prec: 20, op: '<=' },
  '>=': { prec: 20, op: '>=' },
  in: { prec: 20, op: 'in' },
  '+': { prec: 30, op: '+' },
  '-': { prec: 30, op: '-' },
  '*': { prec: 60, op: '*' },
  '/': { prec: 60, op: '/' },
  '%': { prec: 60, op: '%' },
  '**': { prec: 100, op: '**', right: true },
  '^': { prec: 100, op: '**', right: true },
  '??': { prec: 500, op: '??' },
};

/** Functions taking a predicate as their second argument. */
export const PREDICATE_FUNCTIONS = new Set([
  'all',
  'any',
  'none',
  'one',
  'filter',
  'map',
  'count',
  'find',
  'findIndex',
]);
/** Every function a condition may call. */
export const FUNCTIONS = new Set([
  ...PREDICATE_FUNCTIONS,
  'len',
  'max',
  'min',
  'sum',
  'mean',
  'abs',
  'int',
  'float',
  'asInt',
  'asFloat',
  'isNaN',
  'isInf',
  'isNil',
  'default',
]);

class Parser {
  private i = 0;
  private depth = 0;
  private closures = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i] ?? { kind: 'eof', text: '', pos: 0 };
  }

  private next(): Token {
    const t = this.peek();
    this.i++;
    return t;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  private expect(text: string): Token {
    const t = this.next();
    if (t.kind !== 'op' || t.text !== text) throw unexpected(t);
    return t;
  }

  parseProgram(): Node {
    const node = this.expression(0);
    const t = this.peek();
    if (t.kind !== 'eof') throw unexpected(t);
    return node;
  }

  private expression(minPrec: number): Node {
    if (++this.depth > MAX_DEPTH)
      throw new ExprError('limit', `expression nested deeper than ${MAX_DEPTH}`, this.peek().pos);
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      let info = t.kind === 'op' ? BINARY[t.text] : undefined;
      let width = 1;
      if (t.kind === 'op' && t.text === 'not' && this.tokens[this.i + 1]?.text === 'in') {
        info = { prec: 20, op: 'not in' };
        width = 2;
      }
      if (info === undefined || info.prec < minPrec) break;
      this.i += width;
      const right = this.expression(info.right ? info.prec : info.prec + 1);
      checkCoalesceMix(info.op, left, right, t.pos);
      left = { t: 'binary', op: info.op, left, right, pos: t.pos };
    }
    if (minPrec === 0 && this.isOp('?')) {
      const q = this.next();
      const then = this.expression(0);
      this.expect(':');
      left = { t: 'cond', test: left, then, else: this.expression(0), pos: q.pos };
    }
    this.depth--;
    return left;
  }

  private unary(): Node {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '!' || t.text === 'not')) {
      this.i++;
      return this.postfix({ t: 'unary', op: '!', arg: this.expression(50), pos: t.pos });
    }
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      this.i++;
      return this.postfix({ t: 'unary', op: t.text, arg: this.expression(90), pos: t.pos });
    }
    return this.postfix(this.primary());
  }

  private primary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'int':
      case 'float':
      case 'string':
        return { t: 'lit', value: t.value ?? null, pos: t.pos };
      case 'name':
        return this.name(t);
      case 'op':
        return this.punctuation(t);
      default:
        throw unexpected(t);
    }
  }

  private name(t: Token): Node {
    if (t.text === 'true' || t.text === 'false') return { t: 'lit', value: t.text === 'true', pos: t.pos };
    if (t.text === 'nil') return { t: 'lit', value: null, pos: t.pos };
    if (!this.isOp('(')) return { t: 'name', name: t.text, pos: t.pos };
    if (!FUNCTIONS.has(t.text)) throw new ExprError('compile', `unknown func ${t.text}`, t.pos);
    this.next();
    const args: Node[] = [];
    while (!this.isOp(')')) {
      if (args.length > 0) this.expect(',');
      args.push(args.length === 1 && PREDICATE_FUNCTIONS.has(t.text) ? this.closure() : this.expression(0));
    }
    this.next();
    return { t: 'call', fn: t.text, args, pos: t.pos };
  }

  private closure(): Node {
    const start = this.peek();
    const braced = this.isOp('{');
    if (braced) this.next();
    this.closures++;
    const body = this.expression(0);
    this.closures--;
    if (braced) this.expect('}');
    return { t: 'closure', body, pos: start.pos };
  }

  private punctuation(t: Token): Node {
    if (t.text === '(') {
      const inner = this.expression(0);
      this.expect(')');
      return { ...inner, paren: true };
    }
    if (t.text === '#' && this.closures > 0) return { t: 'pointer', pos: t.pos };
    if (t.text === '.' && this.closures > 0 && this.peek().kind !== 'eof') {
      return {
        t: 'member',
        obj: { t: 'pointer', pos: t.pos },
        key: this.memberName(),
        optional: false,
        pos: t.pos,
      };
    }
    if (t.text === '[') {
      const items: Node[] = [];
      while (!this.isOp(']')) {
        if (items.length > 0) this.expect(',');
        items.push(this.expression(0));
      }
      this.next();
      return { t: 'array', items, pos: t.pos };
    }
    throw unexpected(t);
  }

  private memberName(): string {
    const t = this.next();
    if (t.kind === 'name' || (t.kind === 'op' && /^[a-z]+$/.test(t.text))) return t.text;
    throw unexpected(t);
  }

  private postfix(node: Node): Node {
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op') return node;
      if (t.text === '.' || t.text === '?.') {
        this.next();
        const optional = t.text === '?.';
        if (optional && this.isOp('[')) {
          this.next();
          node = this.indexTail(node, t.pos, true);
          continue;
        }
        const key = this.memberName();
        if (this.isOp('(')) throw new ExprError('compile', `type has no method ${key}`, t.pos);
        node = { t: 'member', obj: node, key, optional, pos: t.pos };
      } else if (t.text === '[') {
        this.next();
        node = this.indexTail(node, t.pos, false);
      } else {
        return node;
      }
    }
  }

  private indexTail(obj: Node, pos: number, optional: boolean): Node {
    const index = this.expression(0);
    this.expect(']');
    return { t: 'index', obj, index, optional, pos };
  }
}

function unexpected(t: Token): ExprError {
  return new ExprError(
    'syntax',
    t.kind === 'eof' ? 'unexpected end of expression' : `unexpected token ${t.text}`,
    t.pos,
  );
}

/** expr-lang refuses `a ?? b > c` and friends: `??` next to another binary operator needs parentheses. */
function checkCoalesceMix(op: BinaryOp, left: Node, right: Node, pos: number): void {
  for (const side of [left, right]) {
    if (side.t !== 'binary' || side.paren) continue;
    if ((op === '??') !== (side.op === '??')) {
      throw new ExprError(
        'syntax',
        'Operator (??) and other operators must be parenthesized when mixed',
        pos,
      );
    }
  }
}

/**
 * Parses a condition into a syntax tree.
 *
 * @throws ExprError (kind `syntax`, `compile` or `limit`) naming the offending position.
 */
export function parse(source: string): Node {
  return new Parser(tokenize(source)).parseProgram();
}
