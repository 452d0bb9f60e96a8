/**
 * The real metric providers behind the `MetricProviders` port: one `measure()` that dispatches on the metric's
 * provider block (prometheus, web, cloudWatch) and never throws — anything that keeps a measurement from being
 * judged becomes an Error measurement whose message says what failed. A call is bounded by the request's deadline and
 * made once: no retry turns into a second measurement.
 */
import { formatTime } from '../../core/analysis/time.js';
import { sluiceProvider } from '../../core/analysis/validate.js';
import type { MeasureRequest, MeasureResult, MetricProviders } from '../../app/ports.js';
import { PUBLIC_ONLY, type AllowList } from './allow-list.js';
import { measureCloudWatch, type CloudWatchFactory, type CloudWatchSender } from './cloudwatch.js';
import type { AwsSigning, CallContext } from './context.js';
import { systemResolver, type Resolver } from './http.js';
import { OAuth2TokenCache } from './oauth2.js';
import { measurePrometheus } from './prometheus.js';
import { measureWeb } from './web.js';

/** Response bodies longer than this are an Error measurement (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Redirects followed per call (each target checked against the allow-list). */
export const MAX_REDIRECTS = 10;

/** How the providers of one control plane are set up. */
export interface MetricProvidersOptions {
  /** The operator's allowed non-public addresses of a cluster; `undefined`: public addresses only. */
  allowList: (cluster: string) => AllowList | undefined;
  /** The function's AWS identity for SigV4 (Amazon Managed Service for Prometheus), and the roles it may assume. */
  aws?: AwsSigning;
  /** The CloudWatch client (built on first use; the function's credentials and region). */
  cloudWatch?: CloudWatchFactory;
  resolve?: Resolver;
  maxBodyBytes?: number;
  maxRedirects?: number;
  now?: () => number;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The providers over `opts`.
 *
 * @example
 * const metrics = createMetricProviders({ allowList: (c) => lists.get(c) });
 * const { measurement } = await metrics.measure({ cluster, namespace, metric, deadline: Date.now() + 20_000 });
 */
export function createMetricProviders(opts: MetricProvidersOptions): MetricProviders {
  const now = opts.now ?? Date.now;
  let cloudWatch: Promise<CloudWatchSender> | undefined;
  const tokens = new OAuth2TokenCache();
  const context = (req: MeasureRequest): CallContext => ({
    policy: {
      allow: opts.allowList(req.cluster) ?? PUBLIC_ONLY,
      cluster: req.cluster,
      resolve: opts.resolve ?? systemResolver,
      maxBodyBytes: opts.maxBodyBytes ?? MAX_BODY_BYTES,
      maxRedirects: opts.maxRedirects ?? MAX_REDIRECTS,
    },
    deadline: req.deadline,
    now,
    ...(opts.aws ? { aws: opts.aws } : {}),
    tokens,
  });
  const call = async (req: MeasureRequest): Promise<MeasureResult> => {
    const kind = sluiceProvider(req.metric);
    if (typeof kind !== 'string') throw new Error(kind.error);
    if (req.deadline <= now()) throw new Error('no time left in this invocation to call the metric provider');
    const ctx = context(req);
    if (kind === 'prometheus') return measurePrometheus(req.metric, ctx);
    if (kind === 'web') return measureWeb(req.metric, ctx);
    if (!opts.cloudWatch) throw new Error('the CloudWatch provider is not configured for this control plane');
    const factory = opts.cloudWatch;
    cloudWatch ??= Promise.resolve().then(factory);
    return measureCloudWatch(req.metric, ctx, await cloudWatch);
  };
  return {
    async measure(req) {
      const started = now();
      try {
        return await call(req);
      } catch (err) {
        const at = formatTime(started);
        const end = formatTime(now());
        const query = req.metric.provider?.prometheus?.query;
        return {
          measurement: { phase: 'Error', message: message(err), startedAt: at, finishedAt: end },
          ...(query !== undefined ? { metadata: { ResolvedPrometheusQuery: query } } : {}),
        };
      }
    },
  };
}
