/** The resource types sluice reads and writes: REST group, version, plural and kind. */
import { describe, expect, it } from '@jest/globals';
import { RESOURCES, type ResourceName } from '../../../../shared/core/model/resources.js';

describe('RESOURCES', () => {
  it.each<{ name: ResourceName; apiVersion: string; plural: string; kind: string }>([
    { name: 'rollouts', apiVersion: 'argoproj.io/v1alpha1', plural: 'rollouts', kind: 'Rollout' },
    { name: 'replicasets', apiVersion: 'apps/v1', plural: 'replicasets', kind: 'ReplicaSet' },
    { name: 'services', apiVersion: 'v1', plural: 'services', kind: 'Service' },
    { name: 'deployments', apiVersion: 'apps/v1', plural: 'deployments', kind: 'Deployment' },
    { name: 'events', apiVersion: 'v1', plural: 'events', kind: 'Event' },
    { name: 'secrets', apiVersion: 'v1', plural: 'secrets', kind: 'Secret' },
    {
      name: 'virtualservices',
      apiVersion: 'networking.istio.io/v1',
      plural: 'virtualservices',
      kind: 'VirtualService',
    },
    {
      name: 'destinationrules',
      apiVersion: 'networking.istio.io/v1',
      plural: 'destinationrules',
      kind: 'DestinationRule',
    },
    { name: 'analysisruns', apiVersion: 'argoproj.io/v1alpha1', plural: 'analysisruns', kind: 'AnalysisRun' },
    {
      name: 'analysistemplates',
      apiVersion: 'argoproj.io/v1alpha1',
      plural: 'analysistemplates',
      kind: 'AnalysisTemplate',
    },
    {
      name: 'clusteranalysistemplates',
      apiVersion: 'argoproj.io/v1alpha1',
      plural: 'clusteranalysistemplates',
      kind: 'ClusterAnalysisTemplate',
    },
  ])('$name is $kind $apiVersion', ({ name, apiVersion, plural, kind }) => {
    const t = RESOURCES[name];
    expect(t.group ? `${t.group}/${t.version}` : t.version).toBe(apiVersion);
    expect(t.plural).toBe(plural);
    expect(t.kind).toBe(kind);
  });

  it('lists exactly the resources above', () => {
    expect(Object.keys(RESOURCES).sort()).toEqual([
      'analysisruns',
      'analysistemplates',
      'clusteranalysistemplates',
      'deployments',
      'destinationrules',
      'events',
      'pods',
      'replicasets',
      'rollouts',
      'secrets',
      'services',
      'virtualservices',
    ]);
  });
});
