/**
 * Canary step arithmetic from Argo Rollouts' `utils/replicaset/canary.go` and `utils/rollout/rolloututil.go`:
 * which step is current, which traffic weight is in force, which setCanaryScale applies, and how a step is named
 * in events. Pure module: no I/O imports.
 */
import type { CanaryStep, Rollout } from './types.js';

export { parseDuration } from './duration.js';

/** The weight scale: Istio does not support `maxTrafficWeight`, so weights always run 0–100. */
export const MAX_TRAFFIC_WEIGHT = 100;

/**
 * The step being executed (`GetCurrentCanaryStep`). `index` is `status.currentStepIndex` (0 when unset) and is
 * `undefined` only when the Rollout has no steps; `step` is `undefined` once the index is past the last step.
 * A negative index (which Argo never writes) is read as 0.
 */
export function currentStep(r: Rollout): { step?: CanaryStep; index?: number } {
  const steps = r.spec.strategy?.canary?.steps;
  if (!steps || steps.length === 0) return {};
  const index = Math.max(0, r.status?.currentStepIndex ?? 0);
  const step = steps[index];
  return step === undefined ? { index } : { step, index };
}

/**
 * The canary traffic weight the current step asks for (`GetCurrentSetWeight`): 0 when aborted, 100 once past the
 * last step (or with no steps), otherwise the nearest `setWeight` at or before the current step, 0 if none.
 *
 * @example
 * ```ts
 * // steps [setWeight 20, pause, setWeight 50], currentStepIndex 1 → 20
 * currentSetWeight(rollout)
 * ```
 */
export function currentSetWeight(r: Rollout): number {
  if (r.status?.abort) return 0;
  const { step, index } = currentStep(r);
  if (step === undefined || index === undefined) return MAX_TRAFFIC_WEIGHT;
  return previousSetWeight(r.spec.strategy?.canary?.steps ?? [], index + 1);
}

/** The nearest `setWeight` strictly before `index` (walking back), 0 when there is none. */
export function previousSetWeight(steps: CanaryStep[], index: number): number {
  for (let i = Math.min(index, steps.length) - 1; i >= 0; i--) {
    const w = steps[i]?.setWeight;
    if (w !== undefined) return w;
  }
  return 0;
}

/**
 * The `setCanaryScale` in force at `index` (`UseSetCanaryScale`): the nearest one at or before the index, unless
 * it is `matchTrafficWeight: true`, which restores weight-derived replica counts. `undefined` past the last step
 * (the canary is then scaled to the full count). Argo only consults this with traffic routing, which sluice
 * always has.
 */
export function activeCanaryScale(
  steps: CanaryStep[] | undefined,
  index: number | undefined,
): CanaryStep['setCanaryScale'] | undefined {
  if (!steps || index === undefined || index < 0 || index >= steps.length) return undefined;
  for (let i = index; i >= 0; i--) {
    const scale = steps[i]?.setCanaryScale;
    if (scale === undefined) continue;
    return scale.matchTrafficWeight ? undefined : scale;
  }
  return undefined;
}

/**
 * A step as Argo names it in `RolloutStepCompleted` events (`CanaryStepString`): `setWeight: 20`, `pause`,
 * `pause: 30s` (duration as written), `experiment`, `analysis`, `setCanaryScale{weight: 50}`,
 * `setCanaryScale{matchTrafficWeight: true}`, `setCanaryScale{replicas: 2}`, `setHeaderRoute: <name>`,
 * `setMirrorRoute: <name>`, `plugin: <name>`, else `invalid`.
 */
export function stepString(step: CanaryStep): string {
  if (step.setWeight !== undefined) return `setWeight: ${step.setWeight}`;
  if (step.pause !== undefined) {
    const d = step.pause.duration;
    return d === undefined ? 'pause' : `pause: ${d}`;
  }
  if (step.experiment !== undefined) return 'experiment';
  if (step.analysis !== undefined) return 'analysis';
  const scale = step.setCanaryScale;
  if (scale !== undefined) {
    if (scale.weight !== undefined) return `setCanaryScale{weight: ${scale.weight}}`;
    if (scale.matchTrafficWeight) return 'setCanaryScale{matchTrafficWeight: true}';
    if (scale.replicas !== undefined) return `setCanaryScale{replicas: ${scale.replicas}}`;
  }
  if (step.setHeaderRoute !== undefined) return `setHeaderRoute: ${step.setHeaderRoute.name}`;
  if (step.setMirrorRoute !== undefined) return `setMirrorRoute: ${step.setMirrorRoute.name}`;
  if (step.plugin !== undefined) return `plugin: ${pluginName(step.plugin)}`;
  return 'invalid';
}

function pluginName(plugin: unknown): string {
  if (typeof plugin === 'object' && plugin !== null && 'name' in plugin) return String(plugin.name);
  return '';
}
