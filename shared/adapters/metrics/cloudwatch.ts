/**
 * The CloudWatch provider: one `GetMetricData` over `[now − interval, now]` (interval default 5m), the metric's
 * queries copied field for field, no paging, with the function's own AWS credentials. Bounded by the invocation's
 * deadline (the SDK call is aborted). The SDK module is loaded on the first CloudWatch measurement, so functions that
 * never measure CloudWatch do not pay for it at cold start.
 */
import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { cloudWatchMeasurement, type CloudWatchResult } from '../../core/analysis/cloudwatch-result.js';
import { formatTime, parseInterval } from '../../core/analysis/time.js';
import { intValue, type CloudWatchQuery, type Metric } from '../../core/analysis/types.js';
import type { MeasureResult } from '../../app/ports.js';
import type { CallContext } from './context.js';
import { ProviderCallError } from './http.js';

/** Argo's default look-back. */
export const DEFAULT_CLOUDWATCH_INTERVAL = '5m';

/** What the provider needs of a CloudWatch client (a `CloudWatchClient`, or a test double with the same shape). */
export type CloudWatchSender = Pick<CloudWatchClient, 'send'>;

/** Builds the client on first use (may load the SDK module then). */
export type CloudWatchFactory = () => CloudWatchSender | Promise<CloudWatchSender>;

const period = (v: CloudWatchQuery['period']): number | undefined =>
  v === undefined ? undefined : intValue(v, 0);

function toQuery(q: CloudWatchQuery): MetricDataQuery {
  const stat = q.metricStat;
  const m = stat?.metric;
  return {
    Id: q.id,
    ...(q.expression !== undefined ? { Expression: q.expression } : {}),
    ...(q.label !== undefined ? { Label: q.label } : {}),
    ...(q.returnData !== undefined ? { ReturnData: q.returnData } : {}),
    ...(q.period !== undefined ? { Period: period(q.period) } : {}),
    ...(stat
      ? {
          MetricStat: {
            Metric: {
              Namespace: m?.namespace,
              MetricName: m?.metricName,
              Dimensions: (m?.dimensions ?? []).map((d) => ({ Name: d.name, Value: d.value })),
            },
            Period: period(stat.period),
            Stat: stat.stat,
            ...(stat.unit !== undefined ? { Unit: stat.unit as never } : {}),
          },
        }
      : {}),
  };
}

const dateText = (d: Date): string => d.toISOString();

/**
 * Takes one CloudWatch measurement with `client`.
 *
 * @throws {@link ProviderCallError} when the call fails (the caller records an Error).
 */
export async function measureCloudWatch(
  metric: Metric,
  ctx: CallContext,
  client: CloudWatchSender,
): Promise<MeasureResult> {
  const c = metric.provider.cloudWatch ?? {};
  const started = ctx.now();
  const look = parseInterval(c.interval || DEFAULT_CLOUDWATCH_INTERVAL);
  if ('error' in look) throw new ProviderCallError(look.error);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, ctx.deadline - started));
  try {
    const { GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
    const out = await client.send(
      new GetMetricDataCommand({
        StartTime: new Date(started - look.ms),
        EndTime: new Date(started),
        MetricDataQueries: (c.metricDataQueries ?? []).map(toQuery),
      }),
      { abortSignal: controller.signal },
    );
    const results: CloudWatchResult[] = (out.MetricDataResults ?? []).map((r) => ({
      Id: r.Id ?? null,
      Label: r.Label ?? null,
      Values: r.Values ?? [],
      Timestamps: (r.Timestamps ?? []).map(dateText),
      StatusCode: r.StatusCode ?? null,
      Messages: (r.Messages ?? []).map((x) => ({ Code: x.Code ?? null, Value: x.Value ?? null })),
    }));
    const messages = (out.Messages ?? []).map((x) => ({ Code: x.Code ?? null, Value: x.Value ?? null }));
    const m = cloudWatchMeasurement(metric, results, messages, ctx.now());
    return { measurement: { ...m, startedAt: formatTime(started) } };
  } catch (err) {
    if (err instanceof ProviderCallError) throw err;
    const reason = controller.signal.aborted
      ? "context deadline exceeded (the invocation's remaining time ran out)"
      : `${(err as Error).name}: ${(err as Error).message}`;
    throw new ProviderCallError(`operation error CloudWatch: GetMetricData, ${reason}`);
  } finally {
    clearTimeout(timer);
  }
}
