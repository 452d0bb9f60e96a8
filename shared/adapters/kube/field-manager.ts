/**
 * sluice's field manager name, sent with every write, and what `metadata.managedFields` says about who wrote an
 * object last. Pure: no client import.
 */
import type { KubeObject } from '../../core/model/types.js';

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
