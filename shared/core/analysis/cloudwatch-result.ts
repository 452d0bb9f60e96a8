/**
 * The pure half of the CloudWatch provider: a `GetMetricData` answer → a measurement. Conditions see `result` as Argo's
 * list of `MetricDataResult` structs (`result[0].Values`, `result[0].Label`, ...), newest value first as AWS returns
 * it; `value` is Go's `%+v` of the values, `[[0.1 0.2 0.3]]`, kept when only the evaluation failed. The answer's
 * messages go to `metadata.messages` as text (Argo writes pointer addresses there). Pure module: no I/O imports.
 */
import { assess } from './assess.js';
import { goFloatV } from './go-format.js';
import { formatTime } from './time.js';
import type { Measurement, Metric } from './types.js';

/** One `MetricDataResult`, with Go's field names. */
export interface CloudWatchResult {
  Id: string | null;
  Label: string | null;
  Values: number[];
  /** RFC 3339 timestamps, one per value. */
  Timestamps: string[];
  StatusCode: string | null;
  Messages: { Code: string | null; Value: string | null }[];
}

/** Go's `%+v` of `[][]float64`. */
export function cloudWatchValue(results: CloudWatchResult[]): string {
  return `[${results.map((r) => `[${r.Values.map(goFloatV).join(' ')}]`).join(' ')}]`;
}

/** A CloudWatch measurement from the answer received at `now`. */
export function cloudWatchMeasurement(
  metric: Pick<Metric, 'successCondition' | 'failureCondition'>,
  results: CloudWatchResult[],
  messages: { Code: string | null; Value: string | null }[],
  now: number,
): Measurement {
  const at = formatTime(now);
  const value = cloudWatchValue(results);
  const metadata =
    messages.length > 0
      ? {
          metadata: {
            messages: `[${messages.map((m) => `{Code:${m.Code ?? ''} Value:${m.Value ?? ''}}`).join(' ')}]`,
          },
        }
      : {};
  const verdict = assess(metric, results);
  if (verdict.phase === 'Error')
    return {
      phase: 'Error',
      message: verdict.message ?? '',
      value,
      startedAt: at,
      finishedAt: at,
      ...metadata,
    };
  return { phase: verdict.phase, value, startedAt: at, finishedAt: at, ...metadata };
}
