import { describe, expect, it } from '@jest/globals';
import { parseVirtualServiceName, virtualServiceRefs } from '../../../../shared/core/istio/names.js';

describe('parseVirtualServiceName', () => {
  it.each([
    ['a bare name lives in the Rollout namespace', 'vs', { namespace: 'apps', name: 'vs' }],
    ['name.namespace names another namespace', 'vs.istio', { namespace: 'istio', name: 'vs' }],
    [
      'a dotted name keeps its dots when the namespace is given (#4709)',
      'a.b.istio',
      { namespace: 'istio', name: 'a.b' },
    ],
    ['a trailing .cluster.local is dropped', 'test.ns.cluster.local', { namespace: 'ns', name: 'test' }],
    [
      'a bare name with .cluster.local stays in the Rollout namespace',
      'test.cluster.local',
      { namespace: 'apps', name: 'test' },
    ],
  ])('%s', (_, name, expected) => {
    expect(parseVirtualServiceName(name, 'apps')).toEqual(expected);
  });
});

describe('virtualServiceRefs', () => {
  it.each([
    ['virtualService alone', { virtualService: { name: 'a' } }, ['a']],
    ['virtualServices in order', { virtualServices: [{ name: 'a' }, { name: 'b.ns' }] }, ['a', 'b.ns']],
    ['neither', {}, []],
  ])('%s', (_, istio, names) => {
    expect(virtualServiceRefs(istio).map((r) => r.name)).toEqual(names);
  });
});
