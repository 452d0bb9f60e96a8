/**
 * Errors raised by the pure Rollout model. Pure module: no I/O imports.
 */

/**
 * A Rollout object failed the structural check at the boundary (wrong apiVersion/kind, a field of the wrong type).
 *
 * `path` is the offending field in Argo's field-path notation (`spec.strategy.steps[0].setWeight`), empty for
 * the object itself; `rollout` is `<namespace>/<name>` when those were readable.
 *
 * @example
 * ```ts
 * try { parseRollout(obj) } catch (e) { if (e instanceof RolloutParseError) log(e.path, e.message) }
 * // e.message: 'Rollout shop/reviews: spec.replicas: expected an integer, got "3"'
 * ```
 */
export class RolloutParseError extends Error {
  readonly path: string;
  readonly rollout: string | undefined;

  constructor(rollout: string | undefined, path: string, problem: string, options?: ErrorOptions) {
    const subject = rollout ? `Rollout ${rollout}` : 'Rollout';
    super(path ? `${subject}: ${path}: ${problem}` : `${subject}: ${problem}`, options);
    this.name = 'RolloutParseError';
    this.path = path;
    this.rollout = rollout;
  }
}
