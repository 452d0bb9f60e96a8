/**
 * The operator actions' names: the one list the engine, the use case, the HTTP API and the CLI share. Pure module.
 */

/** Every operator action sluice accepts, in the order the docs list them. */
export const OPERATOR_ACTIONS = ['promote', 'promote-full', 'abort', 'retry', 'pause', 'resume'] as const;

/** One of {@link OPERATOR_ACTIONS}. */
export type OperatorActionName = (typeof OPERATOR_ACTIONS)[number];

/**
 * True when `name` is one of {@link OPERATOR_ACTIONS} (exact, case-sensitive).
 * @example isOperatorAction('promote-full') // true
 */
export function isOperatorAction(name: string): name is OperatorActionName {
  return (OPERATOR_ACTIONS as readonly string[]).includes(name);
}
