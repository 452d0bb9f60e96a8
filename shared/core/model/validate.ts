/**
 * Spec validation: the first error Argo Rollouts' `ValidateRolloutSpec` would report for a Rollout, printed as
 * Argo prints it, followed by sluice's own refusals (strategy, traffic provider, features not supported yet).
 *
 * Order: Argo's spec checks (replicas, selector, template, deadlines, strategy and every
 * canary check, steps in order) → sluice's canary checks (Istio required, other providers, ping-pong,
 * background analysis, analysis/experiment/plugin steps). So a spec Argo would reject gets Argo's message.
 * Pure module: no I/O imports.
 */
import {
  goEmptyLabelSelector,
  goIntOrString,
  goQuote,
  goStringMap,
  internal,
  invalid,
  notSupported,
  required,
} from './field-error.js';
import { isEmptySelector, labelSelectorError, selectorMatches } from './selector.js';
import type { CanaryStrategy, Rollout, RolloutSpec } from './types.js';
import { emptyTemplate } from './workload-ref.js';
import { argoStepError, OTHER_PROVIDERS, unsupportedStepError } from './validate-steps.js';

const CANARY = 'spec.strategy.canary';
/** Argo's `ValidateRolloutStrategyCanary` (pkg/apis/rollouts/validation/validation.go) is called with the path
 * `spec.strategy`, so its field paths have no `.canary.` (`spec.strategy.steps[0].setWeight`). */
const STRATEGY = 'spec.strategy';
const NEGATIVE = 'must be greater than or equal to 0';

type Check = () => string | undefined;

function first(checks: Check[]): string | undefined {
  for (const check of checks) {
    const error = check();
    if (error !== undefined) return error;
  }
  return undefined;
}

function nonNegative(path: string, value: number): string | undefined {
  return value < 0 ? invalid(path, value, NEGATIVE) : undefined;
}

function selectorError(spec: RolloutSpec): string | undefined {
  const sel = spec.selector;
  if (sel === undefined) return required('spec.selector', "Rollout has missing field '.spec.selector'");
  return (
    labelSelectorError(sel, 'spec.selector') ??
    (isEmptySelector(sel)
      ? invalid('spec.selector', goEmptyLabelSelector(sel), 'empty selector is invalid for deployment')
      : undefined)
  );
}

function templateError(spec: RolloutSpec): string | undefined {
  const template = spec.template ?? {};
  const meta = template['metadata'] as { labels?: Record<string, string> } | undefined;
  const labels = meta?.labels;
  if (spec.selector && !isEmptySelector(spec.selector) && !selectorMatches(spec.selector, labels))
    return invalid(
      'spec.template.metadata.labels',
      goStringMap(labels),
      '`selector` does not match template `labels`',
    );
  const pod = (template['spec'] ?? {}) as {
    containers?: unknown[];
    restartPolicy?: string;
    activeDeadlineSeconds?: number;
  };
  if (!Array.isArray(pod.containers) || pod.containers.length === 0)
    return required('spec.template.spec.containers');
  if (pod.restartPolicy !== undefined && pod.restartPolicy !== 'Always')
    return notSupported('spec.template.spec.restartPolicy', pod.restartPolicy, ['Always']);
  if (pod.activeDeadlineSeconds !== undefined)
    return invalid(
      'spec.template.spec.activeDeadlineSeconds',
      pod.activeDeadlineSeconds,
      'activeDeadlineSeconds in ReplicaSet is not Supported',
    );
  return undefined;
}

function deadlineError(spec: RolloutSpec): string | undefined {
  const minReady = typeof spec['minReadySeconds'] === 'number' ? spec['minReadySeconds'] : 0;
  const history = typeof spec['revisionHistoryLimit'] === 'number' ? spec['revisionHistoryLimit'] : 10;
  const deadline = spec.progressDeadlineSeconds ?? 600;
  return (
    nonNegative('spec.minReadySeconds', minReady) ??
    nonNegative('spec.revisionHistoryLimit', history) ??
    nonNegative('spec.progressDeadlineSeconds', deadline) ??
    (deadline <= minReady
      ? invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds')
      : undefined)
  );
}

/** `invalidMaxSurgeMaxUnavailable`: both 0 (or "0%") is rejected; each defaults to "25%". */
function surgeError(canary: CanaryStrategy): string | undefined {
  const asNumber = (v: unknown): number => {
    if (typeof v === 'number') return v;
    if (typeof v !== 'string') return 25;
    const m = /^(\d+)%$/.exec(v);
    return m ? Number(m[1]) : Number.isInteger(Number(v)) && v !== '' ? Number(v) : 0;
  };
  const surge = canary['maxSurge'] as number | string | undefined;
  if (surge !== undefined && asNumber(surge) === 0 && asNumber(canary['maxUnavailable']) === 0)
    return invalid(
      `${STRATEGY}.maxSurge`,
      goIntOrString(surge),
      'MaxSurge and MaxUnavailable both can not be zero',
    );
  return undefined;
}

function pingPongError(pingPong: NonNullable<CanaryStrategy['pingPong']>): string | undefined {
  const missing = 'Ping service and Pong service must to be set to use Ping-Pong feature';
  if (!pingPong.pingService)
    return invalid(`${STRATEGY}.pingPong.pingService`, pingPong.pingService ?? '', missing);
  if (!pingPong.pongService)
    return invalid(`${STRATEGY}.pingPong.pongService`, pingPong.pongService ?? '', missing);
  if (pingPong.pingService === pingPong.pongService)
    return invalid(
      `${STRATEGY}.pingPong.pingService`,
      pingPong.pingService,
      'This rollout uses the same service for the ping and pong services, but two different services are required.',
    );
  return undefined;
}

function servicesError(canary: CanaryStrategy): string | undefined {
  const { canaryService, stableService, pingPong, trafficRouting } = canary;
  if (canaryService && stableService && canaryService === stableService)
    return invalid(
      `${STRATEGY}.stableService`,
      stableService,
      'This rollout uses the same service for the stable and canary services, but two different services are required.',
    );
  const pingPongProblem = pingPong && pingPongError(pingPong);
  if (pingPongProblem) return pingPongProblem;
  const usesSubsets = trafficRouting?.istio?.destinationRule !== undefined;
  if (trafficRouting && !usesSubsets && !pingPong) {
    const msg = 'Canary service and Stable service must to be set to use Traffic Routing';
    if (!stableService) return invalid(`${STRATEGY}.stableService`, stableService ?? '', msg);
    if (!canaryService) return invalid(`${STRATEGY}.canaryService`, canaryService ?? '', msg);
  }
  return undefined;
}

function scalingError(canary: CanaryStrategy): string | undefined {
  const { trafficRouting, scaleDownDelaySeconds, dynamicStableScale } = canary;
  if (!trafficRouting) {
    if (scaleDownDelaySeconds !== undefined)
      return invalid(
        `${STRATEGY}.scaleDownDelaySeconds`,
        scaleDownDelaySeconds,
        'Canary scaleDownDelaySeconds can only be used with traffic routing',
      );
    if (dynamicStableScale)
      return invalid(
        `${STRATEGY}.dynamicStableScale`,
        true,
        'Canary dynamicStableScale can only be used with traffic routing',
      );
    return undefined;
  }
  if (scaleDownDelaySeconds !== undefined && dynamicStableScale)
    return invalid(
      `${STRATEGY}.dynamicStableScale`,
      true,
      'Canary dynamicStableScale cannot be used with scaleDownDelaySeconds',
    );
  const max = trafficRouting.maxTrafficWeight;
  if (max !== undefined && trafficRouting['nginx'] === undefined && trafficRouting['plugins'] === undefined)
    return invalid(
      `${STRATEGY}.trafficRouting.maxTrafficWeight`,
      max,
      'Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins',
    );
  return undefined;
}

function antiAffinityError(canary: CanaryStrategy): string | undefined {
  const aa = canary['antiAffinity'] as Record<string, { weight?: number } | undefined> | undefined;
  if (aa === undefined) return undefined;
  const preferred = aa['preferredDuringSchedulingIgnoredDuringExecution'];
  const requiredAA = aa['requiredDuringSchedulingIgnoredDuringExecution'];
  if ((preferred === undefined) === (requiredAA === undefined))
    return invalid(
      `${STRATEGY}.antiAffinity`,
      `antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: ${preferred !== undefined} antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: ${requiredAA !== undefined}`,
      'AntiAffinity must have exactly one strategy listed',
    );
  const w = preferred?.weight ?? 0;
  if (preferred !== undefined && (w < 1 || w > 100))
    return invalid(`${STRATEGY}.antiAffinity.weight`, w, 'AntiAffinity weight must be between 1-100');
  return undefined;
}

/** sluice's own limits, checked after Argo's rules. */
function sluiceCanaryError(canary: CanaryStrategy): string | undefined {
  const tr = canary.trafficRouting;
  if (tr?.istio === undefined)
    return required(
      `${CANARY}.trafficRouting.istio`,
      'sluice requires Istio traffic routing (spec.strategy.canary.trafficRouting.istio)',
    );
  const other = OTHER_PROVIDERS.find((p) => tr[p] !== undefined);
  if (other)
    return invalid(`${CANARY}.trafficRouting.${other}`, other, 'sluice supports only Istio traffic routing');
  if (canary.pingPong !== undefined)
    return invalid(`${CANARY}.pingPong`, 'pingPong', 'sluice does not support ping-pong services yet');
  return unsupportedStepError(canary);
}

function strategyError(spec: RolloutSpec): string | undefined {
  const { canary, blueGreen } = spec.strategy ?? {};
  if (canary !== undefined && blueGreen !== undefined)
    return invalid(
      'spec.strategy.strategy',
      'blueGreen: true canary: true',
      'Multiple Strategies can not be listed',
    );
  if (blueGreen !== undefined)
    return invalid(
      'spec.strategy.blueGreen',
      'blueGreen',
      'sluice runs only the canary strategy; blueGreen is not supported',
    );
  if (canary === undefined)
    return required(
      'spec.strategy.canary',
      'sluice runs only the canary strategy; set spec.strategy.canary with trafficRouting.istio',
    );
  return first([
    () => surgeError(canary),
    () => servicesError(canary),
    () => scalingError(canary),
    () => argoStepError(canary),
    () => antiAffinityError(canary),
    () => sluiceCanaryError(canary),
  ]);
}

/** Options of {@link validateRolloutSpec}. */
export interface SpecCheckOptions {
  /**
   * The Rollout's template (and selector) were resolved from its workloadRef (Argo's `TemplateResolvedFromRef`): the
   * template is checked as Argo checks it then. Unresolved, a workloadRef Rollout's template is not checked, and one
   * with template labels or annotations is refused as Argo refuses it.
   */
  workloadResolved?: boolean;
}

/** Argo's selector and template checks, as `ValidateRolloutSpec` runs them for a workloadRef or not. */
function podSpecError(spec: RolloutSpec, opts: SpecCheckOptions): string | undefined {
  if (spec['workloadRef'] === undefined) return selectorError(spec) ?? templateError(spec);
  if (opts.workloadResolved) return templateError(spec);
  return emptyTemplate({ spec } as Rollout)
    ? undefined
    : internal('spec.template', 'template must be empty for workload reference rollout');
}

/**
 * The first spec error of a Rollout, formatted as Argo Rollouts formats field errors, or `undefined` when sluice
 * can run it. Covers Argo's spec checks for canaries (services, weights, pause durations, step shapes, header and
 * mirror routes, managed routes, scaling options) and sluice's limits (canary + Istio only; no experiment or
 * plugin yet). Referenced objects are checked elsewhere ({@link validateServiceReferences}, the Istio module, the
 * workloadRef's Deployment in `resolveWorkload`).
 *
 * @example
 * ```ts
 * validateRolloutSpec(rollout)
 * // 'spec.strategy.steps[0].setWeight: Invalid value: 120: SetWeight needs to be between 0 and 100'
 * ```
 */
export function validateRolloutSpec(r: Rollout, opts: SpecCheckOptions = {}): string | undefined {
  const spec = r.spec;
  return first([
    () => nonNegative('spec.replicas', spec.replicas ?? 1),
    () => podSpecError(spec, opts),
    () => deadlineError(spec),
    () => strategyError(spec),
  ]);
}

/**
 * The InvalidSpec condition message: `The Rollout "<name>" is invalid: <field error>`.
 */
export function invalidSpecMessage(name: string, fieldError: string): string {
  return `The Rollout ${goQuote(name)} is invalid: ${fieldError}`;
}
