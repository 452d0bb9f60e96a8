/**
 * The checks that run before anything is written: the Rollout spec, the Services, VirtualServices and
 * DestinationRule it references, and whether they are the Rollout's to change (`tenancy.ts`). The first problem
 * becomes the InvalidSpec condition message.
 *
 * Pure module: no I/O.
 */
import { validateRolloutSpec, invalidSpecMessage } from '../model/validate.js';
import { validateServiceReferences } from '../model/validate-references.js';
import { virtualServiceRefs } from '../istio/names.js';
import {
  validateDestinationRule,
  validateVirtualServiceForm,
  validateVirtualServiceReference,
  virtualServiceCheckOptions,
} from '../istio/validate.js';
import { ownershipError, routeOwnershipError } from './tenancy.js';
import type { Observed } from './types.js';
import { analysisGroups, validateAnalysisReferences } from '../analysis/references.js';
import { templateLookup } from './analysis.js';

/** The Rollout's analysis references (templates exist, merge, step templates end), checked on what was read. */
function analysisError(observed: Observed): string | undefined {
  const groups = analysisGroups(observed.rollout.spec.strategy?.canary);
  if (groups.length === 0) return undefined;
  return validateAnalysisReferences(groups, templateLookup(observed.analysis));
}

function referenceError(observed: Observed): string | undefined {
  const r = observed.rollout;
  const canary = r.spec.strategy?.canary ?? {};
  const istio = canary.trafficRouting?.istio ?? {};
  const form = validateVirtualServiceForm(istio);
  if (form) return form;
  const refs = virtualServiceRefs(istio);
  const dr = istio.destinationRule;
  const opts = virtualServiceCheckOptions(r);
  for (const [i, ref] of refs.entries()) {
    const vs = observed.virtualServices.find((v) => v.index === i);
    const err = validateVirtualServiceReference(vs?.object, ref, opts);
    if (err) return err;
  }
  if (dr) return validateDestinationRule(observed.destinationRule, dr, r.metadata.namespace);
  return undefined;
}

/**
 * The InvalidSpec condition message (`The Rollout "<name>" is invalid: <field error>`) for the first problem, or
 * undefined when the Rollout and everything it references are usable.
 */
export function validationError(observed: Observed): string | undefined {
  const r = observed.rollout;
  const err =
    validateRolloutSpec(r, { workloadResolved: observed.workload?.generation !== undefined }) ??
    validateServiceReferences(r, observed.services) ??
    ownershipError(observed) ??
    referenceError(observed) ??
    routeOwnershipError(observed) ??
    analysisError(observed);
  return err === undefined ? undefined : invalidSpecMessage(r.metadata.name, err);
}
