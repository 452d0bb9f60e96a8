/**
 * The one error the expression evaluator throws. Pure module: no I/O imports.
 */

/** Whether the expression was rejected before running (syntax, unknown name, mismatched static types) or while running. */
export type ExprErrorKind = 'syntax' | 'compile' | 'runtime' | 'limit';

/**
 * A condition that could not be evaluated. `position` is the 0-based character offset in the source the problem
 * was found at; syntax and compile errors also name it in the message as expr-lang does (`(1:<column>)`), runtime
 * errors keep expr-lang's position-free wording (`index out of range: 0 (array length is 0)`).
 */
export class ExprError extends Error {
  readonly kind: ExprErrorKind;
  readonly position: number;

  constructor(kind: ExprErrorKind, detail: string, position: number) {
    super(kind === 'syntax' || kind === 'compile' ? `${detail} (1:${position + 1})` : detail);
    this.name = 'ExprError';
    this.kind = kind;
    this.position = position;
  }
}
