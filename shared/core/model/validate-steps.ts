/**
 * Per-step checks of `ValidateRolloutStrategyCanary` (Argo Rollouts `pkg/apis/rollouts/validation`), in Argo's
 * order, plus sluice's refusal of step types it cannot run yet. Pure module: no I/O imports.
 */
import { parseDuration } from './duration.js';
import { GoLiteral, goQuote, goStringMatch, invalid, required, type BadValue } from './field-error.js';
import type { CanaryStep, CanaryStrategy, StringMatch } from './types.js';

/** `InvalidStepMessage` at the Argo commit the spec follows. */
export const INVALID_STEP_MESSAGE =
  'Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause';

const STRING_MATCH_MISSED =
  'StringMatch value missed, match value must have one of the following: exact, regex, prefix';
const STRING_MATCH_MULTIPLE =
  'StringMatch match value must have exactly one of the following: exact, regex, prefix';
const MISSING_MANAGED_ROUTES =
  "Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'";
const ROUTE_NOT_MANAGED =
  'Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes';

/** Traffic providers Argo knows besides Istio; sluice refuses them. */
export const OTHER_PROVIDERS = [
  'nginx',
  'alb',
  'smi',
  'ambassador',
  'appMesh',
  'traefik',
  'apisix',
  'plugins',
];

const has = (canary: CanaryStrategy, provider: string): boolean => {
  const v = canary.trafficRouting?.[provider];
  return (
    v !== undefined && !(provider === 'plugins' && typeof v === 'object' && v && Object.keys(v).length === 0)
  );
};

/** `hasMultipleMatchValues`: exactly one of exact/regex/prefix. */
function stringMatchError(m: StringMatch | undefined, path: string): string | undefined {
  const count = m ? [m.exact, m.regex, m.prefix].filter((v) => v !== undefined && v !== '').length : 0;
  if (count === 1) return undefined;
  return invalid(path, goStringMatch(m), count > 1 ? STRING_MATCH_MULTIPLE : STRING_MATCH_MISSED);
}

/** `%#v` of the step structs Argo passes as bad values. Go prints pointers inside them as addresses. */
function goHeaderRoute(h: NonNullable<CanaryStep['setHeaderRoute']>): BadValue {
  const match = h.match ? '[]v1alpha1.HeaderRoutingMatch{...}' : '[]v1alpha1.HeaderRoutingMatch(nil)';
  return new GoLiteral(`v1alpha1.SetHeaderRoute{Name:${goQuote(h.name ?? '')}, Match:${match}}`);
}

function goMirrorRoute(m: NonNullable<CanaryStep['setMirrorRoute']>): BadValue {
  const match = m.match ? '[]v1alpha1.RouteMatch{...}' : '[]v1alpha1.RouteMatch(nil)';
  const pct = m.percentage === undefined ? '(*int32)(nil)' : '(*int32)(...)';
  return new GoLiteral(
    `v1alpha1.SetMirrorRoute{Name:${goQuote(m.name ?? '')}, Match:${match}, Percentage:${pct}}`,
  );
}

function typeCheck(step: CanaryStep, path: string): string | undefined {
  const set = (v: unknown): boolean => v !== undefined;
  const core = [step.setWeight, step.pause, step.experiment, step.analysis].filter(set).length;
  if (core > 1) {
    const val = `step.Experiment: ${set(step.experiment)} step.Pause: ${set(step.pause)} step.SetWeight: ${set(step.setWeight)} step.Analysis: ${set(step.analysis)}`;
    return invalid(path, val, INVALID_STEP_MESSAGE);
  }
  const all = [
    step.experiment,
    step.pause,
    step.setWeight,
    step.analysis,
    step.setCanaryScale,
    step.setHeaderRoute,
    step.setMirrorRoute,
    step.plugin,
  ];
  if (all.some(set)) return undefined;
  const val =
    'step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true ' +
    'step.SetHeaderRoute: true step.SetMirrorRoutes: true step.Plugin: true';
  return invalid(path, val, INVALID_STEP_MESSAGE);
}

function valueChecks(step: CanaryStep, path: string, canary: CanaryStrategy): string | undefined {
  if (step.setWeight !== undefined && (step.setWeight < 0 || step.setWeight > 100))
    return invalid(`${path}.setWeight`, step.setWeight, 'SetWeight needs to be between 0 and 100');
  if (step.pause !== undefined) {
    const seconds = step.pause.duration === undefined ? 0 : (parseDuration(step.pause.duration) ?? -1);
    if (seconds < 0) return invalid(`${path}.pause.duration`, seconds, 'Duration needs to be greater than 0');
  }
  if (step.setCanaryScale !== undefined && canary.trafficRouting === undefined)
    return required('spec.strategy.trafficRouting', 'SetCanaryScale requires TrafficRouting to be set');
  return undefined;
}

function headerRouteChecks(step: CanaryStep, path: string, canary: CanaryStrategy): string | undefined {
  const header = step.setHeaderRoute;
  if (header === undefined) return undefined;
  const tr = canary.trafficRouting;
  if (!tr || !(has(canary, 'istio') || has(canary, 'alb') || has(canary, 'apisix') || has(canary, 'plugins')))
    return invalid(
      `${path}.setHeaderRoute`,
      goHeaderRoute(header),
      'SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix',
    );
  for (const [j, match] of (header.match ?? []).entries()) {
    const error = stringMatchError(match.headerValue, `${path}.setHeaderRoute.match[${j}]`);
    if (error) return error;
  }
  return undefined;
}

function mirrorRouteChecks(step: CanaryStep, path: string, canary: CanaryStrategy): string | undefined {
  const mirror = step.setMirrorRoute;
  if (mirror === undefined) return undefined;
  if (!canary.trafficRouting || !(has(canary, 'istio') || has(canary, 'plugins')))
    return invalid(
      `${path}.setMirrorRoute`,
      goMirrorRoute(mirror),
      'SetMirrorRoute requires TrafficRouting, supports Istio and Plugins',
    );
  for (const [j, match] of (mirror.match ?? []).entries()) {
    const at = `${path}.setMirrorRoute.match[${j}]`;
    const error =
      (match.method && stringMatchError(match.method, at)) ??
      (match.path && stringMatchError(match.path, at));
    if (error) return error;
  }
  return undefined;
}

function managedRouteChecks(step: CanaryStep, path: string, canary: CanaryStrategy): string | undefined {
  const tr = canary.trafficRouting;
  if (!tr || (step.setHeaderRoute === undefined && step.setMirrorRoute === undefined)) return undefined;
  if (tr.managedRoutes === undefined)
    return required('spec.strategy.trafficRouting.managedRoutes', MISSING_MANAGED_ROUTES);
  const names = new Set(tr.managedRoutes.map((r) => r.name));
  if (step.setHeaderRoute && !names.has(step.setHeaderRoute.name))
    return invalid(`${path}.setHeaderRoute`, step.setHeaderRoute.name ?? '', ROUTE_NOT_MANAGED);
  if (step.setMirrorRoute && !names.has(step.setMirrorRoute.name))
    return invalid(`${path}.setMirrorRoute`, step.setMirrorRoute.name ?? '', ROUTE_NOT_MANAGED);
  return undefined;
}

function experimentChecks(step: CanaryStep, path: string, canary: CanaryStrategy): string | undefined {
  const templates = (step.experiment as { templates?: { weight?: number }[] } | undefined)?.templates ?? [];
  for (const [k, template] of templates.entries()) {
    if (template.weight === undefined) continue;
    const at = `${path}.experiment.templates[${k}].weight`;
    if (!canary.trafficRouting)
      return invalid(
        at,
        template.weight,
        'Experiment template weight cannot be set unless TrafficRouting is enabled',
      );
    if (!['alb', 'smi', 'istio', 'plugins'].some((p) => has(canary, p)))
      return invalid(
        at,
        template.weight,
        'Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time',
      );
  }
  return undefined;
}

/**
 * The first Argo error among the canary steps, in Argo's order (step by step, check by check). Paths are Argo's:
 * `spec.strategy.steps[i]`, without `.canary.` (its canary validation is called with the path `spec.strategy`).
 */
export function argoStepError(canary: CanaryStrategy): string | undefined {
  for (const [i, step] of (canary.steps ?? []).entries()) {
    const path = `spec.strategy.steps[${i}]`;
    const error =
      typeCheck(step, path) ??
      valueChecks(step, path, canary) ??
      headerRouteChecks(step, path, canary) ??
      mirrorRouteChecks(step, path, canary) ??
      managedRouteChecks(step, path, canary) ??
      experimentChecks(step, path, canary);
    if (error) return error;
  }
  return undefined;
}

/** The first step sluice cannot run yet (experiment, plugin). */
export function unsupportedStepError(canary: CanaryStrategy): string | undefined {
  for (const [i, step] of (canary.steps ?? []).entries()) {
    for (const kind of ['experiment', 'plugin'] as const) {
      if (step[kind] !== undefined)
        return invalid(
          `spec.strategy.canary.steps[${i}].${kind}`,
          kind,
          `sluice does not support ${kind} steps yet`,
        );
    }
  }
  return undefined;
}
