import { describe, expect, it } from '@jest/globals';
import { applyDefaults, ROLLOUT_DEFAULTS } from '../../../../shared/runtimes/sandbox/crd-defaults.js';
import { ObjectStore } from '../../../../shared/runtimes/sandbox/store.js';
import { SERVED } from '../../../../shared/runtimes/sandbox/resources.js';
import { podTemplateHash } from '../../../../shared/core/model/hash.js';

const rollout = (ports: object[]) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'reviews' },
  spec: {
    template: {
      metadata: { labels: { app: 'reviews' } },
      spec: { containers: [{ name: 'app', image: 'registry.example/reviews:v1', ports }] },
    },
  },
});
const ROLLOUTS = SERVED.find((r) => r.plural === 'rollouts')!;

describe('Rollout CRD defaulting in the sandbox', () => {
  it.each([
    [
      'a port without protocol gets TCP',
      [{ containerPort: 8080 }],
      [{ containerPort: 8080, protocol: 'TCP' }],
    ],
    [
      'a port with UDP keeps it',
      [{ containerPort: 53, protocol: 'UDP' }],
      [{ containerPort: 53, protocol: 'UDP' }],
    ],
  ])('%s', (_name, ports, want) => {
    const out = applyDefaults(rollout(ports), ROLLOUT_DEFAULTS);
    expect(out.spec.template.spec.containers[0]?.ports).toEqual(want);
  });

  it('does not create absent parents (no env, no probes appear)', () => {
    const out = applyDefaults(rollout([]), ROLLOUT_DEFAULTS);
    expect(out.spec.template.spec.containers[0]).toEqual({
      name: 'app',
      image: 'registry.example/reviews:v1',
      ports: [],
    });
  });

  it('a created and a merge-updated Rollout are stored defaulted, so the pod-template hash is the real one', () => {
    const store = new ObjectStore();
    const created = store.create(ROLLOUTS, 'shop', rollout([{ containerPort: 8080 }]));
    const template = (created.spec as { template: Parameters<typeof podTemplateHash>[0] }).template;
    // The hash kube-apiserver's stored Rollout gives (protocol: TCP defaulted by the CRD schema), as Argo's own
    // ComputePodTemplateHash computes it (tests/fixtures/go-json/vectors.json, first template).
    expect(podTemplateHash(template)).toBe('7b54bd955');
    const updated = store.update(ROLLOUTS, 'shop', {
      ...rollout([{ containerPort: 9090 }]),
      metadata: created.metadata,
    });
    expect(
      (updated.spec as { template: { spec: { containers: { ports: unknown }[] } } }).template.spec
        .containers[0]?.ports,
    ).toEqual([{ containerPort: 9090, protocol: 'TCP' }]);
  });
});

describe('ReplicaSet status stored as kube-apiserver stores it', () => {
  it('drops omitempty counters that are 0 and keeps replicas: 0', () => {
    const store = new ObjectStore();
    const rsType = SERVED.find((r) => r.plural === 'replicasets')!;
    const rs = store.create(rsType, 'shop', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'reviews-1' },
      spec: { replicas: 0 },
    });
    const zero = {
      replicas: 0,
      fullyLabeledReplicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      observedGeneration: 1,
    };
    const stored = store.update(rsType, 'shop', { ...rs, status: zero }, { subresource: 'status' });
    expect(stored.status).toEqual({ replicas: 0, observedGeneration: 1 });
  });
});
