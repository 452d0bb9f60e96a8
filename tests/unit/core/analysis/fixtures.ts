/** Builders for analysis tests: metrics, measurements and runs at times relative to {@link NOW}. */
import { formatTime } from '../../../../shared/core/analysis/time.js';
import type {
  AnalysisPhase,
  AnalysisRun,
  AnalysisRunStatus,
  Measurement,
  Metric,
  MetricResult,
} from '../../../../shared/core/analysis/types.js';

export const NOW = Date.parse('2026-03-01T12:00:00Z');
/** RFC 3339 time `s` seconds before {@link NOW}. */
export const ago = (s: number): string => formatTime(NOW - s * 1000);

export const metric = (name: string, extra: Partial<Metric> = {}): Metric => ({
  name,
  successCondition: 'result == 1',
  provider: { web: { url: 'https://metrics.example.com' } },
  ...extra,
});

export const measured = (
  phase: AnalysisPhase,
  finishedSecondsAgo = 0,
  extra: Partial<Measurement> = {},
): Measurement => ({
  phase,
  startedAt: ago(finishedSecondsAgo),
  finishedAt: ago(finishedSecondsAgo),
  ...extra,
});

export const result = (name: string, extra: Partial<MetricResult> = {}): MetricResult => ({
  name,
  phase: 'Running',
  ...extra,
});

export const run = (
  metrics: Metric[],
  status?: AnalysisRunStatus,
  spec: Partial<AnalysisRun['spec']> = {},
): AnalysisRun => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name: 'run', namespace: 'shop' },
  spec: { metrics, ...spec },
  ...(status ? { status } : {}),
});
