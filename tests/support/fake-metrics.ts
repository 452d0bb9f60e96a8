/**
 * A stand-in for the metric providers (the `MetricProviders` port): every measurement is a Prometheus scalar answer
 * with the value the test sets, judged by the metric's own conditions through the analysis core, exactly as the
 * Prometheus provider judges a real answer. It counts the calls, so tests can tell provider calls from recorded
 * measurements.
 */
import { prometheusMeasurement } from '../../shared/core/analysis/prometheus-result.js';
import type { MeasureRequest, MeasureResult, MetricProviders } from '../../shared/app/ports.js';

export class FakeMetrics implements MetricProviders {
  /** The value the next measurements see. */
  value = 0.99;
  readonly calls: MeasureRequest[] = [];
  /** Called inside each measurement, before it returns (to interleave a concurrent writer or a crash). */
  during?: () => Promise<void>;

  constructor(private readonly now: () => Date) {}

  async measure(request: MeasureRequest): Promise<MeasureResult> {
    this.calls.push(request);
    if (this.during) await this.during();
    const t = this.now().getTime();
    const data = { resultType: 'scalar', result: [t / 1000, String(this.value)] };
    return { measurement: prometheusMeasurement(request.metric, data, t) };
  }
}

/** An AnalysisTemplate with one Prometheus metric judged `result >= 0.95` (Inconclusive between 0.5 and 0.95). */
export function successRateTemplate(opts: { name?: string; count?: number; interval?: string } = {}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: opts.name ?? 'success-rate' },
    spec: {
      args: [{ name: 'service' }],
      metrics: [
        {
          name: 'success-rate',
          ...(opts.count === undefined ? {} : { count: opts.count }),
          interval: opts.interval ?? '10s',
          successCondition: 'result >= 0.95',
          failureCondition: 'result < 0.5',
          provider: {
            prometheus: {
              address: 'http://prometheus.monitoring:9090',
              query:
                'sum(rate(istio_requests_total{destination_service="{{args.service}}",response_code!~"5.."}[1m]))',
            },
          },
        },
      ],
    },
  };
}
