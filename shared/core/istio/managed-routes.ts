/**
 * Header and mirror routes of `setHeaderRoute`/`setMirrorRoute` steps, and their removal (Argo Rollouts
 * `SetHeaderRoute`, `SetMirrorRoute`, `RemoveManagedRoutes`). HTTP only. Pure: new objects, input untouched.
 */
import type { CanaryStep, IstioVirtualServiceRef, KubeObject, StringMatch } from '../model/types.js';
import { IstioError } from './errors.js';
import { isJsonObject, jsonEqual } from '../model/json.js';
import { deepCopy, type Loose } from './json.js';
import { orderManagedRoutes, routeName } from './order.js';
import { type ParsedRoute, parseSection, selectHttpRoutes } from './routes.js';
import type { EditResult } from './virtual-service.js';

/** Where header/mirror traffic goes. */
export interface RouteTargetOptions {
  /** `canaryService` (host mode). */
  canaryService?: string;
  /** The DestinationRule's `spec.host` (subset mode); wins over `canaryService`, as in Argo Rollouts. */
  destinationRuleHost?: string;
  /** `destinationRule.canarySubsetName` (subset mode). */
  canarySubset?: string;
  /** `trafficRouting.managedRoutes` names, in precedence order. */
  managedRoutes?: string[];
}

/** A `setHeaderRoute` step. */
export type HeaderRouteStep = NonNullable<CanaryStep['setHeaderRoute']>;
/** A `setMirrorRoute` step. */
export type MirrorRouteStep = NonNullable<CanaryStep['setMirrorRoute']>;

function stringMatch(value: StringMatch): Loose {
  const out: Loose = {};
  if (value.exact) out['exact'] = value.exact;
  if (value.regex) out['regex'] = value.regex;
  if (value.prefix) out['prefix'] = value.prefix;
  return out;
}

/** The raw http list of a copied object, or undefined when there is no `spec.http`. Checks its shape. */
function httpOf(object: KubeObject): { raw: unknown[]; parsed: ParsedRoute[] } | undefined {
  const parsed = parseSection(object.spec, 'http');
  if (!parsed) return undefined;
  return { raw: (object.spec as Loose)['http'] as unknown[], parsed };
}

function canaryTarget(opts: RouteTargetOptions, what: string): { host: string; subset?: string } {
  const host = opts.destinationRuleHost || opts.canaryService;
  if (!host) {
    throw new IstioError(
      `Cannot set ${what}: neither canaryService nor a DestinationRule host is known`,
      'Unsupported',
    );
  }
  return opts.canarySubset ? { host, subset: opts.canarySubset } : { host };
}

/** First weighted route of the Rollout's route list (no mirror routes), or undefined. */
function firstWeightedRoute(
  raw: unknown[],
  parsed: ParsedRoute[],
  ref: IstioVirtualServiceRef,
): Loose | undefined {
  const [index] = selectHttpRoutes(parsed, ref.routes ?? []);
  return index === undefined ? undefined : (raw[index] as Loose);
}

function firstPort(route: Loose | undefined): number | undefined {
  const entries = route?.['route'];
  const first = Array.isArray(entries) ? entries[0] : undefined;
  const port =
    isJsonObject(first) && isJsonObject(first['destination']) ? first['destination']['port'] : undefined;
  const value = isJsonObject(port) ? port['number'] : undefined;
  return typeof value === 'number' && value > 0 ? value : undefined;
}

function finish(
  object: KubeObject,
  original: KubeObject,
  http: unknown[],
  managedRoutes?: string[],
): EditResult {
  (object.spec as Loose)['http'] = orderManagedRoutes(http, managedRoutes);
  return { object, modified: !jsonEqual(object, original) };
}

/**
 * Applies a `setHeaderRoute` step: removes any route of that name, then (when the step has matches) appends
 * `{name, match: [{headers: {<name>: <exact|regex|prefix>}}...], route: [{destination: {host, port?, subset?}, weight: 100}]}`
 * and reorders http routes by `managedRoutes`. A step with only a name removes the route. A VirtualService
 * without `spec.http` is returned unchanged. `modified` is false when the result equals the input.
 * @throws IstioError when the http routes are malformed or the canary host is unknown.
 */
export function setHeaderRoute(
  vs: KubeObject,
  ref: IstioVirtualServiceRef,
  step: HeaderRouteStep,
  opts: RouteTargetOptions,
): EditResult {
  const object = deepCopy(vs);
  const http = httpOf(object);
  if (!http) return { object, modified: false };
  const kept = http.raw.filter((route) => routeName(route) !== step.name);
  if (step.match && step.match.length > 0) {
    const target = canaryTarget(opts, `header route '${step.name}'`);
    let weighted: Loose | undefined;
    try {
      weighted = firstWeightedRoute(http.raw, http.parsed, ref);
    } catch {
      weighted = undefined; // as in Argo Rollouts: no port when the weighted route cannot be found
    }
    const port = firstPort(weighted);
    const destination: Loose = { host: target.host };
    if (port !== undefined) destination['port'] = { number: port };
    if (target.subset) destination['subset'] = target.subset;
    kept.push({
      name: step.name,
      match: step.match.map((m) => ({ headers: { [m.headerName]: stringMatch(m.headerValue) } })),
      route: [{ destination, weight: 100 }],
    });
  }
  return finish(object, vs, kept, opts.managedRoutes);
}

/**
 * Applies a `setMirrorRoute` step: removes any route of that name, then (when the step has matches) prepends
 * `{name, match: [{method?, uri?, headers?}], route: <copy of the first weighted route's destinations>,
 * mirror: {host, subset?, port?}, mirrorPercentage: {value: percentage ?? 100}}` and reorders by `managedRoutes`.
 * @throws IstioError when the http routes are malformed, the Rollout's route is missing, or the canary host is unknown.
 */
export function setMirrorRoute(
  vs: KubeObject,
  ref: IstioVirtualServiceRef,
  step: MirrorRouteStep,
  opts: RouteTargetOptions,
): EditResult {
  const object = deepCopy(vs);
  const http = httpOf(object);
  if (!http) return { object, modified: false };
  const kept = http.raw.filter((route) => routeName(route) !== step.name);
  if (step.match && step.match.length > 0) {
    const target = canaryTarget(opts, `mirror route '${step.name}'`);
    const weighted = firstWeightedRoute(http.raw, http.parsed, ref);
    if (!weighted) {
      throw new IstioError(
        `Cannot set mirror route '${step.name}': no weighted HTTP route to copy destinations from`,
        'RouteNotFound',
      );
    }
    const mirror: Loose = { host: target.host };
    if (target.subset) mirror['subset'] = target.subset;
    const port = firstPort(weighted);
    if (port !== undefined) mirror['port'] = { number: port };
    const match = step.match.map((m) => {
      const out: Loose = {};
      if (m.method) out['method'] = stringMatch(m.method);
      if (m.path) out['uri'] = stringMatch(m.path);
      if (m.headers)
        out['headers'] = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, stringMatch(v)]));
      return out;
    });
    kept.unshift({
      name: step.name,
      match,
      route: deepCopy(weighted['route'] ?? []),
      mirror,
      mirrorPercentage: { value: step.percentage ?? 100 },
    });
  }
  return finish(object, vs, kept, opts.managedRoutes);
}

/**
 * Removes the routes of every `setHeaderRoute`/`setMirrorRoute` step and every route named in `managedRoutes`
 * (at promotion, abort, or when the canary has no pods). Other routes keep their order. A VirtualService without
 * `spec.http` is returned unchanged; `modified` is false when no route was removed (Argo Rollouts re-Updates).
 * @throws IstioError when `spec.http` is not a list.
 */
export function removeManagedRoutes(
  vs: KubeObject,
  managedRoutes: string[],
  stepRouteNames: string[],
): EditResult {
  const object = deepCopy(vs);
  const spec = isJsonObject(object.spec) ? object.spec : undefined;
  const raw = spec?.['http'];
  if (!spec || raw === undefined || raw === null) return { object, modified: false };
  if (!Array.isArray(raw)) {
    throw new IstioError(
      'Unable to get HTTP routes for Istio VirtualService: spec.http must be a list',
      'Malformed',
    );
  }
  const remove = new Set([...managedRoutes, ...stepRouteNames].filter((name) => name !== ''));
  const kept = raw.filter((route) => !remove.has(routeName(route)));
  if (kept.length === raw.length) return { object, modified: false };
  spec['http'] = kept;
  return { object, modified: true };
}
