/**
 * sluice's field manager name, sent with every write, and what `metadata.managedFields` says about who wrote an
 * object last. Pure: no client import.
 */
import type { KubeObject } from './types.js';

/** The field manager of every write sluice makes (`metadata.managedFields[].manager`). */
export const FIELD_MANAGER = 'sluice';

interface ManagedFieldsEntry {
  manager?: string;
  time?: string;
  subresource?: string;
}

/**
 * Whether the last write to the object's main resource was sluice's own, per `metadata.managedFields`: true when
 * the newest entry (by time; ties count as foreign) is sluice's. Undefined when the object carries no managed
 * fields with times (an API server that does not track them), so callers fall back to other evidence.
 *
 * @example
 * lastWrittenBySluice(vs) // false after `kubectl apply` rewrote the weights
 */
export function lastWrittenBySluice(object: KubeObject | undefined): boolean | undefined {
  const entries = (object?.metadata.managedFields as ManagedFieldsEntry[] | undefined)?.filter(
    (e) => e.time !== undefined && e.subresource === undefined,
  );
  if (!entries || entries.length === 0) return undefined;
  const newest = Math.max(...entries.map((e) => Date.parse(e.time as string)));
  const atNewest = entries.filter((e) => Date.parse(e.time as string) === newest);
  return atNewest.every((e) => e.manager === FIELD_MANAGER);
}

/** A `fieldsV1` tree: `f:<field>` members, `k:`/`v:`/`i:` list elements, `.` for the value itself. */
interface FieldsV1 {
  [key: string]: FieldsV1;
}

/** Whether `fields` owns the field at the JSON Pointer `segments` or something inside it. */
function owns(fields: FieldsV1, segments: string[]): boolean {
  let node: FieldsV1 = fields;
  for (const segment of segments) {
    // An empty set under an owned member: the whole value (an atomic list or map) is owned.
    if (node !== fields && Object.keys(node).length === 0) return true;
    const next = node[`f:${segment}`];
    if (next !== undefined) {
      node = next;
      continue;
    }
    // A list index cannot be matched to a `k:`/`v:` key here: an owned element counts.
    if (/^(\d+|-)$/.test(segment)) return Object.keys(node).some((k) => /^[kvi]:/.test(k));
    return false;
  }
  return true;
}

/**
 * Whether a field manager other than sluice owns one of the fields at `paths` (JSON Pointers such as
 * `/spec/http/0/route/1/weight`), per `metadata.managedFields`: the API server moves a field to the manager that
 * last changed its value, so a foreign owner of a field sluice writes is someone else's change to it. Exact, unlike
 * the one-second `time`. Undefined when the object carries no managed fields (the caller falls back to other evidence).
 *
 * @example
 * ownedByOthers(vs, ['/spec/http/0/route/0/weight']) // true after a GitOps sync rewrote the weights
 */
export function ownedByOthers(object: KubeObject | undefined, paths: string[]): boolean | undefined {
  const entries = (
    object?.metadata.managedFields as (ManagedFieldsEntry & { fieldsV1?: FieldsV1 })[] | undefined
  )?.filter((e) => e.fieldsV1 !== undefined && e.subresource === undefined);
  if (!entries || entries.length === 0) return undefined;
  const pointers = paths.map((p) =>
    p
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')),
  );
  return entries.some(
    (e) => e.manager !== FIELD_MANAGER && pointers.some((segments) => owns(e.fieldsV1 as FieldsV1, segments)),
  );
}
