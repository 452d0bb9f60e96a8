/**
 * The cases of Argo Rollouts' utils/analysis tests and the template-merge cases of rollout/analysis_test.go, each
 * named after its Go test.
 */
import { describe, expect, it } from '@jest/globals';
import { mergeArgs, resolveMetricArgs } from '../../../../shared/core/analysis/args.js';
import { buildRolloutArgs, extractValueFromRollout } from '../../../../shared/core/analysis/rollout-args.js';
import { dryRunMetrics, retentionLimits } from '../../../../shared/core/analysis/rules.js';
import { mergeTemplates, type TemplateLookup } from '../../../../shared/core/analysis/templates.js';
import type { AnalysisTemplate, Metric } from '../../../../shared/core/analysis/types.js';
import { validateMetrics } from '../../../../shared/core/analysis/validate.js';
import { metric } from './fixtures.js';

describe('TestValidateMetrics', () => {
  it.each<[string, Metric[], string | undefined]>([
    ['no metrics', [], 'no metrics specified'],
    ['duplicate name', [metric('a'), metric('a')], "metrics[1]: duplicate name 'a'"],
    [
      'consecutiveSuccessLimit < 0',
      [metric('a', { consecutiveSuccessLimit: -1 })],
      'metrics[0]: consecutiveSuccessLimit must be >= 0',
    ],
    [
      'failureLimit < -1',
      [metric('a', { failureLimit: -2 })],
      'metrics[0]: failureLimit must be >= 0, or -1 to be disabled',
    ],
    [
      'both disabled',
      [metric('a', { failureLimit: -1 })],
      'metrics[0]: failureLimit and consecutiveSuccessLimit cannot both be disabled',
    ],
    [
      'inconclusiveLimit < 0',
      [metric('a', { inconclusiveLimit: -1 })],
      'metrics[0]: inconclusiveLimit must be >= 0',
    ],
    [
      'consecutiveErrorLimit < 0',
      [metric('a', { consecutiveErrorLimit: -1 })],
      'metrics[0]: consecutiveErrorLimit must be >= 0',
    ],
    [
      'Ensure count >= failureLimit',
      [metric('a', { count: 1, failureLimit: 2 })],
      'metrics[0]: count (1) must be >= failureLimit + consecutiveSuccessLimit (2 + 0) if both >= 0',
    ],
    [
      'count >= failureLimit + consecutiveSuccessLimit',
      [metric('a', { count: 3, interval: '1m', failureLimit: 1, consecutiveSuccessLimit: 3 })],
      'metrics[0]: count (3) must be >= failureLimit + consecutiveSuccessLimit (1 + 3) if both >= 0',
    ],
    [
      'count >= consecutiveSuccessLimit with failureLimit disabled',
      [metric('a', { count: 2, interval: '1m', failureLimit: -1, consecutiveSuccessLimit: 3 })],
      'metrics[0]: count must be >= consecutiveSuccessLimit',
    ],
    [
      'Ensure count must be >= inconclusiveLimit',
      [metric('a', { count: 1, inconclusiveLimit: 2 })],
      'metrics[0]: count must be >= inconclusiveLimit',
    ],
    ['count 0 with failureLimit 2 is valid', [metric('a', { count: 0, failureLimit: 2 })], undefined],
    ['Validate metric', [metric('a', { count: 2, interval: '60s', failureLimit: 2 })], undefined],
    ['templated count read as a number', [metric('a', { count: '2', interval: '60s' })], undefined],
    [
      'interval required when count > 1',
      [metric('a', { count: 2 })],
      'metrics[0]: interval must be specified when count > 1',
    ],
    [
      'Ensure valid internal string',
      [metric('a', { interval: '60s-typo' })],
      'metrics[0]: invalid interval string: time: unknown unit "s-typo" in duration "60s-typo"',
    ],
    [
      'bare number interval',
      [metric('a', { interval: '60' })],
      'metrics[0]: invalid interval string: time: missing unit in duration "60"',
    ],
    [
      'Ensure valid initialDelay',
      [metric('a', { initialDelay: 'abc' })],
      'metrics[0]: invalid startDelay string: time: invalid duration "abc"',
    ],
    ['no provider', [{ name: 'a', provider: {} }], 'metrics[0]: no provider specified'],
    [
      'multiple providers',
      [{ name: 'a', provider: { web: {}, prometheus: {} } }],
      'metrics[0]: multiple providers specified',
    ],
    [
      'an empty plugin map is no provider',
      [{ name: 'a', provider: { plugin: {} } }],
      'metrics[0]: no provider specified',
    ],
  ])('%s', (_name, metrics, message) => {
    expect(validateMetrics(metrics)).toBe(message);
  });
});

describe('TestBuildArgumentsForRolloutAnalysisRun', () => {
  const rollout = {
    metadata: {
      name: 'foo',
      namespace: 'shop',
      uid: 'u-1',
      labels: { app: 'reviews' },
      annotations: { team: 'a' },
    },
    spec: { replicas: 1000000, template: { spec: { containers: [{ name: 'c' }] } } },
    status: { pauseConditions: [{ reason: 'test-reason' }] },
  };
  const src = { rollout, stableHash: 'abcdef', latestHash: '123456' };

  it('hash values, downward-API metadata and Rollout fields become plain values', () => {
    const out = buildRolloutArgs(
      [
        { name: 'stable-key', valueFrom: { podTemplateHashValue: 'Stable' } },
        { name: 'latest-key', valueFrom: { podTemplateHashValue: 'Latest' } },
        { name: 'other-key', valueFrom: { podTemplateHashValue: 'Other' } },
        { name: 'plain', value: 'x' },
        { name: 'app', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'team', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['team']" } } },
        { name: 'ns', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'replicas', valueFrom: { fieldRef: { fieldPath: 'spec.replicas' } } },
        { name: 'reason', valueFrom: { fieldRef: { fieldPath: 'status.pauseConditions[0].reason' } } },
      ],
      src,
    );
    expect(out).toEqual({
      args: [
        { name: 'stable-key', value: 'abcdef' },
        { name: 'latest-key', value: '123456' },
        { name: 'other-key', value: '' },
        { name: 'plain', value: 'x' },
        { name: 'app', value: 'reviews' },
        { name: 'team', value: 'a' },
        { name: 'ns', value: 'shop' },
        { name: 'replicas', value: '1e+06' },
        { name: 'reason', value: 'test-reason' },
      ],
    });
  });

  it('a bad metadata path stops at once; a bad other path is masked by a later good fieldRef', () => {
    expect(
      buildRolloutArgs([{ name: 'a', valueFrom: { fieldRef: { fieldPath: 'metadata.generation' } } }], src),
    ).toEqual({
      error: 'unsupported fieldPath: metadata.generation',
    });
    const bad = { name: 'a', valueFrom: { fieldRef: { fieldPath: 'spec.nothing' } } };
    const good = { name: 'b', valueFrom: { fieldRef: { fieldPath: 'spec.replicas' } } };
    expect(buildRolloutArgs([bad], src)).toEqual({ error: 'invalid path spec.nothing in rollout' });
    expect(buildRolloutArgs([bad, good], src)).toEqual({
      args: [
        { name: 'a', value: '' },
        { name: 'b', value: '1e+06' },
      ],
    });
  });
});

describe('Test_extractValueFromRollout', () => {
  const rollout = {
    metadata: { labels: { app: 'x' } },
    spec: { containers: [{ name: 'c' }], n: 0.5, big: 123456789, ok: true },
  };
  it.each<[string, { value: string } | { error: string }]>([
    ["metadata.labels['app']", { error: "invalid path metadata.labels['app'] in rollout" }],
    ['spec.containers[blah]', { error: "invalid index 'blah'" }],
    ['spec.containers[12]', { error: 'index 12 out of range' }],
    ['spec.containers[0].name', { value: 'c' }],
    [
      'spec.containers[0]',
      { error: 'path spec.containers[0] in rollout must terminate in a primitive value' },
    ],
    ['spec.n', { value: '0.5' }],
    ['spec.big', { value: '1.23456789e+08' }],
    ['spec.ok', { value: 'true' }],
    ['spec.constructor', { error: 'invalid path spec.constructor in rollout' }],
  ])('%s', (path, expected) => {
    expect(extractValueFromRollout(rollout, path)).toEqual(expected);
  });
});

describe('TestMergeArgs', () => {
  it('drops undeclared args, overrides declared ones, and needs every arg resolved', () => {
    expect(
      mergeArgs(
        [
          { name: 'foo', value: 'a' },
          { name: 'undeclared', value: 'b' },
        ],
        [{ name: 'foo' }],
      ),
    ).toEqual({
      args: [{ name: 'foo', value: 'a' }],
    });
    expect(mergeArgs([], [{ name: 'foo' }])).toEqual({ error: 'args.foo was not resolved' });
    expect(mergeArgs([{ name: 'foo', value: 'new' }], [{ name: 'foo', value: 'default' }])).toEqual({
      args: [{ name: 'foo', value: 'new' }],
    });
    const ref = { secretKeyRef: { name: 's', key: 'k' } };
    expect(mergeArgs([{ name: 'foo', valueFrom: ref }], [{ name: 'foo' }])).toEqual({
      args: [{ name: 'foo', valueFrom: ref }],
    });
  });
});

describe('TestGetDryRunMetrics', () => {
  const ms = [metric('error-rate'), metric('latency')];
  it('".*" matches every metric; a pattern is unanchored; "*" is invalid and matches nothing', () => {
    expect(dryRunMetrics(ms, [{ metricName: '.*' }])).toEqual({ names: new Set(['error-rate', 'latency']) });
    expect(dryRunMetrics(ms, [{ metricName: 'rate' }])).toEqual({ names: new Set(['error-rate']) });
    expect(dryRunMetrics(ms, [{ metricName: '*' }])).toEqual({
      error: "dryRun[0]: Rule didn't match any metric name(s)",
    });
  });

  it('the last matching retention rule wins', () => {
    expect(
      retentionLimits(ms, [
        { metricName: '.*', limit: 5 },
        { metricName: 'latency', limit: 20 },
      ]),
    ).toEqual({
      limits: new Map([
        ['error-rate', 5],
        ['latency', 20],
      ]),
    });
    expect(retentionLimits(ms, [{ metricName: 'nope', limit: 5 }])).toEqual({
      error: "measurementRetention[0]: Rule didn't match any metric name(s)",
    });
  });
});

describe('ResolveMetricArgs', () => {
  it('substitutes in any field, whitespace in the tag ignored, quotes and backslashes kept', () => {
    const m = metric('m', {
      count: '{{ args.n }}',
      provider: { prometheus: { query: 'sum(x{app="{{args.app}}"})' } },
    });
    expect(
      resolveMetricArgs(
        m,
        new Map([
          ['n', '3'],
          ['app', 'a"b\\c'],
        ]),
      ),
    ).toEqual({
      metric: { ...m, count: '3', provider: { prometheus: { query: 'sum(x{app="a"b\\c"})' } } },
    });
  });

  it('fails on a value JSON cannot hold after Go escaping, and on a tag left open', () => {
    expect(
      resolveMetricArgs(metric('m', { successCondition: '{{args.x}}' }), new Map([['x', 'bell\u0007']])),
    ).toEqual({
      error: "invalid character 'a' in string escape code",
    });
    // As in Go, the tag runs to the first "}}" of the metric's JSON (the provider's closing braces).
    expect(resolveMetricArgs(metric('m', { successCondition: '{{args.x' }), new Map())).toEqual({
      error: 'failed to resolve {{args.x","provider":{"web":{"url":"https://metrics.example.com"}}',
    });
  });
});

const template = (
  name: string,
  metrics: string[],
  extra: Partial<AnalysisTemplate['spec']> = {},
  kind: AnalysisTemplate['kind'] = 'AnalysisTemplate',
): AnalysisTemplate => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind,
  metadata: { name, ...(kind === 'AnalysisTemplate' ? { namespace: 'shop' } : {}) },
  spec: { metrics: metrics.map((m) => metric(m)), ...extra },
});
const lookupOf =
  (...ts: AnalysisTemplate[]): TemplateLookup =>
  (name, cluster) =>
    ts.find((t) => t.metadata.name === name && (t.kind === 'ClusterAnalysisTemplate') === cluster);

describe('rollout/analysis_test.go (template merging)', () => {
  it('TestFailCreateStepAnalysisRunIfInvalidTemplateRef: two metrics with the same name', () => {
    const lookup = lookupOf(template('bad-template', ['example']), template('other', ['example']));
    expect(mergeTemplates([{ templateName: 'bad-template' }, { templateName: 'other' }], lookup)).toEqual({
      error: "two metrics have the same name 'example'",
      nested: false,
    });
  });

  it('TestInvalidSpecMissingClusterTemplatesBackgroundAnalysis', () => {
    expect(mergeTemplates([{ templateName: 'missing', clusterScope: true }], lookupOf())).toEqual({
      error: "ClusterAnalysisTemplate 'missing' not found",
      nested: false,
    });
    const parent = template('parent', ['a'], { templates: [{ templateName: 'child' }] });
    expect(mergeTemplates([{ templateName: 'parent' }], lookupOf(parent))).toEqual({
      error: "AnalysisTemplate 'child' not found",
      nested: true,
    });
  });

  it('TestCreateAnalysisRunWithClusterTemplatesAndTemplateAndInnerTemplates: 6 metrics, namespaced first', () => {
    const c1 = template(
      'c1',
      ['c1m'],
      {
        templates: [
          { templateName: 'c2', clusterScope: true },
          { templateName: 'c3', clusterScope: true },
        ],
      },
      'ClusterAnalysisTemplate',
    );
    const c2 = template('c2', ['c2m'], {}, 'ClusterAnalysisTemplate');
    const c3 = template(
      'c3',
      ['c3m'],
      {
        templates: [
          { templateName: 'c4', clusterScope: true },
          { templateName: 'c1', clusterScope: true },
        ],
      },
      'ClusterAnalysisTemplate',
    );
    const c4 = template('c4', ['c4m'], {}, 'ClusterAnalysisTemplate');
    const t1 = template('t1', ['t1m'], { templates: [{ templateName: 'c1', clusterScope: true }] });
    const t2 = template('t2', ['t2m']);
    const merged = mergeTemplates(
      [{ templateName: 't1' }, { templateName: 't2' }],
      lookupOf(c1, c2, c3, c4, t1, t2),
    );
    if ('error' in merged) throw new Error(merged.error);
    expect(merged.metrics.map((m) => m.name)).toEqual(['t1m', 't2m', 'c1m', 'c2m', 'c3m', 'c4m']);
  });

  it('args: conflicting values are refused, a value-less arg takes a later value, rules come after the Rollout’s', () => {
    const a = template('a', ['ma'], { args: [{ name: 'svc', value: 'x' }], dryRun: [{ metricName: 'ma' }] });
    const b = template('b', ['mb'], { args: [{ name: 'svc', value: 'y' }] });
    expect(mergeTemplates([{ templateName: 'a' }, { templateName: 'b' }], lookupOf(a, b))).toEqual({
      error: "Argument `svc` specified multiple times with different values: 'x', 'y'",
      nested: false,
    });
    const c = template('c', ['mc'], { args: [{ name: 'svc' }] });
    const merged = mergeTemplates([{ templateName: 'c' }, { templateName: 'a' }], lookupOf(a, c), {
      dryRun: [{ metricName: 'mc' }],
    });
    expect(merged).toMatchObject({
      args: [{ name: 'svc', value: 'x' }],
      dryRun: [{ metricName: 'mc' }, { metricName: 'ma' }],
    });
    expect(mergeTemplates([{ templateName: 'a' }], lookupOf(a), { dryRun: [{ metricName: 'ma' }] })).toEqual({
      error: "two Dry-Run metric rules have the same name 'ma'",
      nested: false,
    });
  });
});
