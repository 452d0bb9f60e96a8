/**
 * The fake API server through the project's own gateway (@kubernetes/client-node 2.0.1), plus the behaviour the
 * parity test cannot reach on a real cluster (watch expiry after compaction, bookmarks).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createGateway } from '../../../../shared/adapters/kube/client-gateway.js';
import type { KubeGateway, WatchEvent } from '../../../../shared/app/kube-port/gateway.js';
import { KubeApiError } from '../../../../shared/app/kube-port/errors.js';
import { parseKubeconfig, toKubeConfig } from '../../../../shared/adapters/kube/kubeconfig.js';
import {
  startFakeApiServer,
  type FakeApiServer,
} from '../../../../shared/runtimes/sandbox/fake-apiserver.js';

const rollout = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name, namespace: 'shop', labels },
  spec: { replicas: 1 },
});

describe('fake API server through the client-node gateway', () => {
  let api: FakeApiServer;
  let gw: KubeGateway;
  beforeAll(async () => {
    api = await startFakeApiServer({ bookmarkIntervalMs: 100 });
    gw = createGateway(toKubeConfig(parseKubeconfig(api.kubeconfig(), { allowLoopbackHttp: true })), {
      maxRetries: 0,
    });
  });
  afterAll(async () => api.close());

  it('creates, reads and lists with server-set metadata and monotonic resourceVersions', async () => {
    const a = await gw.create('rollouts', 'shop', rollout('a', { team: 'x' }));
    const b = await gw.create('rollouts', 'shop', rollout('b'));
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata.generation).toBe(1);
    expect(a.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect((await gw.get('rollouts', 'shop', 'a'))?.metadata.uid).toBe(a.metadata.uid);
    expect(await gw.get('rollouts', 'shop', 'missing')).toBeUndefined();
    const listed = await gw.list('rollouts', undefined, { labelSelector: 'team=x' });
    expect(listed.items.map((o) => o.metadata.name)).toEqual(['a']);
  });

  it('deletes with uid/resourceVersion preconditions: a mismatch is 409 and keeps it, dry run keeps it, 404 after', async () => {
    const d = await gw.create('rollouts', 'shop', rollout('to-delete'));
    const target = { resource: 'rollouts' as const, namespace: 'shop', name: 'to-delete' };
    const { uid = '', resourceVersion = '' } = d.metadata;
    await expect(gw.delete(target, { preconditions: { uid, resourceVersion: '1' } })).rejects.toMatchObject({
      code: 409,
      reason: 'Conflict',
    });
    await expect(
      gw.delete(target, { preconditions: { uid: 'other', resourceVersion } }),
    ).rejects.toMatchObject({
      code: 409,
    });
    await gw.delete(target, { dryRun: true, preconditions: { uid, resourceVersion } });
    expect(await gw.get('rollouts', 'shop', 'to-delete')).toBeDefined();
    await gw.delete(target, { preconditions: { uid, resourceVersion } });
    expect(await gw.get('rollouts', 'shop', 'to-delete')).toBeUndefined();
    await expect(gw.delete(target)).rejects.toMatchObject({ code: 404 });
  });

  it('evicts a pod through pods/<name>/eviction: dry run keeps it, then it is gone, 404 after', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop' }, spec: {} };
    await gw.create('pods', 'shop', pod);
    await gw.evict('shop', 'web-1', { dryRun: true });
    expect(await gw.get('pods', 'shop', 'web-1')).toBeDefined();
    await gw.evict('shop', 'web-1');
    expect(await gw.get('pods', 'shop', 'web-1')).toBeUndefined();
    await expect(gw.evict('shop', 'web-1')).rejects.toMatchObject({ code: 404 });
  });

  it('maps a second create to 409 AlreadyExists', async () => {
    await expect(gw.create('rollouts', 'shop', rollout('a'))).rejects.toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
    });
  });

  it('bumps generation on a spec change only, and keeps status and spec writes apart', async () => {
    const spec = await gw.mergePatch(
      { resource: 'rollouts', namespace: 'shop', name: 'a' },
      { spec: { replicas: 3 }, status: { phase: 'X' } },
    );
    expect(spec.metadata.generation).toBe(2);
    expect(spec.status).toBeUndefined();
    const status = await gw.mergePatch(
      { resource: 'rollouts', namespace: 'shop', name: 'a', subresource: 'status' },
      { spec: { replicas: 9 }, status: { phase: 'Healthy' } },
    );
    expect(status.metadata.generation).toBe(2);
    expect((status.spec as { replicas: number }).replicas).toBe(3);
    expect((status.status as { phase: string }).phase).toBe('Healthy');
  });

  it('refuses a JSON Patch whose test fails with 422 and writes nothing', async () => {
    const before = await gw.get('rollouts', 'shop', 'a');
    const err = await gw
      .patch({ resource: 'rollouts', namespace: 'shop', name: 'a' }, [
        { op: 'test', path: '/metadata/resourceVersion', value: '1' },
        { op: 'replace', path: '/spec/replicas', value: 7 },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).code).toBe(422);
    expect((await gw.get('rollouts', 'shop', 'a'))?.metadata.resourceVersion).toBe(
      before?.metadata.resourceVersion,
    );
  });

  it('persists nothing for a dry run', async () => {
    const before = await gw.get('rollouts', 'shop', 'a');
    const dry = await gw.mergePatch(
      { resource: 'rollouts', namespace: 'shop', name: 'a' },
      { spec: { replicas: 8 } },
      { dryRun: true },
    );
    expect((dry.spec as { replicas: number }).replicas).toBe(8);
    expect(await gw.get('rollouts', 'shop', 'a')).toEqual(before);
  });

  it('serves the Istio kinds under v1 and answers no-op writes without a new resourceVersion', async () => {
    const vs = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'r', namespace: 'shop' },
      spec: { hosts: ['r'] },
    };
    const created = await gw.create('virtualservices', 'shop', vs);
    const same = await gw.mergePatch(
      { resource: 'virtualservices', namespace: 'shop', name: 'r' },
      { spec: { hosts: ['r'] } },
    );
    expect(same.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('watches from a resourceVersion with bookmarks, in order', async () => {
    const from = (await gw.list('rollouts', 'shop')).resourceVersion;
    const events: WatchEvent[] = [];
    const handle = gw.watch('rollouts', 'shop', from, (e) => events.push(e));
    await gw.mergePatch(
      { resource: 'rollouts', namespace: 'shop', name: 'b' },
      { metadata: { labels: { w: '1' } } },
    );
    await gw.create('rollouts', 'shop', rollout('c'));
    for (let i = 0; i < 50 && !events.some((e) => e.type === 'BOOKMARK'); i++)
      await new Promise((r) => setTimeout(r, 20));
    handle.stop();
    const changes = events
      .filter((e) => e.type !== 'BOOKMARK')
      .map((e) => `${e.type} ${e.object.metadata.name}`);
    expect(changes).toEqual(['MODIFIED b', 'ADDED c']);
    expect(events.some((e) => e.type === 'BOOKMARK')).toBe(true);
  });

  it('ends a watch from a compacted resourceVersion with 410 Expired', async () => {
    const old = (await gw.list('rollouts', 'shop')).resourceVersion;
    await gw.create('rollouts', 'shop', rollout('d'));
    api.store.compact();
    const handle = gw.watch('rollouts', 'shop', old, () => undefined);
    await expect(handle.done).rejects.toMatchObject({ code: 410 });
  });
});
