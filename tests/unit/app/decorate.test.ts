import { describe, expect, it } from '@jest/globals';
import { decorateGateway, type GatewayRequest } from '../../../shared/app/kube-port/decorate.js';
import type { KubeGateway, WatchHandle } from '../../../shared/app/kube-port/gateway.js';
import type { KubeObject } from '../../../shared/core/model/types.js';
import type { Target } from '../../../shared/core/engine/types.js';
import { MemoryGateway } from './memory-gateway.js';

/** A gateway that records each call's method and exact arguments, and answers with its own name. */
function probe(label: string) {
  const calls: { gw: string; method: string; args: unknown[] }[] = [];
  const handle: WatchHandle = { stop: () => undefined, done: Promise.resolve() };
  const answer = (method: string, args: unknown[]) => {
    calls.push({ gw: label, method, args });
    return Promise.resolve({ metadata: { name: label } } as KubeObject);
  };
  const gw: KubeGateway = {
    get: (...args) => answer('get', args),
    list: (...args) => {
      calls.push({ gw: label, method: 'list', args });
      return Promise.resolve({ items: [], resourceVersion: label });
    },
    create: (...args) => answer('create', args),
    patch: (...args) => answer('patch', args),
    mergePatch: (...args) => answer('mergePatch', args),
    delete: async (...args) => void (await answer('delete', args)),
    evict: async (...args) => void (await answer('evict', args)),
    watch: (...args) => {
      calls.push({ gw: label, method: 'watch', args });
      return handle;
    },
  };
  return { gw, calls, handle };
}

const vs: Target = { resource: 'virtualservices', namespace: 'shop', name: 'reviews' };
const status: Target = { resource: 'rollouts', namespace: 'shop', name: 'reviews', subresource: 'status' };
const rs: Target = { resource: 'replicasets', namespace: 'shop', name: 'reviews-abc' };
const body = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'shop' } } as KubeObject;
const ops = [{ op: 'replace' as const, path: '/spec/x', value: 1 }];
const onEvent = (): void => undefined;

/** Every method once, with the arguments of each call. */
async function callEvery(gw: KubeGateway): Promise<WatchHandle> {
  await gw.get('rollouts', 'shop', 'reviews');
  await gw.list('rollouts', undefined);
  await gw.list('services', 'shop', { labelSelector: 'a=b' });
  await gw.create('events', 'shop', body, { dryRun: true });
  await gw.patch(vs, ops);
  await gw.mergePatch(status, { status: { abort: true } });
  await gw.delete(rs, { preconditions: { uid: 'u1', resourceVersion: '9' } });
  await gw.evict('shop', 'reviews-abc-x1', { dryRun: true });
  return gw.watch('virtualservices', 'shop', '7', onEvent);
}

describe('decorateGateway', () => {
  it('without a decoration forwards every method with the same arguments (same count, same objects)', async () => {
    const inner = probe('inner');
    const handle = await callEvery(decorateGateway(inner.gw));
    const direct = probe('inner');
    await callEvery(direct.gw);
    expect(inner.calls).toEqual(direct.calls);
    expect(inner.calls.map((c) => c.args.length)).toEqual([3, 2, 3, 4, 2, 2, 2, 3, 4]);
    expect(inner.calls[3]?.args[2]).toBe(body);
    expect(handle).toBe(inner.handle);
  });

  it('describes each request to `around` (resource, namespace, name, subresource, body, options, write)', async () => {
    const seen: GatewayRequest[] = [];
    const inner = probe('inner');
    await callEvery(decorateGateway(inner.gw, { around: (r, send) => (seen.push(r), send(inner.gw)) }));
    expect(seen).toEqual([
      { method: 'get', write: false, resource: 'rollouts', namespace: 'shop', name: 'reviews' },
      { method: 'list', write: false, resource: 'rollouts', namespace: undefined },
      {
        method: 'list',
        write: false,
        resource: 'services',
        namespace: 'shop',
        options: { labelSelector: 'a=b' },
      },
      {
        method: 'create',
        write: true,
        resource: 'events',
        namespace: 'shop',
        name: 'e1',
        body,
        options: { dryRun: true },
      },
      { method: 'patch', write: true, ...vs, target: vs, body: ops },
      { method: 'mergePatch', write: true, ...status, target: status, body: { status: { abort: true } } },
      {
        method: 'delete',
        write: true,
        ...rs,
        target: rs,
        options: { preconditions: { uid: 'u1', resourceVersion: '9' } },
      },
      {
        method: 'evict',
        write: true,
        resource: 'pods',
        namespace: 'shop',
        name: 'reviews-abc-x1',
        options: { dryRun: true },
      },
    ]);
    expect(inner.calls.map((c) => c.method)).toEqual([
      'get',
      'list',
      'list',
      'create',
      'patch',
      'mergePatch',
      'delete',
      'evict',
      'watch',
    ]);
  });

  it('sends a request to whichever gateway `around` picks', async () => {
    const a = probe('a');
    const b = probe('b');
    const routed = decorateGateway(a.gw, {
      around: (r, send) => send(r.resource === 'virtualservices' ? b.gw : a.gw),
    });
    expect(await routed.get('virtualservices', 'shop', 'reviews')).toEqual({ metadata: { name: 'b' } });
    expect(await routed.get('rollouts', 'shop', 'reviews')).toEqual({ metadata: { name: 'a' } });
    expect([...a.calls, ...b.calls].map((c) => `${c.gw} ${c.method}`)).toEqual(['a get', 'b get']);
  });

  it('replaces overridden methods outright (no `around` for them) and forwards the rest', async () => {
    const inner = probe('inner');
    const seen: string[] = [];
    const gw = decorateGateway(inner.gw, {
      around: (r, send) => (seen.push(r.method), send(inner.gw)),
      overrides: { get: async () => undefined, patch: undefined },
    });
    expect(await gw.get('rollouts', 'shop', 'reviews')).toBeUndefined();
    await gw.patch(vs, ops);
    expect(seen).toEqual(['patch']);
    expect(inner.calls.map((c) => c.method)).toEqual(['patch']);
  });

  it('passes errors through unchanged and keeps `this` of a class-based gateway', async () => {
    const memory = new MemoryGateway();
    memory.put('rollouts', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'r', namespace: 'n' },
    });
    const gw = decorateGateway(memory);
    expect((await gw.get('rollouts', 'n', 'r'))?.metadata.name).toBe('r');
    const refused = new Error('refused');
    const failing = decorateGateway(memory, { around: () => Promise.reject(refused) });
    await expect(failing.list('rollouts', 'n')).rejects.toBe(refused);
    expect(memory.calls.map((c) => c.verb)).toEqual(['get']);
  });
});
