import { describe, expect, it } from '@jest/globals';
import { startKubelet } from '../../../../shared/runtimes/sandbox/kubelet.js';
import { SERVED } from '../../../../shared/runtimes/sandbox/resources.js';
import { ObjectStore } from '../../../../shared/runtimes/sandbox/store.js';
import { seededRandom, shareOnHash, simulateTraffic } from '../../../../shared/runtimes/sandbox/traffic.js';

const RS = SERVED.find((r) => r.plural === 'replicasets')!;
const vs = (stable: number, canary: number) => ({
  spec: {
    http: [
      {
        name: 'primary',
        route: [
          { destination: { host: 'stable' }, weight: stable },
          { destination: { host: 'canary.ns.svc.cluster.local' }, weight: canary },
        ],
      },
    ],
  },
});

describe('simulated traffic', () => {
  it.each([
    { stable: 100, canary: 0, low: 0, high: 0 },
    { stable: 80, canary: 20, low: 0.17, high: 0.23 },
    { stable: 50, canary: 50, low: 0.46, high: 0.54 },
    { stable: 0, canary: 100, low: 1, high: 1 },
  ])('splits 2000 requests $stable/$canary by the route weights', ({ stable, canary, low, high }) => {
    const s = simulateTraffic(
      vs(stable, canary),
      { canaryHost: 'canary', stableHost: 'stable' },
      2000,
      seededRandom(1),
    );
    expect(s.canary + s.stable + s.other).toBe(2000);
    expect(s.canaryShare).toBeGreaterThanOrEqual(low);
    expect(s.canaryShare).toBeLessThanOrEqual(high);
  });

  it('sends everything to a single unweighted destination and nothing when there is no route', () => {
    const single = { spec: { http: [{ route: [{ destination: { host: 'stable' } }] }] } };
    expect(
      simulateTraffic(single, { canaryHost: 'canary', stableHost: 'stable' }, 10, seededRandom(2)).stable,
    ).toBe(10);
    expect(
      simulateTraffic({}, { canaryHost: 'canary', stableHost: 'stable' }, 10, seededRandom(2)).other,
    ).toBe(10);
  });

  it('counts the share that reached a pod-template hash through the Service selectors', () => {
    const s = simulateTraffic(
      vs(0, 100),
      { canaryHost: 'canary', stableHost: 'stable' },
      50,
      seededRandom(3),
    );
    expect(shareOnHash(s, { canary: 'h2', stable: 'h1' }, 'h2')).toBe(1);
    expect(shareOnHash(s, { canary: 'h2', stable: 'h1' }, 'h1')).toBe(0);
  });
});

describe('simulated kubelet', () => {
  it('makes ReplicaSet status follow spec.replicas only after the ready delay', () => {
    let now = 0;
    const store = new ObjectStore();
    const kubelet = startKubelet(store, { readyDelayMs: 500, pollMs: 60_000, now: () => now });
    store.create(RS, 'ns', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'r' },
      spec: { replicas: 3 },
    });
    expect(kubelet.reconcile()).toBe(0);
    now = 499;
    expect(kubelet.reconcile()).toBe(0);
    now = 500;
    expect(kubelet.reconcile()).toBe(1);
    expect(store.get(RS, 'ns', 'r')?.status).toEqual({
      replicas: 3,
      fullyLabeledReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
    expect(kubelet.reconcile()).toBe(0);
    kubelet.stop();
  });
});
