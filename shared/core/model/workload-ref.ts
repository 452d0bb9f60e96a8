/**
 * `spec.workloadRef`: a Rollout without `spec.template` takes its pod template (and its selector, when it has none)
 * from an `apps/v1` Deployment in its own namespace, as Argo Rollouts' `informerBasedTemplateResolver.Resolve`
 * (rollout/templateref.go) does before every reconcile. The Deployment's `metadata.generation` is kept in the
 * Rollout's `rollout.argoproj.io/workload-generation` annotation and, once a pass committed on it, in
 * `status.workloadObservedGeneration`.
 *
 * Pure module: the Deployment is read by the caller (`shared/app/observe.ts`) and passed in.
 */
import type { JsonObject, KubeObject, LabelSelector, Rollout } from './types.js';
import { copyJson, isJsonObject } from './json.js';

/** The Rollout annotation Argo Rollouts keeps the referenced workload's `metadata.generation` in. */
export const WORKLOAD_GENERATION_ANNOTATION = 'rollout.argoproj.io/workload-generation';

/** `spec.workloadRef.scaleDown` values (Argo's `ScaleDownNever`, `ScaleDownOnSuccess`, `ScaleDownProgressively`). */
export type ScaleDownMode = 'never' | 'onsuccess' | 'progressively';

/** `spec.workloadRef` (Argo's `ObjectRef`): there is no namespace field, the workload is in the Rollout's. */
export interface WorkloadRef {
  apiVersion?: string;
  kind?: string;
  name?: string;
  scaleDown?: string;
}

/** Group/kinds Argo Rollouts resolves (its `infoByGroupKind`); sluice resolves only the Deployment. */
const ARGO_KINDS = new Set(['/PodTemplate', 'apps/Deployment', 'apps/ReplicaSet']);

/** The Rollout's `spec.workloadRef`, or undefined when it has none. */
export function workloadRefOf(r: Rollout): WorkloadRef | undefined {
  const ref = r.spec['workloadRef'];
  return isJsonObject(ref) ? (ref as WorkloadRef) : undefined;
}

/** `group` and `version` of an apiVersion, as `schema.FromAPIVersionAndKind` splits it (`v1` → core group). */
function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** A name the API server could hold (a DNS subdomain): anything else is looked up by no one. */
function objectName(name: string | undefined): boolean {
  return typeof name === 'string' && /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name);
}

/**
 * The name of the Deployment a pass reads for the Rollout, or undefined when it reads none: no workloadRef, a kind
 * other than an `apps/v1` Deployment, or a name no object can have (a `/` never reaches a request path).
 */
export function referencedDeployment(r: Rollout): string | undefined {
  const ref = workloadRefOf(r);
  if (!ref || ref.apiVersion !== 'apps/v1' || ref.kind !== 'Deployment') return undefined;
  return objectName(ref.name) ? ref.name : undefined;
}

/** Argo's `RolloutSpec.EmptyTemplate`: only the template's labels and annotations count. */
export function emptyTemplate(r: Rollout): boolean {
  const meta = r.spec.template?.['metadata'];
  if (!isJsonObject(meta)) return true;
  const filled = (v: unknown): boolean => isJsonObject(v) && Object.keys(v).length > 0;
  return !filled(meta['labels']) && !filled(meta['annotations']);
}

/** What resolving a Rollout's workloadRef gave: the Rollout as the engine runs it, or the reason it cannot run. */
export type Resolution = { rollout: Rollout; generation: number } | { error: string };

/**
 * The error Argo's `Resolve` returns before it looks the workload up, or sluice's refusal of a kind Argo resolves
 * and sluice does not; undefined when the Deployment is to be looked up.
 */
function refError(r: Rollout, ref: WorkloadRef): string | undefined {
  if (!emptyTemplate(r)) return 'template must be empty for workload reference rollout';
  const { group, version } = splitApiVersion(ref.apiVersion ?? '');
  const kind = ref.kind ?? '';
  if (!ARGO_KINDS.has(`${group}/${kind}`)) return `workload of type ${group}/${kind} is not supported`;
  if (group !== 'apps' || kind !== 'Deployment')
    return `sluice resolves workloadRef only to an apps/v1 Deployment, not ${group || 'core'}/${kind}`;
  if (version !== 'v1')
    return `sluice resolves workloadRef only to an apps/v1 Deployment, not apps/${version}`;
  return undefined;
}

/**
 * Resolves a Rollout's workloadRef against the Deployment read in its namespace (undefined when there is none):
 * the Rollout with the Deployment's `spec.template`, its `spec.selector` when the Rollout has none, and the
 * workload-generation annotation set to the Deployment's generation, as Argo Rollouts runs it. The error texts
 * are Argo's (`The Rollout "<name>" is invalid: <error>` is the InvalidSpec message), e.g.
 * `deployments.apps "shop/reviews" not found`, `workload of type apps/StatefulSet is not supported`.
 * A Rollout without workloadRef is returned as it is.
 */
export function resolveWorkload(r: Rollout, deployment: KubeObject | undefined): Resolution {
  const ref = workloadRefOf(r);
  if (!ref) return { rollout: r, generation: 0 };
  const early = refError(r, ref);
  if (early) return { error: early };
  const ns = r.metadata.namespace;
  const name = referencedDeployment(r);
  const found =
    name !== undefined && deployment?.metadata.name === name && deployment.metadata.namespace === ns;
  if (!found || !deployment) return { error: `deployments.apps "${ns}/${ref.name ?? ''}" not found` };
  const spec = (isJsonObject(deployment.spec) ? deployment.spec : {}) as Record<string, unknown>;
  const generation = deployment.metadata.generation ?? 0;
  const resolved: Rollout = {
    ...r,
    metadata: {
      ...r.metadata,
      annotations: {
        ...(r.metadata.annotations ?? {}),
        [WORKLOAD_GENERATION_ANNOTATION]: String(generation),
      },
    },
    spec: { ...r.spec },
  };
  if (isJsonObject(spec['template'])) resolved.spec.template = copyJson(spec['template']) as JsonObject;
  if (r.spec.selector === undefined && isJsonObject(spec['selector']))
    resolved.spec.selector = copyJson(spec['selector']) as LabelSelector;
  return { rollout: resolved, generation };
}

/** `spec.workloadRef.scaleDown` of a Rollout (Argo: anything else, or nothing, scales nothing). */
export function scaleDownMode(r: Rollout): ScaleDownMode {
  const mode = workloadRefOf(r)?.scaleDown;
  return mode === 'onsuccess' || mode === 'progressively' ? mode : 'never';
}
