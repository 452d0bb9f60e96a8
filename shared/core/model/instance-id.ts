/**
 * Controller instance id (docs/rollout-fields.md): with an id, sluice manages only Rollouts labelled
 * `argo-rollouts.argoproj.io/controller-instance-id=<id>`; without one, only Rollouts without that label (which
 * is what a default Argo Rollouts controller would also pick up). Pure module: no I/O imports.
 */
import { LABELS, type Rollout } from './types.js';

/**
 * The label selector for listing the Rollouts this instance manages.
 *
 * @example
 * ```ts
 * instanceIdSelector('sluice') // 'argo-rollouts.argoproj.io/controller-instance-id=sluice'
 * instanceIdSelector() // '!argo-rollouts.argoproj.io/controller-instance-id'
 * ```
 */
export function instanceIdSelector(id?: string): string {
  return id ? `${LABELS.instanceId}=${id}` : `!${LABELS.instanceId}`;
}

/** Whether a Rollout belongs to this instance (the selector above, applied to one object). */
export function matchesInstanceId(r: Rollout, id?: string): boolean {
  const label = r.metadata.labels?.[LABELS.instanceId];
  return id ? label === id : label === undefined;
}
