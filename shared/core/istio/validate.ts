/**
 * Referenced-resource checks for Istio (Argo Rollouts `validation_references.go` `ValidateVirtualService` and the
 * runtime DestinationRule lookup), with Argo's exact texts. Pure: returns the first problem, or undefined.
 */
import type {
  Rollout,
  IstioDestinationRuleRef,
  IstioTrafficRouting,
  IstioVirtualServiceRef,
  KubeObject,
} from '../model/types.js';
import { malformedDestinationRule } from './destination-rule.js';
import { IstioError } from './errors.js';
import { isJsonObject } from '../model/json.js';
import { describe } from './json.js';
import { parseVirtualServiceName } from './names.js';
import { type DestinationNames, SECTION_KIND, type Section, selectSection } from './routes.js';

/** What {@link validateVirtualServiceReference} needs. */
export interface VirtualServiceCheckOptions extends DestinationNames {
  /** Path of the reference, e.g. `spec.strategy.canary.trafficRouting.istio.virtualService` (or `...virtualServices`). */
  refPath: string;
  managedRoutes?: string[];
  rolloutNamespace: string;
}

/**
 * Argo's "both or neither" check (validation_references.go): exactly one of `virtualService` and
 * `virtualServices` must be set.
 *
 * @example
 * validateVirtualServiceForm({ virtualService: { name: 'a' }, virtualServices: [{ name: 'b' }] });
 * // 'spec.strategy.canary.trafficRouting.istio: Internal error: either VirtualService or VirtualServices must be configured'
 */
export function validateVirtualServiceForm(istio: IstioTrafficRouting): string | undefined {
  if ((istio.virtualService !== undefined) !== (istio.virtualServices !== undefined)) return undefined;
  return 'spec.strategy.canary.trafficRouting.istio: Internal error: either VirtualService or VirtualServices must be configured';
}

/**
 * The {@link VirtualServiceCheckOptions} a Rollout implies: the reference path (`virtualService` or
 * `virtualServices`), its canary/stable Services or DestinationRule subsets, and its managed routes. The engine and
 * `sluice validate` both check with these.
 */
export function virtualServiceCheckOptions(r: Rollout): VirtualServiceCheckOptions {
  const canary = r.spec.strategy?.canary ?? {};
  const istio = canary.trafficRouting?.istio ?? {};
  const dr = istio.destinationRule;
  return {
    refPath: `spec.strategy.canary.trafficRouting.istio.${istio.virtualServices ? 'virtualServices' : 'virtualService'}`,
    canaryService: canary.canaryService,
    stableService: canary.stableService,
    canarySubset: dr?.canarySubsetName,
    stableSubset: dr?.stableSubsetName,
    managedRoutes: (canary.trafficRouting?.managedRoutes ?? []).map((m) => m.name),
    rolloutNamespace: r.metadata.namespace,
  };
}

/** A Kubernetes field error as Go's `field.Invalid(...).Error()` prints it. */
function invalid(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
}

function sectionProblem(
  vs: KubeObject,
  section: Section,
  ref: IstioVirtualServiceRef,
  opts: VirtualServiceCheckOptions,
): string | undefined {
  try {
    selectSection(vs.spec, section, ref, opts);
    return undefined;
  } catch (error) {
    if (!(error instanceof IstioError)) throw error;
    if (error.reason === 'Malformed') return error.message;
    return `Istio VirtualService has invalid ${SECTION_KIND[section]} routes. Error: ${error.message}`;
  }
}

/**
 * Checks one referenced VirtualService as Argo Rollouts does before creating ReplicaSets. Returns the field error
 * text (`<refPath>.name: Invalid value: "<vs>": <detail>`) for the first problem, or undefined when usable:
 * - not found: `virtualservices.networking.istio.io "<vs>" not found`;
 * - none of http/tls/tcp: `Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService`;
 * - a malformed section: `Unable to get HTTP routes for Istio VirtualService: <field> must be ..., found ...`;
 * - `Istio VirtualService has invalid HTTP routes. Error: <route not found | ambiguous | canary/stable missing>`
 *   (TLS/TCP alike).
 * @example
 * validateVirtualServiceReference(undefined, { name: 'vs' }, { refPath: 'spec.strategy.canary.trafficRouting.istio.virtualService', rolloutNamespace: 'default' });
 * // 'spec.strategy.canary.trafficRouting.istio.virtualService.name: Invalid value: "vs": virtualservices.networking.istio.io "vs" not found'
 */
export function validateVirtualServiceReference(
  vs: KubeObject | undefined,
  ref: IstioVirtualServiceRef,
  opts: VirtualServiceCheckOptions,
): string | undefined {
  const { name } = parseVirtualServiceName(ref.name, opts.rolloutNamespace);
  const path = `${opts.refPath}.name`;
  if (!vs)
    return invalid(path, name, `virtualservices.networking.istio.io ${JSON.stringify(name)} not found`);
  if (vs.spec !== undefined && vs.spec !== null && !isJsonObject(vs.spec)) {
    return invalid(
      path,
      name,
      `Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService: spec must be an object, found ${describe(vs.spec)}`,
    );
  }
  const spec = isJsonObject(vs.spec) ? vs.spec : {};
  const sections = (['http', 'tls', 'tcp'] as const).filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sections.length === 0) {
    return invalid(
      path,
      name,
      'Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService',
    );
  }
  for (const section of sections) {
    const problem = sectionProblem(vs, section, ref, opts);
    if (problem) return invalid(path, name, problem);
  }
  return undefined;
}

/**
 * Checks the referenced DestinationRule (looked up in the Rollout's namespace). Returns Argo's runtime text
 * `destinationrules.networking.istio.io "<name>" not found` when absent, a malformed-subsets message, or undefined.
 */
export function validateDestinationRule(
  dr: KubeObject | undefined,
  ref: IstioDestinationRuleRef,
  _rolloutNamespace: string,
): string | undefined {
  if (!dr) return `destinationrules.networking.istio.io ${JSON.stringify(ref.name)} not found`;
  return malformedDestinationRule(dr);
}
