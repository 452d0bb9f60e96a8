/**
 * Minimal RFC 6902 JSON Patches between two JSON documents, and the guarded patch every effect write uses.
 *
 * Pure module: no I/O.
 */
import type { KubeObject } from '../model/types.js';
import type { JsonPatchOp } from './types.js';
import { isJsonObject as isPlainObject, jsonEqual } from '../model/json.js';

type Plain = Record<string, unknown>;

/** An own member only: `valueOf`, `constructor` and friends on the prototype are not JSON members. */
function own(o: Plain, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** Escapes one JSON-pointer reference token (`~` → `~0`, `/` → `~1`). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A JSON-safe copy (drops undefined members, like JSON.stringify). */
function clean(v: unknown): unknown {
  return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as unknown);
}

/**
 * The minimal JSON Patch turning `before` into `after`.
 *
 * Objects are compared key by key (removed keys → `remove`, new keys → `add`); arrays of equal length element
 * by element; arrays of different length and values of different type are replaced whole. Keys are escaped as
 * JSON pointers. Equal documents give `[]`.
 *
 * @example diffToPatch({a: 1, b: {c: 2}}, {a: 1, b: {c: 3}}) // [{op: 'replace', path: '/b/c', value: 3}]
 */
export function diffToPatch(before: unknown, after: unknown, basePath = ''): JsonPatchOp[] {
  if (jsonEqual(before, after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const ops: JsonPatchOp[] = [];
    for (const key of Object.keys(before)) {
      if (before[key] === undefined) continue;
      const path = `${basePath}/${escapePointerToken(key)}`;
      if (own(after, key) === undefined) ops.push({ op: 'remove', path });
      else ops.push(...diffToPatch(before[key], after[key], path));
    }
    for (const key of Object.keys(after)) {
      if (after[key] === undefined || own(before, key) !== undefined) continue;
      ops.push({ op: 'add', path: `${basePath}/${escapePointerToken(key)}`, value: clean(after[key]) });
    }
    return ops;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, i) => diffToPatch(item, after[i], `${basePath}/${i}`));
  }
  if (after === undefined) return [{ op: 'remove', path: basePath }];
  return [{ op: 'replace', path: basePath, value: clean(after) }];
}

/**
 * The patch for one effect write: `test /metadata/resourceVersion` (as read) followed by the diff, or `[]` when
 * nothing changed. A concurrent foreign edit makes the `test` fail (409/422), so the caller re-reads and re-plans;
 * only changed paths are sent, so fields sluice does not own are never rewritten.
 *
 * @throws Error when `before` has no resourceVersion (it was not read from the API server).
 */
export function guardedPatch(before: KubeObject, after: KubeObject): JsonPatchOp[] {
  const ops = diffToPatch(before, after);
  if (ops.length === 0) return [];
  const rv = before.metadata.resourceVersion;
  if (rv === undefined) {
    throw new Error(
      `cannot patch ${before.kind} ${before.metadata.namespace ?? ''}/${before.metadata.name}: it has no metadata.resourceVersion`,
    );
  }
  return [{ op: 'test', path: '/metadata/resourceVersion', value: rv }, ...ops];
}
