/**
 * The lists `observeAnalysis` makes: ClusterAnalysisTemplates only when a reference asks for one, in the Rollout or
 * nested in a template of its namespace (a namespace-scoped install may not list them).
 */
import { describe, expect, it } from '@jest/globals';
import { observeAnalysis } from '../../../shared/app/observe.js';
import type { KubeObject, Rollout } from '../../../shared/core/model/types.js';
import { MemoryGateway } from './memory-gateway.js';

type Ref = { templateName: string; clusterScope?: boolean };

function rollout(refs: Ref[]): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'r', namespace: 'shop', uid: 'uid-r' },
    spec: { strategy: { canary: { steps: [{ setWeight: 20 }, { analysis: { templates: refs } }] } } },
  } as unknown as Rollout;
}

function template(
  kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate',
  name: string,
  nested: Ref[] = [],
): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind,
    metadata: { name, ...(kind === 'AnalysisTemplate' ? { namespace: 'shop' } : {}) },
    spec: { metrics: [], ...(nested.length ? { templates: nested } : {}) },
  } as unknown as KubeObject;
}

describe('observeAnalysis', () => {
  it.each([
    ['namespaced templates only', [{ templateName: 'rate' }], [], false, 0],
    [
      'a cluster-scoped reference in the Rollout',
      [{ templateName: 'global', clusterScope: true }],
      [],
      true,
      1,
    ],
    [
      'a cluster-scoped reference nested in a namespaced template',
      [{ templateName: 'rate' }],
      [{ templateName: 'global', clusterScope: true }],
      true,
      1,
    ],
  ])('%s', async (_case, refs, nested, listsCluster, clusterTemplates) => {
    const gw = new MemoryGateway();
    gw.put('analysistemplates', template('AnalysisTemplate', 'rate', nested));
    gw.put('clusteranalysistemplates', template('ClusterAnalysisTemplate', 'global'));
    const out = await observeAnalysis(gw, rollout(refs));
    const listed = gw.calls.filter((c) => c.verb === 'list').map((c) => c.resource);
    expect(listed.includes('clusteranalysistemplates')).toBe(listsCluster);
    expect(listed).toEqual(expect.arrayContaining(['analysisruns', 'analysistemplates']));
    expect(out.templates.map((t) => t.metadata.name)).toEqual(['rate']);
    expect(out.clusterTemplates).toHaveLength(clusterTemplates);
  });
});
