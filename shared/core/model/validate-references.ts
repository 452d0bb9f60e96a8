/**
 * Referenced-Service checks (Argo Rollouts `validation_references.go`, `ValidateService`), run after spec
 * validation. VirtualService and DestinationRule references are checked by the Istio module. Pure module.
 */
import { goQuote, invalid } from './field-error.js';
import { ANNOTATIONS, LABELS, type Rollout, type Service } from './types.js';

/** The Services a canary Rollout names, with the field that names them, in Argo's lookup order. */
export function referencedServices(r: Rollout): { path: string; name: string }[] {
  const canary = r.spec.strategy?.canary;
  if (!canary) return [];
  const refs: { path: string; name: string }[] = [];
  const base = 'spec.strategy.canary';
  if (canary.stableService) refs.push({ path: `${base}.stableService`, name: canary.stableService });
  if (canary.canaryService) refs.push({ path: `${base}.canaryService`, name: canary.canaryService });
  if (canary.pingPong?.pingService)
    refs.push({ path: `${base}.pingPong.pingService`, name: canary.pingPong.pingService });
  if (canary.pingPong?.pongService)
    refs.push({ path: `${base}.pingPong.pongService`, name: canary.pingPong.pongService });
  return refs;
}

/**
 * The first error about the Services a Rollout references, formatted as Argo does:
 * - missing: `spec.strategy.canary.stableService: Invalid value: "x": services "x" not found`
 *   (all Services are looked up before any is inspected, as in Argo);
 * - a selector label the pod template lacks or sets differently (`rollouts-pod-template-hash` excepted; keys in
 *   sorted order): `...: Invalid value: "x": Service "x" has unmatch label "k" in rollout`;
 * - annotation `argo-rollouts.argoproj.io/managed-by-rollouts` naming another Rollout:
 *   `...: Invalid value: "x": Service "x" is managed by another Rollout`.
 *
 * `services` maps Service name → the Service as read, or `undefined` when the GET returned 404.
 *
 * @example
 * ```ts
 * validateServiceReferences(rollout, { stable: stableSvc, canary: undefined })
 * // 'spec.strategy.canary.canaryService: Invalid value: "canary": services "canary" not found'
 * ```
 */
export function validateServiceReferences(
  r: Rollout,
  services: Record<string, Service | undefined>,
): string | undefined {
  const refs = referencedServices(r);
  for (const { path, name } of refs) {
    if (services[name] === undefined) return invalid(path, name, `services ${goQuote(name)} not found`);
  }
  const templateMeta = r.spec.template?.['metadata'] as { labels?: Record<string, string> } | undefined;
  const podLabels = templateMeta?.labels ?? {};
  for (const { path, name } of refs) {
    const svc = services[name] as Service;
    const selector = svc.spec?.selector ?? {};
    for (const key of Object.keys(selector).sort()) {
      if (key === LABELS.podTemplateHash) continue;
      if (podLabels[key] !== selector[key])
        return invalid(path, name, `Service ${goQuote(name)} has unmatch label ${goQuote(key)} in rollout`);
    }
    const manager = svc.metadata.annotations?.[ANNOTATIONS.managedBy];
    if (manager !== undefined && manager !== r.metadata.name)
      return invalid(path, name, `Service ${goQuote(name)} is managed by another Rollout`);
  }
  return undefined;
}
