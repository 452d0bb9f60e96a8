/**
 * Field errors printed the way Kubernetes' `k8s.io/apimachinery/pkg/util/validation/field` prints them, which is
 * what Argo Rollouts puts into its InvalidSpec condition:
 *
 * - `<path>: Invalid value: <value>: <detail>`: strings are Go-quoted (`%q`), numbers and booleans bare (`%v`),
 *   structs and maps in Go's `%#v` syntax (pointers dereferenced, nil pointers print as `"null"`);
 * - `<path>: Required value: <detail>` (or just `Required value` without a detail);
 * - `<path>: Internal error: <detail>`;
 * - `<path>: Unsupported value: <value>: supported values: "a", "b"`.
 *
 * Pure module: no I/O imports.
 */

/** A value already rendered in Go's `%#v` syntax (structs, maps, slices). */
export class GoLiteral {
  constructor(readonly text: string) {}
}

/** A bad value as field.Invalid receives it. `null` stands for a nil pointer. */
export type BadValue = string | number | boolean | null | GoLiteral;

/** Go's `strconv.Quote` for the characters that occur in manifests. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function renderValue(value: BadValue): string {
  if (value === null) return goQuote('null');
  if (value instanceof GoLiteral) return value.text;
  if (typeof value === 'string') return goQuote(value);
  return String(value);
}

/** `field.Invalid(path, value, detail).Error()`. */
export function invalid(path: string, value: BadValue, detail: string): string {
  return `${path}: Invalid value: ${renderValue(value)}${detail ? `: ${detail}` : ''}`;
}

/** `field.Required(path, detail).Error()`. */
export function required(path: string, detail = ''): string {
  return `${path}: Required value${detail ? `: ${detail}` : ''}`;
}

/** `field.InternalError(path, errors.New(detail)).Error()`. */
export function internal(path: string, detail: string): string {
  return `${path}: Internal error: ${detail}`;
}

/** `field.NotSupported(path, value, supported).Error()`. */
export function notSupported(path: string, value: string, supported: string[]): string {
  return `${path}: Unsupported value: ${goQuote(value)}: supported values: ${supported.map(goQuote).join(', ')}`;
}

/** `%#v` of a `map[string]string` (Go prints map keys sorted); `undefined` is a nil map. */
export function goStringMap(map: Record<string, string> | undefined): GoLiteral {
  if (map === undefined) return new GoLiteral('map[string]string(nil)');
  const entries = Object.keys(map)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(map[k] ?? '')}`);
  return new GoLiteral(`map[string]string{${entries.join(', ')}}`);
}

/** `%#v` of a `v1alpha1.StringMatch`; `undefined` is a nil pointer (prints `"null"`). */
export function goStringMatch(m: { exact?: string; prefix?: string; regex?: string } | undefined): BadValue {
  if (m === undefined) return null;
  return new GoLiteral(
    `v1alpha1.StringMatch{Exact:${goQuote(m.exact ?? '')}, Prefix:${goQuote(m.prefix ?? '')}, Regex:${goQuote(m.regex ?? '')}}`,
  );
}

/** `%#v` of an `intstr.IntOrString` (Type 0 = Int, 1 = String). */
export function goIntOrString(v: number | string): GoLiteral {
  return typeof v === 'number'
    ? new GoLiteral(`intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`)
    : new GoLiteral(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`);
}

/** `%#v` of a `metav1.LabelSelector` with no requirements (the only shape printed by the empty-selector check). */
export function goEmptyLabelSelector(sel: { matchLabels?: unknown; matchExpressions?: unknown }): GoLiteral {
  const labels = sel.matchLabels === undefined ? 'map[string]string(nil)' : 'map[string]string{}';
  const exprs =
    sel.matchExpressions === undefined
      ? '[]v1.LabelSelectorRequirement(nil)'
      : '[]v1.LabelSelectorRequirement{}';
  return new GoLiteral(`v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${exprs}}`);
}

/** `field.Forbidden(path, detail).Error()`. */
export function forbidden(path: string, detail: string): string {
  return `${path}: Forbidden: ${detail}`;
}
