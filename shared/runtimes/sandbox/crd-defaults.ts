/**
 * Structural-schema defaulting of custom resources, as kube-apiserver applies it on every write: a field with a
 * `default` in the CRD's OpenAPI schema is set when it is absent and its parent object is present.
 *
 * The Rollout CRD (`argoproj.io/v1alpha1`, as published) defaults 28 fields, all inside `spec.template`; the one
 * that shows most is `ports[].protocol: TCP`, which changes the pod-template hash. The Istio CRDs default nothing.
 */
import { isJsonObject } from '../../core/model/json.js';

/** One default: a path (`[]` = every item of an array) and the value. */
export interface FieldDefault {
  path: string;
  value: unknown;
}

const POD = 'spec.template.spec';
const CONTAINER_DEFAULTS: [string, unknown][] = [
  ['env[].valueFrom.configMapKeyRef.name', ''],
  ['env[].valueFrom.fileKeyRef.optional', false],
  ['env[].valueFrom.secretKeyRef.name', ''],
  ['envFrom[].configMapRef.name', ''],
  ['envFrom[].secretRef.name', ''],
  ['livenessProbe.grpc.service', ''],
  ['ports[].protocol', 'TCP'],
  ['readinessProbe.grpc.service', ''],
  ['startupProbe.grpc.service', ''],
];

/** The defaults of the Rollout CRD's schema (extracted from the published CRD; `default:` entries). */
export const ROLLOUT_DEFAULTS: readonly FieldDefault[] = [
  ...['containers', 'ephemeralContainers', 'initContainers'].flatMap((list) =>
    CONTAINER_DEFAULTS.map(([path, value]) => ({ path: `${POD}.${list}[].${path}`, value })),
  ),
  { path: `${POD}.imagePullSecrets[].name`, value: '' },
];

function applyAt(node: unknown, tokens: string[], value: unknown): void {
  const [head, ...rest] = tokens;
  if (head === undefined) return;
  const list = head.endsWith('[]');
  const key = list ? head.slice(0, -2) : head;
  if (!isJsonObject(node)) return;
  if (rest.length === 0 && !list) {
    if (!(key in node)) node[key] = structuredClone(value);
    return;
  }
  const child = node[key];
  if (list) {
    if (Array.isArray(child)) for (const item of child) applyAt(item, rest, value);
    return;
  }
  applyAt(child, rest, value);
}

/**
 * Sets every absent defaulted field of `obj` whose parent exists, in place; returns `obj`.
 * @example applyDefaults(rollout, ROLLOUT_DEFAULTS) // ports without protocol get protocol: 'TCP'
 */
export function applyDefaults<T>(obj: T, defaults: readonly FieldDefault[]): T {
  for (const d of defaults) applyAt(obj, d.path.split('.'), d.value);
  return obj;
}
