/**
 * Argo's `PodTemplateEqualIgnoreHash`: a ReplicaSet's stored template (with the API server's defaults) against the
 * Rollout's template, the hash label ignored on both sides.
 */
import { describe, expect, it } from '@jest/globals';
import {
  defaultPullPolicy,
  podTemplateEqualIgnoreHash,
  withPodDefaults,
} from '../../../../shared/core/model/pod-template-equal.js';
import type { JsonObject } from '../../../../shared/core/model/types.js';

/** A template as a user writes it. */
const written = (image = 'registry.example/reviews:v1'): JsonObject => ({
  metadata: { labels: { app: 'reviews' } },
  spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
});

/** The same template as the API server stores it in a ReplicaSet (defaults, hash label), read from a test cluster. */
const stored = (image = 'registry.example/reviews:v1'): JsonObject => ({
  metadata: { labels: { app: 'reviews', 'rollouts-pod-template-hash': '7b54bd955' } },
  spec: {
    containers: [
      {
        image,
        imagePullPolicy: 'IfNotPresent',
        name: 'app',
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      },
    ],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
  },
});

/** What `kubectl argo rollouts undo` writes into spec.template: the stored template, hash label removed, as Go. */
const undone = (): JsonObject => {
  const t = stored() as { metadata: Record<string, unknown> };
  t.metadata = { creationTimestamp: null, labels: { app: 'reviews' } };
  return t as unknown as JsonObject;
};

describe('defaultPullPolicy', () => {
  it.each([
    ['reviews', 'Always'],
    ['reviews:latest', 'Always'],
    ['registry.example:5000/reviews', 'Always'],
    ['registry.example:5000/reviews:v1', 'IfNotPresent'],
    ['reviews:v1', 'IfNotPresent'],
    ['reviews@sha256:0123', 'IfNotPresent'],
  ])('%s → %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });
});

describe('withPodDefaults', () => {
  it('gives a written template exactly the defaults the API server stored', () => {
    const t = withPodDefaults(written()) as { spec: unknown };
    const s = stored() as { spec: { containers: Record<string, unknown>[] } };
    delete s.spec.containers[0]!['resources'];
    expect(t.spec).toEqual(s.spec);
  });
  it('keeps what the template sets and does not change its argument', () => {
    const w = written();
    const spec = w['spec'] as Record<string, unknown>;
    spec['restartPolicy'] = 'Never';
    const t = withPodDefaults(w) as { spec: Record<string, unknown> };
    expect(t.spec['restartPolicy']).toBe('Never');
    expect(spec['dnsPolicy']).toBeUndefined();
  });
});

describe('podTemplateEqualIgnoreHash (live stored template, desired Rollout template)', () => {
  const changed = (f: (t: { spec: { containers: Record<string, unknown>[] } }) => void): JsonObject => {
    const t = undone() as unknown as { spec: { containers: Record<string, unknown>[] } };
    f(t);
    return t as unknown as JsonObject;
  };
  it.each<[string, boolean, JsonObject, JsonObject]>([
    ['the template undo writes back', true, stored(), undone()],
    ['the template as written (defaults left out)', true, stored(), written()],
    ['the stored template itself, hash label and all', true, stored(), stored()],
    ['another image', false, stored(), written('registry.example/reviews:v2')],
    [
      'an env var added',
      false,
      stored(),
      changed((t) => (t.spec.containers[0]!['env'] = [{ name: 'A', value: '1' }])),
    ],
    [
      'a default overridden',
      false,
      stored(),
      changed((t) => (t.spec.containers[0]!['imagePullPolicy'] = 'Always')),
    ],
    [
      'a field the stored template has removed',
      false,
      stored(),
      changed((t) => delete t.spec.containers[0]!['ports']),
    ],
    ['another label', false, stored(), { ...written(), metadata: { labels: { app: 'other' } } }],
    ['a template Go cannot decode', false, stored(), { spec: { containers: 'app' } }],
  ])('%s → equal: %s', (_what, equal, live, desired) => {
    expect(podTemplateEqualIgnoreHash(live, desired)).toBe(equal);
  });
});
