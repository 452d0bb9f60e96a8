/** Small helpers for editing objects read as JSON, without trusting their shape. Pure. */
import type { KubeObject } from '../model/types.js';
import { isJsonObject } from '../model/json.js';

/** A JSON object whose members are not trusted yet. */
export type Loose = Record<string, unknown>;

/** A deep copy of a JSON value: the caller's object is never mutated. */
export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

/** Describes a JSON value for an error message: `string "50"`, `a list`, `null`, `nothing`. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** `spec` of a copied object as a mutable JSON object (created when absent). */
export function specOf(object: KubeObject): Loose {
  if (!isJsonObject(object.spec)) object.spec = {};
  return object.spec as Loose;
}

/** `namespace/name` of an object, for messages. */
export function objectName(object: KubeObject): string {
  const ns = object.metadata?.namespace;
  return ns ? `${ns}/${object.metadata.name}` : object.metadata?.name;
}
