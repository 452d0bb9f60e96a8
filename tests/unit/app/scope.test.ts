/** A namespace-scoped install lists only in its namespaces: the calls the scope makes, and the drift lookup. */
import { describe, expect, it } from '@jest/globals';
import { listInScope } from '../../../shared/app/scope.js';
import { affectedRollouts } from '../../../shared/app/drift.js';
import type { KubeObject } from '../../../shared/core/model/types.js';
import { MemoryGateway } from './memory-gateway.js';

function rollout(namespace: string, vs: string): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: 'r',
      namespace,
      labels: { 'argo-rollouts.argoproj.io/controller-instance-id': 'sluice' },
    },
    spec: {
      strategy: {
        canary: {
          canaryService: 'c',
          stableService: 's',
          trafficRouting: { istio: { virtualService: { name: vs } } },
        },
      },
    },
  };
}

function world(): MemoryGateway {
  const gw = new MemoryGateway();
  gw.put('rollouts', rollout('shop', 'web.edge'));
  gw.put('rollouts', rollout('cart', 'web.edge'));
  return gw;
}

describe('listInScope', () => {
  it.each([
    ['all namespaces: one cluster-wide list', undefined, [{ verb: 'list', resource: 'rollouts' }], 2],
    [
      'two namespaces: one list each',
      ['shop', 'other'],
      [
        { verb: 'list', resource: 'rollouts', namespace: 'shop' },
        { verb: 'list', resource: 'rollouts', namespace: 'other' },
      ],
      1,
    ],
  ])('%s', async (_name, scope, calls, found) => {
    const gw = world();
    expect(await listInScope(gw, 'rollouts', scope)).toHaveLength(found);
    expect(gw.calls).toEqual(calls);
  });
});

describe('affectedRollouts in a namespace-scoped install', () => {
  it('a VirtualService is looked up from the scope namespaces only', async () => {
    const gw = world();
    const found = await affectedRollouts(
      gw,
      'sluice',
      { kind: 'VirtualService', namespace: 'edge', name: 'web' },
      ['shop'],
    );
    expect(found.map((r) => r.metadata.namespace)).toEqual(['shop']);
    expect(gw.calls.map((c) => c.namespace)).toEqual(['shop']);
  });

  it('a Service outside the scope finds no Rollout and reads nothing', async () => {
    const gw = world();
    expect(
      await affectedRollouts(gw, 'sluice', { kind: 'Service', namespace: 'cart', name: 's' }, ['shop']),
    ).toEqual([]);
    expect(gw.calls).toEqual([]);
  });
});
