/**
 * Go's `encoding/json.Marshal` of a typed Kubernetes value, reproduced from the JSON the API server returned and a
 * table of the Go structs (generated from the Go types: go-pod-template.generated.ts). It follows what a Go client
 * does with that JSON: decode it into the struct (unknown members dropped, keys matched case-sensitively, `null` =
 * the zero value), then marshal it (fields in Go order, `omitempty` / `omitzero`, zero structs written, map keys
 * sorted, `<>&` escaped, custom marshalers of Quantity, IntOrString, metav1.Time and FieldsV1).
 *
 * A value Go's decoder would refuse (a string where a number is expected, a malformed quantity or time) gives
 * `undefined`: the caller decides what to do without Go's answer. Pure module: no I/O imports.
 */
import { canonicalQuantity } from './quantity.js';

/** One struct field: JSON name, type (see the generated table's header), `omitempty`, `omitzero`. */
export type GoField = readonly [json: string, type: string, omitEmpty: boolean, omitZero: boolean];

/** Struct name → its fields in Go declaration order. */
export type GoStructTable = Readonly<Record<string, readonly GoField[]>>;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Go's `encoding/json` string: HTML-safe (`<`, `>`, `&` as `\u003c`...), U+2028/2029 escaped, and a lone UTF-16
 * surrogate (invalid UTF-8 for Go) written as U+FFFD.
 */
export function goJsonString(s: string): string {
  return JSON.stringify(s.replace(LONE_SURROGATE, '\uFFFD')).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Byte-wise order of Go's sorted map keys (UTF-8 order; equal to code point order). */
function goKeyOrder(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const absent = (v: unknown): boolean => v === undefined || v === null;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** RFC 3339 as Go's `time.Parse(time.RFC3339, …)` accepts it, written back as `t.UTC().Format(time.RFC3339)`. */
function goTime(v: unknown): string | undefined {
  if (absent(v)) return 'null';
  const m = typeof v === 'string' ? RFC3339.exec(v) : null;
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, oh, om] = [1, 2, 3, 4, 5, 6, 8, 9].map((i) => Number(m[i] ?? 0)) as number[];
  const t = new Date(0);
  t.setUTCFullYear(y!, mo! - 1, d!);
  t.setUTCHours(h!, mi!, s!, 0);
  const valid = t.getUTCMonth() === mo! - 1 && t.getUTCDate() === d! && h! < 24 && mi! < 60 && s! < 60;
  if (!valid) return undefined;
  t.setUTCMinutes(t.getUTCMinutes() - (m[7] === '-' ? -1 : 1) * (oh! * 60 + om!));
  const iso = t.toISOString();
  if (!/^\d{4}-/.test(iso)) return undefined;
  // Go's zero time (0001-01-01T00:00:00Z) is written as null.
  return iso.startsWith('0001-01-01T00:00:00') ? 'null' : goJsonString(iso.replace(/\.\d{3}Z$/, 'Z'));
}

/** JSON of any value as received (FieldsV1 keeps the server's raw bytes, in their order). */
function rawJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(rawJson).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .map((k) => `${goJsonString(k)}:${rawJson(v[k])}`)
      .join(',')}}`;
  return typeof v === 'string' ? goJsonString(v) : JSON.stringify(v ?? null);
}

function quantity(v: unknown): string | undefined {
  if (absent(v)) return '"0"';
  const q = typeof v === 'string' || typeof v === 'number' ? canonicalQuantity(v) : undefined;
  return q === undefined ? undefined : goJsonString(q);
}

const int = (v: unknown): string | undefined => (Number.isSafeInteger(v) ? String(v) : undefined);

/** The types written without a struct table: Go kinds and the custom marshalers (absent or null = zero value). */
const SCALARS: Record<string, (v: unknown) => string | undefined> = {
  string: (v) => (absent(v) ? '""' : typeof v === 'string' ? goJsonString(v) : undefined),
  bool: (v) => (absent(v) ? 'false' : typeof v === 'boolean' ? String(v) : undefined),
  int: (v) => (absent(v) ? '0' : int(v)),
  Quantity: quantity,
  IntOrString: (v) => (absent(v) ? '0' : typeof v === 'string' ? goJsonString(v) : int(v)),
  Time: goTime,
  FieldsV1: rawJson,
};

/** Go's `isEmptyValue` (for `omitempty`) of the decoded value. */
function isEmpty(type: string, v: unknown): boolean {
  if (type.startsWith('*')) return absent(v);
  if (type.startsWith('[]')) return absent(v) || (Array.isArray(v) && v.length === 0);
  if (type.startsWith('map[]')) return absent(v) || (isObject(v) && Object.keys(v).length === 0);
  if (type === 'string' || type === 'bool' || type === 'int')
    return absent(v) || v === '' || v === false || v === 0;
  return false;
}

/** `omitzero`, where the generator allows it: pointers and metav1.Time (its IsZero). */
function isZero(type: string, v: unknown): boolean {
  return type === 'Time' ? goTime(v) === 'null' : absent(v);
}

function marshalSlice(table: GoStructTable, elem: string, v: unknown): string | undefined {
  if (absent(v)) return 'null';
  if (!Array.isArray(v)) return undefined;
  const items = v.map((item) => marshal(table, elem, item));
  return items.includes(undefined) ? undefined : `[${items.join(',')}]`;
}

function marshalMap(table: GoStructTable, elem: string, v: unknown): string | undefined {
  if (absent(v)) return 'null';
  if (!isObject(v)) return undefined;
  const entries = Object.keys(v)
    .sort(goKeyOrder)
    .map((k) => [k, marshal(table, elem, v[k])] as const);
  if (entries.some(([, s]) => s === undefined)) return undefined;
  return `{${entries.map(([k, s]) => `${goJsonString(k)}:${s}`).join(',')}}`;
}

function marshalStruct(table: GoStructTable, fields: readonly GoField[], v: unknown): string | undefined {
  if (!absent(v) && !isObject(v)) return undefined;
  const obj = (v ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  for (const [name, fieldType, omitEmpty, omitZero] of fields) {
    const fv = Object.hasOwn(obj, name) ? obj[name] : undefined;
    if ((omitEmpty && isEmpty(fieldType, fv)) || (omitZero && isZero(fieldType, fv))) continue;
    const s = marshal(table, fieldType, fv);
    if (s === undefined) return undefined;
    parts.push(`${goJsonString(name)}:${s}`);
  }
  return `{${parts.join(',')}}`;
}

/** Marshals `v` as Go type `type`; undefined where Go's decoder would fail. */
function marshal(table: GoStructTable, type: string, v: unknown): string | undefined {
  if (type.startsWith('*')) return absent(v) ? 'null' : marshal(table, type.slice(1), v);
  if (type.startsWith('[]')) return marshalSlice(table, type.slice(2), v);
  if (type.startsWith('map[]')) return marshalMap(table, type.slice(5), v);
  const fields = table[type];
  if (fields) return marshalStruct(table, fields, v);
  return SCALARS[type]?.(v);
}

/**
 * The JSON Go's `json.Marshal` writes for `value` decoded into the Go type `type` of `table`; undefined where Go's
 * decoder would refuse `value`.
 *
 * @example
 * goMarshal(GO_STRUCTS, POD_TEMPLATE_SPEC, { spec: { containers: [{ name: 'a' }] } })
 * // '{"metadata":{},"spec":{"containers":[{"name":"a","resources":{}}]}}'
 */
export function goMarshal(table: GoStructTable, type: string, value: unknown): string | undefined {
  return marshal(table, type, value);
}
