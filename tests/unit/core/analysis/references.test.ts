import { describe, expect, it } from '@jest/globals';
import { analysisGroups, validateAnalysisReferences } from '../../../../shared/core/analysis/references.js';
import type { TemplateLookup } from '../../../../shared/core/analysis/templates.js';
import type { AnalysisTemplate } from '../../../../shared/core/analysis/types.js';
import { invalidSpecMessage } from '../../../../shared/core/model/validate.js';
import { metric } from './fixtures.js';

const template = (
  name: string,
  spec: AnalysisTemplate['spec'],
  kind: AnalysisTemplate['kind'] = 'AnalysisTemplate',
): AnalysisTemplate => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind,
  metadata: { name },
  spec,
});
const lookupOf =
  (...ts: AnalysisTemplate[]): TemplateLookup =>
  (name, cluster) =>
    ts.find((t) => t.metadata.name === name && (t.kind === 'ClusterAnalysisTemplate') === cluster);
const check = (canary: Parameters<typeof analysisGroups>[0], ...ts: AnalysisTemplate[]) => {
  const problem = validateAnalysisReferences(analysisGroups(canary), lookupOf(...ts));
  return problem === undefined ? undefined : invalidSpecMessage('foo', problem);
};

const once = template('once', { metrics: [metric('m', { count: 1 })] });
const forever = template('forever', { metrics: [metric('m', { interval: '1m' })] });

describe('validateAnalysisReferences (rollout/analysis_test.go and validation_references)', () => {
  it('accepts templates that exist, merge, and end', () => {
    expect(
      check(
        {
          steps: [{ analysis: { templates: [{ templateName: 'once' }] } }],
          analysis: { templates: [{ templateName: 'forever' }] },
        },
        once,
        forever,
      ),
    ).toBeUndefined();
  });

  it('TestFailCreateStepAnalysisRunIfInvalidTemplateRef', () => {
    const bad = template('bad-template', {
      metrics: [metric('example', { count: 1 }), metric('example', { count: 1 })],
    });
    expect(check({ steps: [{ analysis: { templates: [{ templateName: 'bad-template' }] } }] }, bad)).toBe(
      'The Rollout "foo" is invalid: spec.strategy.canary.steps[0].analysis.templates: Invalid value: "templateNames: [bad-template]": two metrics have the same name \'example\'',
    );
  });

  it('TestInvalidSpecMissingClusterTemplatesBackgroundAnalysis', () => {
    expect(check({ analysis: { templates: [{ templateName: 'missing', clusterScope: true }] } })).toBe(
      'The Rollout "foo" is invalid: spec.strategy.canary.analysis.templates: Invalid value: "missing": ClusterAnalysisTemplate \'missing\' not found',
    );
  });

  it('a missing nested template is reported at spec.templates', () => {
    const parent = template('parent', {
      metrics: [metric('a', { count: 1 })],
      templates: [{ templateName: 'child' }],
    });
    expect(check({ steps: [{ analysis: { templates: [{ templateName: 'parent' }] } }] }, parent)).toBe(
      'The Rollout "foo" is invalid: spec.templates: Invalid value: "child": AnalysisTemplate \'child\' not found',
    );
  });

  it('a step template with a metric that runs indefinitely is refused; the same template is fine in the background', () => {
    expect(check({ steps: [{}, { analysis: { templates: [{ templateName: 'forever' }] } }] }, forever)).toBe(
      'The Rollout "foo" is invalid: spec.strategy.canary.steps[1].analysis.templates: Invalid value: "forever": AnalysisTemplate forever has metric m which runs indefinitely. Invalid value for count: <nil>',
    );
  });

  it('a step template whose metric cannot be resolved names the template', () => {
    const t = template('t', { metrics: [metric('m', { count: 1, successCondition: '{{args.nope}}' })] });
    expect(check({ steps: [{ analysis: { templates: [{ templateName: 't' }] } }] }, t)).toBe(
      'The Rollout "foo" is invalid: spec.strategy.canary.steps[0].analysis.templates: Invalid value: "t": AnalysisTemplate t: failed to resolve {{args.nope}}',
    );
  });

  it('background templates need every value-less arg from the Rollout', () => {
    const t = template('bg', {
      args: [{ name: 'service' }, { name: 'ns', value: 'x' }],
      metrics: [metric('m', { interval: '1m' })],
    });
    expect(check({ analysis: { templates: [{ templateName: 'bg' }] } }, t)).toBe(
      'The Rollout "foo" is invalid: spec.strategy.canary.analysis.templates: Invalid value: "bg": missing analysis arguments in rollout spec',
    );
    expect(
      check({ analysis: { templates: [{ templateName: 'bg' }], args: [{ name: 'other', value: 'y' }] } }, t),
    ).toBe(
      'The Rollout "foo" is invalid: spec.strategy.canary.analysis.templates: Invalid value: "bg": service',
    );
    expect(
      check(
        { analysis: { templates: [{ templateName: 'bg' }], args: [{ name: 'service', value: 'y' }] } },
        t,
      ),
    ).toBeUndefined();
  });

  it('a Rollout dry-run rule that duplicates a template rule is a merge error', () => {
    const t = template('t', { metrics: [metric('m', { count: 1 })], dryRun: [{ metricName: 'm' }] });
    expect(
      check(
        { steps: [{ analysis: { templates: [{ templateName: 't' }], dryRun: [{ metricName: 'm' }] } }] },
        t,
      ),
    ).toBe(
      'The Rollout "foo" is invalid: spec.strategy.canary.steps[0].analysis.templates: Invalid value: "templateNames: [t]": two Dry-Run metric rules have the same name \'m\'',
    );
  });
});
