/** A small RFC 6902 applier for tests (add/remove/replace/test), independent of the engine's diff. */
import type { JsonPatchOp } from '../../../../../shared/core/engine/types.js';

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function tokens(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`bad JSON pointer ${path}`);
  return path.slice(1).split('/').map(unescape);
}

/** Sets an own member, also for keys such as `__proto__` that plain assignment would not create. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Thrown when a `test` op fails (the API server answers 422). */
export class PatchTestFailed extends Error {}

/** The object or array that holds the path's last token; throws when an intermediate member is missing. */
function parentOf(root: unknown, path: string[], op: JsonPatchOp): Record<string, unknown> | unknown[] {
  let parent = root as Record<string, unknown> | unknown[];
  for (const t of path.slice(0, -1)) {
    const next = Array.isArray(parent) ? parent[Number(t)] : Object.hasOwn(parent, t) ? parent[t] : undefined;
    if (typeof next !== 'object' || next === null) throw new Error(`path ${op.path} does not exist`);
    parent = next as Record<string, unknown>;
  }
  return parent;
}

/** Applies one op at member `last` of `parent` (in place). */
function applyAt(parent: Record<string, unknown> | unknown[], last: string, op: JsonPatchOp): void {
  const obj = parent as Record<string, unknown>;
  if (op.op === 'test') {
    if (JSON.stringify(Object.hasOwn(obj, last) ? obj[last] : undefined) !== JSON.stringify(op.value)) {
      throw new PatchTestFailed(`test ${op.path} failed`);
    }
  } else if (op.op === 'remove') {
    if (!Object.hasOwn(obj, last)) throw new Error(`remove ${op.path}: no such member`);
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete obj[last];
  } else if (op.op === 'replace') {
    if (!Object.hasOwn(obj, last)) throw new Error(`replace ${op.path}: no such member`);
    setOwn(obj, last, structuredClone(op.value));
  } else if (Array.isArray(parent)) {
    parent.splice(last === '-' ? parent.length : Number(last), 0, structuredClone(op.value));
  } else {
    setOwn(obj, last, structuredClone(op.value));
  }
}

/** Applies `ops` to a deep copy of `doc` and returns the result. */
export function applyPatch<T>(doc: T, ops: JsonPatchOp[]): T {
  let root = structuredClone(doc) as unknown;
  for (const op of ops) {
    const path = tokens(op.path);
    if (path.length > 0) {
      applyAt(parentOf(root, path, op), path[path.length - 1] as string, op);
    } else if (op.op === 'test') {
      if (JSON.stringify(root) !== JSON.stringify(op.value)) throw new PatchTestFailed('root differs');
    } else {
      root = structuredClone(op.value);
    }
  }
  return root as T;
}
