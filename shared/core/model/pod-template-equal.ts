/**
 * Whether a ReplicaSet's pod template is the Rollout's, ignoring the hash label and the defaults the API server
 * wrote into the ReplicaSet: Argo Rollouts' `PodTemplateEqualIgnoreHash`, its last way to find the Rollout's
 * ReplicaSet when no ReplicaSet carries the template's hash. `kubectl argo rollouts undo` writes a ReplicaSet's
 * stored template (defaults included) back into `spec.template`; its hash then differs from the ReplicaSet's label,
 * and this equality is how that ReplicaSet is found again (a fast rollback, no new ReplicaSet).
 *
 * Pure module.
 */
import { goMarshal } from './go-json.js';
import { GO_STRUCTS, POD_TEMPLATE_SPEC } from './go-pod-template.generated.js';
import type { Json, JsonObject } from './types.js';
import { LABELS } from './types.js';

type Obj = Record<string, Json>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Sets `obj[key] = value` when `key` is absent. */
function orDefault(obj: Obj, key: string, value: Json): void {
  if (obj[key] === undefined) obj[key] = value;
}

/**
 * Kubernetes' `imagePullPolicy` default: `Always` for an image without a tag and a digest or tagged `latest`,
 * otherwise `IfNotPresent`.
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  const tag = colon < 0 ? 'latest' : last.slice(colon + 1);
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Obj): void {
  if (typeof c['image'] === 'string') orDefault(c, 'imagePullPolicy', defaultPullPolicy(c['image']));
  orDefault(c, 'terminationMessagePath', '/dev/termination-log');
  orDefault(c, 'terminationMessagePolicy', 'File');
  for (const p of Array.isArray(c['ports']) ? c['ports'] : []) if (isObj(p)) orDefault(p, 'protocol', 'TCP');
}

/**
 * A copy of `template` with the defaults the API server writes into every pod template it stores (a
 * ReplicaSet's): the pod's `restartPolicy`, `terminationGracePeriodSeconds`, `dnsPolicy`, `securityContext`,
 * `schedulerName`, and each (init) container's `imagePullPolicy`, termination message path and policy, and port
 * protocols. Defaults of fields a template sets less often (probes, volume sources) are not applied: a template
 * written with those in short form is found by its hash, as long as it has not changed.
 */
export function withPodDefaults(template: JsonObject): JsonObject {
  const t = structuredClone(template) as Obj;
  const spec = isObj(t['spec']) ? t['spec'] : {};
  t['spec'] = spec;
  orDefault(spec, 'restartPolicy', 'Always');
  orDefault(spec, 'terminationGracePeriodSeconds', 30);
  orDefault(spec, 'dnsPolicy', 'ClusterFirst');
  orDefault(spec, 'securityContext', {});
  orDefault(spec, 'schedulerName', 'default-scheduler');
  for (const list of ['initContainers', 'containers']) {
    const cs = spec[list];
    for (const c of Array.isArray(cs) ? cs : []) if (isObj(c)) defaultContainer(c);
  }
  return t;
}

function withoutHashLabel(template: JsonObject): JsonObject {
  const t = structuredClone(template) as Obj;
  const meta = isObj(t['metadata']) ? t['metadata'] : undefined;
  const labels = meta && isObj(meta['labels']) ? meta['labels'] : undefined;
  if (labels) delete labels[LABELS.podTemplateHash];
  return t;
}

/**
 * True when the ReplicaSet's stored template `live` equals the Rollout's `desired` once the hash label is removed
 * from both and `desired` has the API server's defaults ({@link withPodDefaults}); both are compared as Go writes
 * them (`corev1.PodTemplateSpec`: empty structs, `null` times and unknown fields alike on both sides). A template
 * Go could not decode equals nothing.
 *
 * @example
 * podTemplateEqualIgnoreHash(rs.spec.template, rollout.spec.template) // true after `kubectl argo rollouts undo`
 */
export function podTemplateEqualIgnoreHash(live: JsonObject, desired: JsonObject): boolean {
  const a = goMarshal(GO_STRUCTS, POD_TEMPLATE_SPEC, withoutHashLabel(live));
  const b = goMarshal(GO_STRUCTS, POD_TEMPLATE_SPEC, withPodDefaults(withoutHashLabel(desired)));
  return a !== undefined && a === b;
}
