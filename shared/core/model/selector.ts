/**
 * `metav1.LabelSelector` checks and matching, as the Rollout's `spec.selector` needs them. Pure module.
 */
import { forbidden, invalid, required } from './field-error.js';
import type { LabelSelector } from './types.js';

/** The first error of `ValidateLabelSelector` for the operator/values rules (label syntax is not checked). */
export function labelSelectorError(sel: LabelSelector, path: string): string | undefined {
  for (const [i, req] of (sel.matchExpressions ?? []).entries()) {
    const at = `${path}.matchExpressions[${i}]`;
    const hasValues = (req.values ?? []).length > 0;
    if (req.operator === 'In' || req.operator === 'NotIn') {
      if (!hasValues) return required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'");
    } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
      if (hasValues)
        return forbidden(
          `${at}.values`,
          "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        );
    } else {
      return invalid(`${at}.operator`, req.operator, 'not a valid selector operator');
    }
  }
  return undefined;
}

/** Whether the selector has no requirements at all (an empty selector). */
export function isEmptySelector(sel: LabelSelector): boolean {
  return Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0;
}

/** Whether `labels` satisfy every matchLabels entry and matchExpressions requirement of a (valid) selector. */
export function selectorMatches(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const req of sel.matchExpressions ?? []) {
    const value = l[req.key];
    const values = req.values ?? [];
    const ok =
      req.operator === 'In'
        ? value !== undefined && values.includes(value)
        : req.operator === 'NotIn'
          ? value === undefined || !values.includes(value)
          : req.operator === 'Exists'
            ? value !== undefined
            : value === undefined;
    if (!ok) return false;
  }
  return true;
}
