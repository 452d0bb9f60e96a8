/**
 * The pure half of the web provider: an HTTP answer (status and body, already size-capped by the caller) → a
 * measurement. JSON bodies go through `jsonPath` (default `{$}`; the first value of the first non-empty match) and are
 * stored as Go's `json.Marshal` writes them. Non-JSON or empty bodies are the string `result` and the conditions are
 * evaluated on it (Argo v1.10 and earlier marked them Successful whatever the conditions said, #4535).
 * A literal `null` body, which crashes Argo's controller, is an Error measurement here.
 * Pure module: no I/O imports.
 */
import { assess } from './assess.js';
import { goJson } from './go-format.js';
import { formatTime } from './time.js';
import type { Measurement, Metric } from './types.js';

type Found = { values: unknown[] } | { error: string };

function segments(expr: string): string[] | undefined {
  const out: string[] = [];
  let rest = expr.replace(/^\$/, '');
  while (rest !== '') {
    const m = /^\.([A-Za-z0-9_-]+)|^\[(\d+|\*)\]|^\['([^']*)'\]|^\.\*/.exec(rest);
    if (!m) return undefined;
    out.push(m[1] ?? m[3] ?? (m[2] !== undefined ? `[${m[2]}]` : '[*]'));
    rest = rest.slice(m[0].length);
  }
  return out;
}

function walk(root: unknown, path: string[]): Found {
  let nodes: unknown[] = [root];
  for (const seg of path) {
    const next: unknown[] = [];
    for (const node of nodes) {
      const index = /^\[(\d+)\]$/.exec(seg)?.[1];
      if (seg === '[*]') {
        if (Array.isArray(node)) next.push(...(node as unknown[]));
        else if (typeof node === 'object' && node !== null) next.push(...Object.values(node));
      } else if (index !== undefined) {
        if (!Array.isArray(node)) return { error: `not an array: ${seg}` };
        const i = Number(index);
        if (i >= node.length)
          return { error: `array index out of bounds: index ${i}, length ${node.length}` };
        next.push(node[i]);
      } else if (
        typeof node === 'object' &&
        node !== null &&
        !Array.isArray(node) &&
        Object.prototype.hasOwnProperty.call(node, seg)
      ) {
        next.push((node as Record<string, unknown>)[seg]);
      } else {
        return { error: `${seg} is not found` };
      }
    }
    nodes = next;
  }
  return { values: nodes };
}

/**
 * Applies a client-go style JSONPath template to decoded JSON: `{$}`, `{.a.b}`, `{$.items[0].v}`, `{$.items[*].v}`,
 * `{$['key']}`; text without braces is a literal string. Anything else is refused, never guessed.
 */
export function jsonPathValue(
  doc: unknown,
  template: string | undefined,
): { value: unknown } | { error: string } {
  const t = template ?? '{$}';
  if (!t.includes('{')) return { value: t };
  const m = /^\{\s*([^{}]*?)\s*\}$/.exec(t);
  const path = m ? segments(m[1] ?? '') : undefined;
  if (!path) return { error: `unsupported jsonPath ${JSON.stringify(t)}` };
  const found = walk(doc, path);
  if ('error' in found) return { error: `Could not find JSONPath in body: ${found.error}` };
  if (found.values.length === 0) return { error: 'result of web metric produced no value' };
  return { value: found.values[0] };
}

/** A web measurement from the response the caller received at `now`. */
export function webMeasurement(
  metric: Metric,
  response: { status: number; body: string },
  now: number,
): Measurement {
  const at = formatTime(now);
  const error = (message: string): Measurement => ({
    phase: 'Error',
    message,
    startedAt: at,
    finishedAt: at,
  });
  if (response.status < 200 || response.status > 299)
    return error(`received non 2xx response code: ${response.status}`);
  let doc: unknown;
  let json = true;
  try {
    doc = JSON.parse(response.body);
  } catch {
    json = false;
  }
  let result: unknown = response.body;
  let value = response.body;
  if (json) {
    if (doc === null) return error('web metric body is JSON null: no value to evaluate');
    const picked = jsonPathValue(doc, metric.provider.web?.jsonPath);
    if ('error' in picked) return error(picked.error);
    result = picked.value;
    value = goJson(result);
  }
  const verdict = assess(metric, result);
  if (verdict.phase === 'Error') return error(verdict.message ?? '');
  return { phase: verdict.phase, value, startedAt: at, finishedAt: at };
}
