/**
 * Argo's `ValidateMetrics`: the checks every AnalysisRun pass makes on its resolved metrics, first error only, with
 * Argo's messages (reported by the run as `Analysis spec invalid: <message>`). Pure module: no I/O imports.
 */
import { authenticationProblem } from './provider-auth.js';
import { parseInterval } from './time.js';
import { intValue, type Metric } from './types.js';

/** Every provider Argo knows; exactly one must be set. */
export const PROVIDERS = [
  'prometheus',
  'web',
  'cloudWatch',
  'job',
  'kayenta',
  'datadog',
  'wavefront',
  'newRelic',
  'graphite',
  'influxdb',
  'skywalking',
  'plugin',
] as const;

/** The providers sluice measures with; the others Argo knows make an Error measurement. */
export type SluiceProvider = 'prometheus' | 'web' | 'cloudWatch';

/**
 * Which provider block a metric uses, or the reason sluice cannot measure with it: none of its providers applies,
 * or its credentials settings are incomplete or conflicting (`authenticationProblem`). The message of the Error
 * measurement such a metric gets, and of `sluice validate`.
 */
export function sluiceProvider(metric: Metric): SluiceProvider | { error: string } {
  const p = (metric.provider ?? {}) as Record<string, unknown>;
  const set = PROVIDERS.filter((k) => p[k] !== undefined && p[k] !== null);
  if (set.length > 1) return { error: `multiple providers specified in metric '${metric.name}'` };
  const one = set[0];
  if (one === 'prometheus' || one === 'web' || one === 'cloudWatch') {
    const auth = authenticationProblem(metric);
    return auth ? { error: auth } : one;
  }
  if (one) return { error: `metric provider "${one}" is not supported by sluice (metric '${metric.name}')` };
  return { error: `no valid provider in metric '${metric.name}'` };
}

/** The prefix Argo puts before a validation or rule error in the run's message. */
export const SPEC_INVALID = 'Analysis spec invalid: ';

function countCheck(metric: Metric): string | undefined {
  const count = intValue(metric.count, 0);
  if (count <= 0) return undefined;
  const fl = intValue(metric.failureLimit, 0);
  const csl = intValue(metric.consecutiveSuccessLimit, 0);
  const il = intValue(metric.inconclusiveLimit, 0);
  if (fl >= 0 && count < fl + csl) {
    return `count (${count}) must be >= failureLimit + consecutiveSuccessLimit (${fl} + ${csl}) if both >= 0`;
  }
  if (fl < 0 && count < csl) return 'count must be >= consecutiveSuccessLimit';
  if (count < il) return 'count must be >= inconclusiveLimit';
  return undefined;
}

function providerCount(metric: Metric): number {
  const p = (metric.provider ?? {}) as Record<string, unknown>;
  return PROVIDERS.filter((k) => {
    const v = p[k];
    if (v === undefined || v === null) return false;
    return k !== 'plugin' || Object.keys(v as object).length > 0;
  }).length;
}

/**
 * One metric's checks, in Argo's order; the message without the `metrics[i]: ` prefix.
 */
export function validateMetric(metric: Metric): string | undefined {
  return limitsCheck(metric) ?? countCheck(metric) ?? timingCheck(metric) ?? providerCheck(metric);
}

/** The limits: none negative (`failureLimit` may be -1), not both of failure and consecutive success disabled. */
function limitsCheck(metric: Metric): string | undefined {
  const csl = intValue(metric.consecutiveSuccessLimit, 0);
  const fl = intValue(metric.failureLimit, 0);
  if (csl < 0) return 'consecutiveSuccessLimit must be >= 0';
  if (fl < -1) return 'failureLimit must be >= 0, or -1 to be disabled';
  if (fl === -1 && csl === 0) return 'failureLimit and consecutiveSuccessLimit cannot both be disabled';
  if (intValue(metric.inconclusiveLimit, 0) < 0) return 'inconclusiveLimit must be >= 0';
  if (metric.consecutiveErrorLimit !== undefined && intValue(metric.consecutiveErrorLimit, 0) < 0) {
    return 'consecutiveErrorLimit must be >= 0';
  }
  return undefined;
}

/** An interval when `count` > 1, and readable `interval` and `initialDelay` strings. */
function timingCheck(metric: Metric): string | undefined {
  if (intValue(metric.count, 0) > 1 && !metric.interval) return 'interval must be specified when count > 1';
  for (const [field, label] of [
    ['interval', 'interval'],
    ['initialDelay', 'startDelay'],
  ] as const) {
    const v = metric[field];
    if (!v) continue;
    const p = parseInterval(v);
    if ('error' in p) return `invalid ${label} string: ${p.error}`;
  }
  return undefined;
}

/** Exactly one provider. */
function providerCheck(metric: Metric): string | undefined {
  const providers = providerCount(metric);
  if (providers === 0) return 'no provider specified';
  if (providers > 1) return 'multiple providers specified';
  return undefined;
}

/**
 * Validates a run's metrics: at least one, unique names, each metric valid. `opts.valuesKnown` (a template's
 * metrics, before a run resolves its args) skips the value checks of a metric for which it returns false.
 *
 * @returns Argo's message for the first problem, `undefined` when valid.
 * @example
 * ```ts
 * validateMetrics([{ name: 'm', count: 1, failureLimit: 2, provider: { web: {} } }])
 * // 'metrics[0]: count (1) must be >= failureLimit + consecutiveSuccessLimit (2 + 0) if both >= 0'
 * ```
 */
export function validateMetrics(
  metrics: Metric[],
  opts: { valuesKnown?: (metric: Metric) => boolean } = {},
): string | undefined {
  if (metrics.length === 0) return 'no metrics specified';
  const seen = new Set<string>();
  for (const [i, metric] of metrics.entries()) {
    if (seen.has(metric.name)) return `metrics[${i}]: duplicate name '${metric.name}'`;
    seen.add(metric.name);
    const problem = opts.valuesKnown?.(metric) === false ? undefined : validateMetric(metric);
    if (problem) return `metrics[${i}]: ${problem}`;
  }
  return undefined;
}
