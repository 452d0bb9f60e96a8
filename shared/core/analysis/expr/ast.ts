/**
 * Syntax tree of a condition. Pure module: no I/O imports.
 */
import type { Value } from './values.js';

/** A node with its 0-based source offset; `paren` marks a node written in parentheses. */
export type Node = (
  | { t: 'lit'; value: Value }
  | { t: 'name'; name: string }
  | { t: 'pointer' }
  | { t: 'member'; obj: Node; key: string; optional: boolean }
  | { t: 'index'; obj: Node; index: Node; optional: boolean }
  | { t: 'unary'; op: '!' | '-' | '+'; arg: Node }
  | { t: 'binary'; op: BinaryOp; left: Node; right: Node }
  | { t: 'cond'; test: Node; then: Node; else: Node }
  | { t: 'call'; fn: string; args: Node[] }
  | { t: 'closure'; body: Node }
  | { t: 'array'; items: Node[] }
) & { pos: number; paren?: boolean };

/** Binary operators after normalisation (`and` → `&&`, `or` → `||`, `^` → `**`). */
export type BinaryOp =
  | '||'
  | '&&'
  | '=='
  | '!='
  | '<'
  | '>'
  | '<='
  | '>='
  | 'in'
  | 'not in'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '**'
  | '??';
