import { describe, expect, it } from '@jest/globals';
import { AnalysisParseError } from '../../../../shared/core/analysis/errors.js';
import { parseAnalysisRun, parseAnalysisTemplate } from '../../../../shared/core/analysis/parse.js';

type Obj = Record<string, unknown>;
const template = (): Obj => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'success-rate', namespace: 'shop' },
  spec: {
    args: [{ name: 'service-name' }, { name: 'token', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
    metrics: [
      {
        name: 'success-rate',
        interval: '5m',
        count: '{{args.n}}',
        successCondition: 'result[0] >= 0.95',
        failureLimit: 3,
        provider: { prometheus: { address: 'http://prometheus:9090', query: 'sum(x)', timeout: 20 } },
        extra: 'kept',
      },
    ],
    dryRun: [{ metricName: '.*' }],
    measurementRetention: [{ metricName: 'success-rate', limit: 20 }],
    templates: [{ templateName: 'other', clusterScope: true }],
  },
});
const edit = (f: (o: Obj & { spec: Obj }) => void, base = template()): Obj => {
  f(base as Obj & { spec: Obj });
  return base;
};
const firstMetric = (o: { spec: Obj }) => (o.spec['metrics'] as Obj[])[0] as Obj;

function parseError(v: unknown, parse: (v: unknown) => unknown = parseAnalysisTemplate): AnalysisParseError {
  try {
    parse(v);
  } catch (e) {
    if (e instanceof AnalysisParseError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('parseAnalysisTemplate', () => {
  it('accepts a template and returns an equal deep copy, unknown fields kept', () => {
    const input = template();
    const out = parseAnalysisTemplate(input);
    expect(out).toEqual(input);
    expect(out.spec).not.toBe(input['spec']);
  });

  it('accepts a ClusterAnalysisTemplate and providers sluice does not run', () => {
    const input = edit((o) => {
      o['kind'] = 'ClusterAnalysisTemplate';
      firstMetric(o)['provider'] = { job: { spec: {} } };
    });
    expect(parseAnalysisTemplate(input).kind).toBe('ClusterAnalysisTemplate');
  });

  it.each<[string, (o: Obj & { spec: Obj }) => void, string]>([
    [
      'wrong apiVersion',
      (o) => (o['apiVersion'] = 'v1'),
      'AnalysisTemplate shop/success-rate: apiVersion: expected "argoproj.io/v1alpha1", got "v1"',
    ],
    [
      'wrong kind',
      (o) => (o['kind'] = 'Rollout'),
      'AnalysisTemplate shop/success-rate: kind: expected "AnalysisTemplate" or "ClusterAnalysisTemplate", got "Rollout"',
    ],
    ['no spec', (o: Obj) => delete o['spec'], 'AnalysisTemplate shop/success-rate: spec: required'],
    [
      'metrics not a list',
      (o) => (o.spec['metrics'] = {}),
      'AnalysisTemplate shop/success-rate: spec.metrics: expected a list, got an object',
    ],
    [
      'metric without a name',
      (o) => delete firstMetric(o)['name'],
      'AnalysisTemplate shop/success-rate: spec.metrics[0].name: required',
    ],
    [
      'metric without a provider',
      (o) => delete firstMetric(o)['provider'],
      'AnalysisTemplate shop/success-rate: spec.metrics[0].provider: required',
    ],
    [
      'count a float',
      (o) => (firstMetric(o)['count'] = 1.5),
      'AnalysisTemplate shop/success-rate: spec.metrics[0].count: expected an integer or a string, got 1.5',
    ],
    [
      'condition not a string',
      (o) => (firstMetric(o)['successCondition'] = true),
      'AnalysisTemplate shop/success-rate: spec.metrics[0].successCondition: expected a string, got true',
    ],
    [
      'prometheus timeout a string',
      (o) => (firstMetric(o)['provider'] = { prometheus: { timeout: '20s' } }),
      'AnalysisTemplate shop/success-rate: spec.metrics[0].provider.prometheus.timeout: expected a number, got "20s"',
    ],
    [
      'web header without key',
      (o) => (firstMetric(o)['provider'] = { web: { headers: [{ value: 'x' }] } }),
      'AnalysisTemplate shop/success-rate: spec.metrics[0].provider.web.headers[0].key: required',
    ],
    [
      'secret ref without key',
      (o) => ((o.spec['args'] as Obj[])[1] = { name: 't', valueFrom: { secretKeyRef: { name: 's' } } }),
      'AnalysisTemplate shop/success-rate: spec.args[1].valueFrom.secretKeyRef.key: required',
    ],
    [
      'retention limit a string',
      (o) => (o.spec['measurementRetention'] = [{ metricName: 'x', limit: '5' }]),
      'AnalysisTemplate shop/success-rate: spec.measurementRetention[0].limit: expected an integer, got "5"',
    ],
    [
      'template ref without name',
      (o) => (o.spec['templates'] = [{ clusterScope: true }]),
      'AnalysisTemplate shop/success-rate: spec.templates[0].templateName: required',
    ],
  ])('refuses %s, naming the field', (_name, f, message) => {
    const e = parseError(edit(f));
    expect(e.message).toBe(message);
  });

  it('refuses a non-object', () => {
    expect(parseError('nope').message).toBe('AnalysisTemplate: expected an object, got "nope"');
  });
});

describe('parseAnalysisRun', () => {
  const runObj = (): Obj => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: 'r-1', namespace: 'shop' },
    spec: { metrics: [{ name: 'm', provider: { web: { url: 'https://x' } } }], terminate: false },
    status: { phase: 'Running', metricResults: [] },
  });

  it('accepts a run with its status', () => {
    expect(parseAnalysisRun(runObj())).toEqual(runObj());
  });

  it.each<[string, (o: Obj & { spec: Obj }) => void, string]>([
    ['no metrics', (o) => delete o.spec['metrics'], 'AnalysisRun shop/r-1: spec.metrics: required'],
    [
      'terminate not a boolean',
      (o) => (o.spec['terminate'] = 'yes'),
      'AnalysisRun shop/r-1: spec.terminate: expected a boolean, got "yes"',
    ],
    [
      'a template kind',
      (o) => (o['kind'] = 'AnalysisTemplate'),
      'AnalysisRun shop/r-1: kind: expected "AnalysisRun", got "AnalysisTemplate"',
    ],
  ])('refuses %s', (_name, f, message) => {
    expect(parseError(edit(f, runObj()), parseAnalysisRun).message).toBe(message);
  });
});
