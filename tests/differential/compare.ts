/**
 * Normalising and comparing what Argo Rollouts and sluice wrote. Only times and the namespace name are normalised,
 * plus the fields the API server itself assigns (uid, resourceVersion, creationTimestamp, managedFields, a Service's
 * cluster IPs). Pod-template hashes are compared as they are: both sides compute the same.
 */
import { readFileSync } from 'node:fs';

const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g;
const SERVER_FIELDS = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generateName'];

/**
 * One object (or Event text) as compared: times and namespace replaced; server-assigned fields dropped. Pod-template
 * hashes are compared as written: sluice computes Argo's (tests/differential/argo-hash.test.ts).
 */
export function normalise(value: unknown, ns: string): unknown {
  const copy = structuredClone(value) as { metadata?: Record<string, unknown> };
  if (copy.metadata) {
    for (const f of SERVER_FIELDS) delete copy.metadata[f];
    const owners = copy.metadata['ownerReferences'] as { uid?: string }[] | undefined;
    for (const o of owners ?? []) delete o.uid;
  }
  const spec = (copy as { kind?: string; spec?: Record<string, unknown> }).spec;
  if ((copy as { kind?: string }).kind === 'Service' && spec) {
    delete spec['clusterIP'];
    delete spec['clusterIPs'];
  }
  const text = JSON.stringify(copy).replace(TIME, '{time}').split(ns).join('{ns}');
  return JSON.parse(text) as unknown;
}

/** `path → value` of every leaf; conditions are keyed by their type (`status.conditions[Healthy].reason`). */
export function flatten(
  value: unknown,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  if (Array.isArray(value)) {
    if (value.length === 0) out[prefix] = '[]';
    value.forEach((item, i) => {
      const key =
        prefix.endsWith('conditions') && item && typeof item === 'object' && 'type' in item
          ? String((item as { type: unknown }).type)
          : String(i);
      flatten(item, `${prefix}[${key}]`, out);
    });
    return out;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) out[prefix] = '{}';
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  out[prefix] = JSON.stringify(value);
  return out;
}

/** A field that differs: `kind` and `field` (indices generalised to `[]` except condition types) are its key. */
export interface Difference {
  kind: string;
  field: string;
  argo: string | undefined;
  sluice: string | undefined;
  where: string;
}

/** The key of a difference as the table lists it. */
export const differenceKey = (d: { kind: string; field: string }): string => `${d.kind} ${d.field}`;

const generalise = (field: string): string => field.replace(/\[\d+\]/g, '[]');

/** Field-by-field differences between two normalised objects of one kind. */
export function diffObjects(kind: string, where: string, argo: unknown, sluice: unknown): Difference[] {
  const a = argo === undefined ? {} : flatten(argo);
  const s = sluice === undefined ? {} : flatten(sluice);
  const out: Difference[] = [];
  for (const field of new Set([...Object.keys(a), ...Object.keys(s)])) {
    if (a[field] === s[field]) continue;
    out.push({ kind, field: generalise(field), argo: a[field], sluice: s[field], where });
  }
  return out;
}

/** Consecutive duplicates removed: the distinct states an object went through. */
export function distinct(states: unknown[]): string[] {
  const out: string[] = [];
  for (const s of states) {
    const text = JSON.stringify(s);
    if (out[out.length - 1] !== text) out.push(text);
  }
  return out;
}

/** One row of the differences table in docs/argo-differences.md. */
export interface TableRow {
  key: string;
  reason: string;
  /**
   * A difference that shows only in some runs, so it may be absent: an open sluice bug (its Why says "Open,
   * intermittent") or a race inside Argo's controller (its Why says "Intermittent in Argo").
   */
  intermittent: boolean;
}

/**
 * The rows between `<!-- differences:start -->` and `<!-- differences:end -->`: `| Kind | Field | Argo | sluice |
 * Why |`, the key being `Kind Field` without backticks.
 */
export function readTable(file: string): TableRow[] {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('<!-- differences:start -->');
  const end = text.indexOf('<!-- differences:end -->');
  if (start < 0 || end < start) throw new Error(`${file}: no differences table between the markers`);
  const rows: TableRow[] = [];
  for (const line of text.slice(start, end).split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim().replace(/`/g, ''));
    if (cells.length < 7 || cells[1] === 'Kind' || /^-+$/.test(cells[1] ?? '')) continue;
    const reason = cells[5] ?? '';
    rows.push({
      key: `${cells[1]} ${cells[2]}`,
      reason,
      intermittent: /^(Open, intermittent|Intermittent in Argo)\b/.test(reason),
    });
  }
  return rows;
}
