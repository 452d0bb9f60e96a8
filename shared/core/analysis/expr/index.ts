/**
 * The condition language of Argo Rollouts' `successCondition` / `failureCondition`: a safe, bounded interpreter for
 * the expr-lang subset Argo's documentation, tests and examples use. The only variable is `result`; the only
 * functions are listed in {@link FUNCTIONS}. Every failure is an {@link ExprError}. Pure module: no I/O imports.
 */
import { check } from './check.js';
import { ExprError } from './errors.js';
import { interpret } from './interpret.js';
import { parse } from './parser.js';
import { fromHost, typeName, type Value } from './values.js';

export { ExprError } from './errors.js';
export { FUNCTIONS } from './parser.js';
export { MAX_STEPS } from './interpret.js';
export { toHost, type Value } from './values.js';

/**
 * Evaluates `source` with `result` bound to the provider's result (plain JSON-like data).
 *
 * @example
 * ```ts
 * evaluate('len(result) > 0 && result[0] >= 0.95', [0.99]).value // true
 * ```
 * @throws ExprError for syntax, compile, run-time and limit problems; nothing else escapes.
 */
export function evaluate(source: string, result: unknown): { value: Value; steps: number } {
  try {
    const value = fromHost(result);
    const tree = parse(source);
    check(tree, value);
    return interpret(tree, value);
  } catch (e) {
    if (e instanceof ExprError) throw e;
    throw new ExprError('runtime', e instanceof RangeError ? 'expression too complex' : String(e), 0);
  }
}

/**
 * Evaluates a condition, which must yield a boolean (expr-lang's `AsBool`).
 *
 * @throws ExprError, including `expected bool, but got <type>` for a non-boolean outcome.
 */
export function evaluateCondition(source: string, result: unknown): boolean {
  const { value } = evaluate(source, result);
  if (typeof value !== 'boolean')
    throw new ExprError('runtime', `expected bool, but got ${typeName(value)}`, 0);
  return value;
}
