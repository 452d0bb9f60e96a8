/**
 * `dryRun[]` and `measurementRetention[]` rules. A rule's `metricName` is an unanchored regular expression (`.*`
 * matches every metric, `rate` matches `error-rate`); an invalid one (such as `*`) matches nothing, which makes the
 * run invalid ("Rule didn't match any metric name(s)"), as in Argo. Pure module: no I/O imports.
 */
import type { DryRun, MeasurementRetention, Metric, MetricResult } from './types.js';

/** Measurements kept per metric when no retention rule matches. */
export const DEFAULT_MEASUREMENT_LIMIT = 10;

/** Whether a rule's pattern matches a metric name (unanchored; an invalid pattern matches nothing). */
export function ruleMatches(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(name);
  } catch {
    return false;
  }
}

/**
 * The names of dry-run metrics.
 *
 * @returns the names, or the first rule that matches no metric (`dryRun[i]: Rule didn't match any metric name(s)`).
 */
export function dryRunMetrics(
  metrics: Metric[],
  rules: DryRun[] | undefined,
): { names: Set<string> } | { error: string } {
  const names = new Set<string>();
  for (const [i, rule] of (rules ?? []).entries()) {
    const hits = metrics.filter((m) => ruleMatches(rule.metricName, m.name));
    if (hits.length === 0) return { error: `dryRun[${i}]: Rule didn't match any metric name(s)` };
    for (const m of hits) names.add(m.name);
  }
  return { names };
}

/**
 * The retention limit per metric name (the last matching rule wins); metrics with no rule are absent.
 *
 * @returns the limits, or the first rule that matches no metric.
 */
export function retentionLimits(
  metrics: Metric[],
  rules: MeasurementRetention[] | undefined,
): { limits: Map<string, number> } | { error: string } {
  const limits = new Map<string, number>();
  for (const [i, rule] of (rules ?? []).entries()) {
    const hits = metrics.filter((m) => ruleMatches(rule.metricName, m.name));
    if (hits.length === 0)
      return { error: `measurementRetention[${i}]: Rule didn't match any metric name(s)` };
    for (const m of hits) limits.set(m.name, rule.limit);
  }
  return { limits };
}

/**
 * Keeps the newest measurements of each result: the metric's retention limit when above 0, else
 * {@link DEFAULT_MEASUREMENT_LIMIT}. Counters keep their totals. Argo skips this when a provider cannot be built,
 * letting a run grow without bound (#3259); sluice always trims, so callers run it on every pass whatever happened.
 */
export function trimMeasurements(results: MetricResult[], limits: Map<string, number>): MetricResult[] {
  return results.map((r) => {
    const configured = limits.get(r.name) ?? 0;
    const keep = configured > 0 ? configured : DEFAULT_MEASUREMENT_LIMIT;
    const list = r.measurements ?? [];
    return list.length > keep ? { ...r, measurements: list.slice(list.length - keep) } : r;
  });
}
