/**
 * Tokenizer for the expr-lang subset used by `successCondition` / `failureCondition`. Pure module: no I/O imports.
 */
import { ExprError } from './errors.js';

/** Kinds of token. Keywords `and`, `or`, `not`, `in` are operators; `true`, `false`, `nil` are names. */
export type TokenKind = 'int' | 'float' | 'string' | 'name' | 'op' | 'eof';

/** One token with its 0-based offset in the source. */
export interface Token {
  kind: TokenKind;
  text: string;
  /** Decoded value for strings and numbers. */
  value?: string | number | bigint;
  pos: number;
}

/** Longest source accepted (conditions are one-liners; this bounds every later stage). */
export const MAX_SOURCE_LENGTH = 4096;

const OPERATORS = [
  '**',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '?.',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '!',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '.',
  '?',
  ':',
  '#',
];
const WORD_OPERATORS = new Set(['and', 'or', 'not', 'in']);
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
};

function readString(src: string, start: number): { token: Token; end: number } {
  const quote = src[start];
  let out = '';
  let i = start + 1;
  while (i < src.length && src[i] !== quote) {
    const ch = src[i] ?? '';
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const next = src[i + 1] ?? '';
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
      i += 6;
    } else if (next in ESCAPES) {
      out += ESCAPES[next];
      i += 2;
    } else {
      throw new ExprError('syntax', `invalid char escape`, i);
    }
  }
  if (i >= src.length) throw new ExprError('syntax', 'literal not terminated', start);
  return { token: { kind: 'string', text: src.slice(start, i + 1), value: out, pos: start }, end: i + 1 };
}

function readNumber(src: string, start: number): { token: Token; end: number } {
  const m = /^(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?)/.exec(src.slice(start));
  const text = m?.[0] ?? '';
  const clean = text.replace(/_/g, '');
  if (m?.[1] !== undefined || m?.[2] !== undefined) {
    return { token: { kind: 'float', text, value: Number(clean), pos: start }, end: start + text.length };
  }
  const big = BigInt(clean);
  if (big > 2n ** 63n - 1n) throw new ExprError('syntax', `integer literal ${text} out of range`, start);
  return { token: { kind: 'int', text, value: big, pos: start }, end: start + text.length };
}

/**
 * Splits a condition into tokens.
 *
 * @throws ExprError (kind `syntax`) naming the offset of an unknown character or an unterminated string.
 */
export function tokenize(src: string): Token[] {
  if (src.length > MAX_SOURCE_LENGTH) {
    throw new ExprError('limit', `expression longer than ${MAX_SOURCE_LENGTH} characters`, MAX_SOURCE_LENGTH);
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const { token, end } = readString(src, i);
      tokens.push(token);
      i = end;
      continue;
    }
    if (/\d/.test(ch)) {
      const { token, end } = readNumber(src, i);
      tokens.push(token);
      i = end;
      continue;
    }
    const word = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i))?.[0];
    if (word !== undefined) {
      tokens.push({ kind: WORD_OPERATORS.has(word) ? 'op' : 'name', text: word, pos: i });
      i += word.length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === undefined)
      throw new ExprError(
        'syntax',
        `unrecognized character: U+${ch.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')} '${ch}'`,
        i,
      );
    tokens.push({ kind: 'op', text: op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', pos: src.length });
  return tokens;
}
