/**
 * DestinationRule subset labels (Argo Rollouts `UpdateHash` and the DestinationRule cleanup of
 * `syncDestinationRule`). Pure: takes the object as read and returns a new one; fields sluice does not own
 * (host, trafficPolicy, other subsets and their fields, unknown fields) stay exactly as read.
 */
import { ANNOTATIONS, LABELS, type IstioDestinationRuleRef, type KubeObject } from '../model/types.js';
import { IstioError } from './errors.js';
import { isJsonObject, jsonEqual } from '../model/json.js';
import { deepCopy, describe, type Loose } from './json.js';
import type { EditResult } from './virtual-service.js';

function malformedSubset(subset: unknown, path: string): string | undefined {
  if (!isJsonObject(subset)) return `${path} must be an object, found ${describe(subset)}`;
  if (typeof subset['name'] !== 'string')
    return `${path}.name must be a string, found ${describe(subset['name'])}`;
  const labels = subset['labels'];
  if (labels === undefined || labels === null) return undefined;
  if (!isJsonObject(labels)) return `${path}.labels must be an object, found ${describe(labels)}`;
  const bad = Object.entries(labels).find(([, value]) => typeof value !== 'string');
  return bad ? `${path}.labels.${bad[0]} must be a string, found ${describe(bad[1])}` : undefined;
}

/**
 * Why a DestinationRule cannot be edited, or undefined when its subsets are well formed.
 * Checks `spec` is an object, `spec.subsets` a list of objects each with a string `name` and string-valued `labels`.
 */
export function malformedDestinationRule(dr: KubeObject): string | undefined {
  const prefix = `DestinationRule ${dr.metadata?.name ?? ''} is malformed:`;
  if (dr.spec === undefined || dr.spec === null) return undefined;
  if (!isJsonObject(dr.spec)) return `${prefix} spec must be an object, found ${describe(dr.spec)}`;
  const subsets = dr.spec['subsets'];
  if (subsets === undefined || subsets === null) return undefined;
  if (!Array.isArray(subsets)) return `${prefix} spec.subsets must be a list, found ${describe(subsets)}`;
  for (const [i, subset] of subsets.entries()) {
    const problem = malformedSubset(subset, `spec.subsets[${i}]`);
    if (problem) return `${prefix} ${problem}`;
  }
  return undefined;
}

function subsetsOf(object: KubeObject): Loose[] {
  const message = malformedDestinationRule(object);
  if (message) throw new IstioError(message, 'Malformed');
  const spec = isJsonObject(object.spec) ? object.spec : undefined;
  return Array.isArray(spec?.['subsets']) ? (spec['subsets'] as Loose[]) : [];
}

function setHashLabel(subset: Loose, hash: string | undefined): void {
  const labels = isJsonObject(subset['labels']) ? subset['labels'] : undefined;
  if (hash) {
    subset['labels'] = { ...(labels ?? {}), [LABELS.podTemplateHash]: hash };
  } else if (labels && LABELS.podTemplateHash in labels) {
    delete labels[LABELS.podTemplateHash];
  }
}

/**
 * Points the canary and stable subsets at their ReplicaSets: subset `canarySubsetName` gets label
 * `rollouts-pod-template-hash=<canaryHash>`, `stableSubsetName` gets the stable hash (the label is removed when
 * the hash is empty), and annotation `argo-rollouts.argoproj.io/managed-by-rollouts: <rolloutName>` is set.
 * Unlike Argo Rollouts, other subsets are kept (#3125) and a subset with extra fields (trafficPolicy...) does not
 * count as a change; `modified` is false when nothing differs.
 *
 * On abort the caller passes the stable hash as `canaryHash`, so both subsets select stable pods.
 * @throws IstioError (`Malformed`) when the subsets cannot be read; nothing is written then.
 * @example
 * updateDestinationRule(dr, { name: 'dr', canarySubsetName: 'canary', stableSubsetName: 'stable' }, 'h2', 'h1', 'app');
 */
export function updateDestinationRule(
  dr: KubeObject,
  ref: IstioDestinationRuleRef,
  canaryHash: string | undefined,
  stableHash: string | undefined,
  rolloutName: string,
): EditResult {
  const object = deepCopy(dr);
  for (const subset of subsetsOf(object)) {
    if (subset['name'] === ref.canarySubsetName) setHashLabel(subset, canaryHash);
    else if (subset['name'] === ref.stableSubsetName) setHashLabel(subset, stableHash);
  }
  object.metadata = {
    ...object.metadata,
    annotations: { ...(object.metadata.annotations ?? {}), [ANNOTATIONS.managedBy]: rolloutName },
  };
  return { object, modified: !jsonEqual(object, dr) };
}

/**
 * Hands a DestinationRule back when no Rollout references it any more: removes the managed-by annotation and
 * the `rollouts-pod-template-hash` label of every subset. `modified` is false when there was nothing to remove.
 * @throws IstioError (`Malformed`) when the subsets cannot be read.
 */
export function releaseDestinationRule(dr: KubeObject, _ref?: IstioDestinationRuleRef): EditResult {
  const object = deepCopy(dr);
  for (const subset of subsetsOf(object)) setHashLabel(subset, undefined);
  const annotations = object.metadata.annotations;
  if (annotations && ANNOTATIONS.managedBy in annotations) {
    const rest = { ...annotations };
    delete rest[ANNOTATIONS.managedBy];
    object.metadata = { ...object.metadata, annotations: rest };
  }
  return { object, modified: !jsonEqual(object, dr) };
}
