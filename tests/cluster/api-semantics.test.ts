/** The API-server semantics the engine relies on, proved against the real kube-apiserver. */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { adminRequest, applyObjects, createNamespace } from '../support/cluster.js';
import { rollout, virtualService } from './fixtures.js';

let ns: string;
const roPath = (name: string): string => `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/${name}`;
const vsPath = (name: string): string =>
  `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices/${name}`;

beforeAll(async () => {
  ns = await createNamespace('api-semantics');
});

describe('optimistic concurrency', () => {
  it('rejects an update carrying a stale resourceVersion with 409 Conflict and keeps the first write', async () => {
    const [created] = await applyObjects(ns, [rollout('stale')]);
    const first = await adminRequest('PUT', roPath('stale'), {
      ...created,
      spec: { ...created.spec, replicas: 3 },
    });
    expect(first.status).toBe(200);
    const second = await adminRequest('PUT', roPath('stale'), {
      ...created,
      spec: { ...created.spec, replicas: 5 },
    });
    expect(second.status).toBe(409);
    expect(second.body.reason).toBe('Conflict');
    expect(second.body.message).toContain('the object has been modified');
    expect((await adminRequest('GET', roPath('stale'))).body.spec.replicas).toBe(3);
  });

  it('rejects a JSON Patch whose test op fails with 422 Invalid and applies none of its ops', async () => {
    const [created] = await applyObjects(ns, [rollout('jsonpatch-test')]);
    const patch = [
      { op: 'test', path: '/metadata/resourceVersion', value: '1' },
      { op: 'replace', path: '/spec/replicas', value: 7 },
    ];
    const res = await adminRequest('PATCH', roPath('jsonpatch-test'), patch, 'application/json-patch+json');
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe('Invalid');
    const after = (await adminRequest('GET', roPath('jsonpatch-test'))).body;
    expect(after.spec.replicas).toBe(2);
    expect(after.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('applies a JSON Patch whose test op matches the current resourceVersion', async () => {
    const [created] = await applyObjects(ns, [rollout('jsonpatch-ok')]);
    const patch = [
      { op: 'test', path: '/metadata/resourceVersion', value: created.metadata.resourceVersion },
      { op: 'replace', path: '/spec/replicas', value: 7 },
    ];
    const res = await adminRequest('PATCH', roPath('jsonpatch-ok'), patch, 'application/json-patch+json');
    expect(res.status).toBe(200);
    expect(res.body.spec.replicas).toBe(7);
  });
});

describe('patch content types on custom resources', () => {
  it('rejects a strategic-merge patch on a Rollout with 415 UnsupportedMediaType', async () => {
    await applyObjects(ns, [rollout('smp')]);
    const res = await adminRequest(
      'PATCH',
      roPath('smp'),
      { spec: { paused: true } },
      'application/strategic-merge-patch+json',
    );
    expect(res.status).toBe(415);
    expect(res.body.reason).toBe('UnsupportedMediaType');
    expect((await adminRequest('GET', roPath('smp'))).body.spec.paused).toBeUndefined();
  });

  it('accepts a merge patch on the same Rollout', async () => {
    await applyObjects(ns, [rollout('merge')]);
    const res = await adminRequest(
      'PATCH',
      roPath('merge'),
      { spec: { paused: true } },
      'application/merge-patch+json',
    );
    expect(res.status).toBe(200);
    expect(res.body.spec.paused).toBe(true);
  });
});

describe('status subresource', () => {
  it('ignores status in a patch of the main resource', async () => {
    await applyObjects(ns, [rollout('status-a')]);
    const res = await adminRequest('PATCH', roPath('status-a'), {
      spec: { replicas: 4 },
      status: { phase: 'Healthy' },
    });
    expect(res.status).toBe(200);
    expect(res.body.spec.replicas).toBe(4);
    expect(res.body.status?.phase).toBeUndefined();
  });

  it('ignores spec in a patch of /status, and bumps no generation', async () => {
    const [created] = await applyObjects(ns, [rollout('status-b')]);
    const res = await adminRequest('PATCH', `${roPath('status-b')}/status`, {
      spec: { replicas: 9 },
      status: { phase: 'Progressing', currentStepIndex: 0 },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toMatchObject({ phase: 'Progressing', currentStepIndex: 0 });
    expect(res.body.spec.replicas).toBe(2);
    expect(res.body.metadata.generation).toBe(created.metadata.generation);
  });
});

describe('CRD schema validation (canonical Istio CRD)', () => {
  it('rejects a VirtualService whose route weight is a string with 422 naming the field', async () => {
    const res = await adminRequest('POST', `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices`, {
      ...virtualService('bad-weight', '100'),
      metadata: { name: 'bad-weight', namespace: ns },
    });
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe('Invalid');
    expect(res.body.message).toContain('spec.http[0].route[0].weight');
    expect((await adminRequest('GET', vsPath('bad-weight'))).status).toBe(404);
  });

  it('accepts the same VirtualService with an integer weight', async () => {
    const [vs] = await applyObjects(ns, [virtualService('good-weight', 100)]);
    expect(vs.spec.http[0].route[0].weight).toBe(100);
  });
});
