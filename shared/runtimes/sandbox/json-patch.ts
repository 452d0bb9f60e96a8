/**
 * The two patch formats the sandbox API server accepts, applied as kube-apiserver applies them:
 * RFC 7386 JSON Merge Patch and RFC 6902 JSON Patch. Pure functions: inputs are never mutated.
 */
import { isJsonObject as isObject, jsonEqual } from '../../core/model/json.js';

/** A JSON Patch document could not be applied; `kind` tells a failed `test` from a bad path or op. */
export class PatchApplyError extends Error {
  override readonly name = 'PatchApplyError';
  constructor(
    readonly kind: 'test-failed' | 'bad-path' | 'bad-op',
    message: string,
  ) {
    super(message);
  }
}

type JsonValue = unknown;
type Container = Record<string, unknown> | unknown[];

/** Deep copy of a JSON value. */
export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Sets an own member; plain assignment of a `__proto__` key would change the object's prototype instead. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An own member only (never one from the prototype, such as `constructor`). */
function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * RFC 7386: objects merge recursively, `null` deletes a key, anything else (arrays included) replaces.
 * @example mergePatch({ a: 1, b: { c: 2 } }, { b: { c: null, d: 3 } }) // { a: 1, b: { d: 3 } }
 */
export function mergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, mergePatch(own(result, key) as JsonValue, value));
  }
  return result;
}

/** Splits an RFC 6901 pointer into unescaped tokens. */
function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchApplyError('bad-path', `invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, forAdd: boolean, path: string): number {
  if (forAdd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    throw new PatchApplyError('bad-path', `invalid array index in "${path}"`);
  const index = Number(token);
  if (index > length || (!forAdd && index === length)) {
    throw new PatchApplyError('bad-path', `array index out of bounds in "${path}"`);
  }
  return index;
}

/** Walks to the parent of the pointer's last token. */
function parentOf(doc: unknown, tokens: string[], path: string): { parent: Container; last: string } {
  let node = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, false, path)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else throw new PatchApplyError('bad-path', `doc is missing path: "${path}"`);
  }
  if (!Array.isArray(node) && !isObject(node)) {
    throw new PatchApplyError('bad-path', `doc is missing path: "${path}"`);
  }
  return { parent: node, last: tokens[tokens.length - 1] ?? '' };
}

function getAt(doc: unknown, path: string): { found: boolean; value?: unknown } {
  let node = doc;
  for (const token of parsePointer(path)) {
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(token) && Number(token) < node.length) {
      node = node[Number(token)];
    } else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return { found: false };
  }
  return { found: true, value: node };
}

function add(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return clone(value);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, path), 0, clone(value));
  else setOwn(parent, last, clone(value));
  return doc;
}

function remove(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, path), 1);
  else if (Object.hasOwn(parent, last)) delete parent[last];
  else throw new PatchApplyError('bad-path', `unable to remove nonexistent key: ${last}: missing value`);
  return doc;
}

/** One RFC 6902 operation as sent over the wire. */
export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function applyOne(doc: unknown, op: PatchOperation): unknown {
  switch (op.op) {
    case 'add':
      return add(doc, op.path, op.value);
    case 'remove':
      return remove(doc, op.path);
    case 'replace':
      if (!getAt(doc, op.path).found) {
        throw new PatchApplyError(
          'bad-path',
          `replace operation does not apply: doc is missing key: ${op.path}`,
        );
      }
      return add(remove(doc, op.path), op.path, op.value);
    case 'move':
    case 'copy': {
      const source = getAt(doc, op.from ?? '');
      if (!source.found)
        throw new PatchApplyError('bad-path', `${op.op} operation: missing from path ${op.from}`);
      const next = op.op === 'move' ? remove(doc, op.from ?? '') : doc;
      return add(next, op.path, source.value);
    }
    case 'test': {
      const current = getAt(doc, op.path);
      if (!current.found || !jsonEqual(current.value, op.value)) {
        throw new PatchApplyError('test-failed', `testing value ${op.path} failed: test failed`);
      }
      return doc;
    }
    default:
      throw new PatchApplyError('bad-op', `Unexpected kind: ${op.op}`);
  }
}

/**
 * RFC 6902: applies every operation in order to a copy of `doc`; all or nothing.
 * @throws {PatchApplyError} on a failed `test`, a missing path or an unknown op.
 */
export function applyJsonPatch(doc: unknown, ops: readonly PatchOperation[]): unknown {
  let result = clone(doc);
  for (const op of ops) result = applyOne(result, op);
  return result;
}
