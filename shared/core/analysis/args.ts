/**
 * Arguments: merging a Rollout's args into a template's, resolving their values (Secrets through an injected
 * lookup, so this module stays pure) and substituting `{{args.name}}` anywhere in a metric as Argo does — the whole
 * metric is rendered as JSON, each tag replaced by the value escaped as inside a Go string literal, and the JSON read
 * back. Pure module: no I/O imports.
 */
import type { Argument, Metric } from './types.js';

/** The placeholder Argo uses for Secret args when only deciding what is due. */
export const SECRET_PLACEHOLDER = 'temp-for-secret';

/** Reads one Secret key for the run's namespace: the value, or Argo's error text. */
export type SecretLookup = (name: string, key: string) => { value: string } | { error: string };

/**
 * Argo's `MergeArgs`: the template's args, each overridden by the Rollout's arg of the same name (its `value`, else
 * its `valueFrom`); Rollout args no template declares are dropped. Every arg then needs a value or a source.
 *
 * @returns the merged args or `args.<name> was not resolved`.
 */
export function mergeArgs(
  incoming: Argument[],
  template: Argument[],
): { args: Argument[] } | { error: string } {
  const args = template.map((a) => ({ ...a }));
  for (const arg of incoming) {
    const target = args.find((a) => a.name === arg.name);
    if (!target) continue;
    if (arg.value !== undefined) target.value = arg.value;
    else if (arg.valueFrom !== undefined) target.valueFrom = arg.valueFrom;
  }
  const missing = args.find((a) => a.value === undefined && a.valueFrom === undefined);
  return missing ? { error: `args.${missing.name} was not resolved` } : { args };
}

/**
 * The value of each arg: a Secret reference through `lookup` (or {@link SECRET_PLACEHOLDER} without one, as Argo
 * does when only scheduling), else the plain value (a Secret wins over a value set on the same arg, as in Argo).
 *
 * @returns the values by name and the Secret values read (to mask them in messages), or the first error.
 */
export function argValues(
  args: Argument[],
  lookup?: SecretLookup,
): { values: Map<string, string>; secrets: string[] } | { error: string } {
  const values = new Map<string, string>();
  const secrets: string[] = [];
  for (const arg of args) {
    const ref = arg.valueFrom?.secretKeyRef;
    if (ref) {
      if (!lookup) {
        values.set(arg.name, SECRET_PLACEHOLDER);
        continue;
      }
      const got = lookup(ref.name, ref.key);
      if ('error' in got) return { error: got.error };
      values.set(arg.name, got.value);
      secrets.push(got.value);
      continue;
    }
    if (arg.value === undefined) return { error: `argument "${arg.name}" was not supplied` };
    values.set(arg.name, arg.value);
  }
  return { values, secrets };
}

/** Go's `strconv.Quote` without the outer quotes. */
function goEscape(s: string): string {
  const named: Record<string, string> = {
    '\x07': '\\a',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\v': '\\v',
    '"': '\\"',
    '\\': '\\\\',
  };
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (named[ch]) out += named[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

const FIELD_ORDER = [
  'name',
  'interval',
  'initialDelay',
  'count',
  'successCondition',
  'failureCondition',
  'failureLimit',
  'inconclusiveLimit',
  'consecutiveErrorLimit',
  'provider',
  'consecutiveSuccessLimit',
];

/** The metric as Go's `json.Marshal` orders it. */
function metricJson(metric: Metric): string {
  const m = metric as unknown as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const k of [...FIELD_ORDER, ...Object.keys(m).filter((k) => !FIELD_ORDER.includes(k))]) {
    if (m[k] !== undefined) ordered[k] = m[k];
  }
  return JSON.stringify(ordered);
}

/**
 * Argo's `ResolveMetricArgs`: substitutes every `{{args.x}}` tag (whitespace inside the braces ignored) in any field of
 * the metric.
 *
 * @returns the resolved metric, or `failed to resolve {{tag}}` naming the last unresolved tag, or the error of an
 *   unclosed tag or of a value JSON cannot hold after Go's escaping.
 */
export function resolveMetricArgs(
  metric: Metric,
  values: Map<string, string>,
): { metric: Metric } | { error: string } {
  const text = metricJson(metric);
  let out = '';
  let unresolved: string | undefined;
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) break;
    const close = text.indexOf('}}', open + 2);
    if (close < 0) {
      return {
        error: `cannot find end tag="}}" in the template=${JSON.stringify(text)} starting from ${JSON.stringify(text.slice(open + 2))}`,
      };
    }
    out += text.slice(i, open);
    const raw = text.slice(open + 2, close);
    const tag = raw.trim();
    const value = tag.startsWith('args.') ? values.get(tag.slice(5)) : undefined;
    if (value === undefined) unresolved = raw;
    else out += goEscape(value);
    i = close + 2;
  }
  out += text.slice(i);
  if (unresolved !== undefined) return { error: `failed to resolve {{${unresolved}}}` };
  try {
    return { metric: JSON.parse(out) as Metric };
  } catch {
    const bad = /\\([^"\\/bfnrtu])/.exec(out)?.[1] ?? '?';
    return { error: `invalid character '${bad}' in string escape code` };
  }
}

/**
 * Resolves every metric of a run (Argo's reconcile step 1): arg values first, then substitution.
 *
 * @returns the resolved metrics and the Secret values used, or `Unable to resolve metric arguments: <error>`.
 */
export function resolveMetrics(
  metrics: Metric[],
  args: Argument[],
  lookup?: SecretLookup,
): { metrics: Metric[]; secrets: string[] } | { error: string } {
  const wrap = (e: string): { error: string } => ({ error: `Unable to resolve metric arguments: ${e}` });
  const got = argValues(args, lookup);
  if ('error' in got) return wrap(got.error);
  const out: Metric[] = [];
  for (const metric of metrics) {
    const r = resolveMetricArgs(metric, got.values);
    if ('error' in r) return wrap(r.error);
    out.push(r.metric);
  }
  return { metrics: out, secrets: got.secrets };
}
