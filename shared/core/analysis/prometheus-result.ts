/**
 * The pure half of the Prometheus provider: the `data` of an instant or range query answer → a measurement. A scalar
 * is a float64 `result`, a vector or matrix a list of floats in answer order (all series flattened), even for one
 * sample; `value` is written as Go's `FormatFloat(v, 'f', -1, 64)` (`10`, `0.95`, `NaN`, `+Inf`, `[10,11]`, `[]`).
 * Pure module: no I/O imports.
 */
import { assess } from './assess.js';
import { goQuote } from '../model/field-error.js';
import { goFloatF } from './go-format.js';
import { formatTime } from './time.js';
import type { Measurement, Metric } from './types.js';

/** The `data` object of a Prometheus query answer. */
export interface PrometheusData {
  resultType?: string;
  result?: unknown;
}

function sample(pair: unknown): number {
  const text = Array.isArray(pair) ? pair[1] : undefined;
  if (typeof text !== 'string') return NaN;
  if (/^[+]?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  return Number(text);
}

/** The `result` conditions see, or `undefined` for a type Argo does not support. */
export function prometheusResult(data: PrometheusData): number | number[] | undefined {
  const r = data.result;
  if (data.resultType === 'scalar') return sample(r);
  if (data.resultType === 'vector' && Array.isArray(r))
    return r.map((s: { value?: unknown }) => sample(s?.value));
  if (data.resultType === 'matrix' && Array.isArray(r)) {
    return r.flatMap((s: { values?: unknown }) => (Array.isArray(s?.values) ? s.values.map(sample) : []));
  }
  return undefined;
}

/** A Prometheus measurement from the answer the caller received at `now` (warnings go to `metadata.warnings`). */
export function prometheusMeasurement(
  metric: Metric,
  data: PrometheusData,
  now: number,
  warnings: string[] = [],
): Measurement {
  const at = formatTime(now);
  const metadata = warnings.length > 0 ? { metadata: { warnings: warnings.map(goQuote).join(', ') } } : {};
  const result = prometheusResult(data);
  if (result === undefined) {
    return {
      phase: 'Error',
      message: 'Prometheus metric type not supported',
      startedAt: at,
      finishedAt: at,
      ...metadata,
    };
  }
  const verdict = assess(metric, result);
  if (verdict.phase === 'Error')
    return { phase: 'Error', message: verdict.message ?? '', startedAt: at, finishedAt: at, ...metadata };
  const value = Array.isArray(result) ? `[${result.map(goFloatF).join(',')}]` : goFloatF(result);
  return { phase: verdict.phase, value, startedAt: at, finishedAt: at, ...metadata };
}
