/**
 * Equality of JSON values, as the API server stores them. Pure module.
 *
 * Semantics (the one rule every caller relies on): two values are equal when the JSON texts `JSON.stringify` writes
 * for them are equal, up to the order of object members. So an object member whose value is `undefined` is absent
 * (`{a: undefined}` equals `{}`: the API server never stores it), an `undefined` array element is `null`, and only
 * own members count (never `constructor` or anything else on the prototype).
 */

/** A plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The present members of an object: own keys whose value is not `undefined`. */
function presentKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).filter((k) => o[k] !== undefined);
}

/** An array element as JSON writes it: `undefined` becomes `null`. */
const element = (v: unknown): unknown => (v === undefined ? null : v);

/**
 * Structural equality of two JSON values, with the semantics in this module's header.
 *
 * @example jsonEqual({ a: 1, b: undefined }, { a: 1 }) // true
 * @example jsonEqual({ a: [1, 2] }, { a: [2, 1] }) // false: arrays are ordered
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => jsonEqual(element(x), element(b[i])));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = presentKeys(a);
    const kb = presentKeys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Deep copy of JSON data; `null` object members are dropped (Go decodes them as absent, as sluice does). */
export function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (isJsonObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = copyJson(v);
    return out;
  }
  return value;
}
