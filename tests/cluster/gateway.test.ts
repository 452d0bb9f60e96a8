/** The client-node gateway against the real kube-apiserver: paths, patches, preconditions, status, dryRun, watch. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createGateway,
  type GatewayOptions,
  type RequestInfo,
} from '../../shared/adapters/kube/client-gateway.js';
import { KubeApiError } from '../../shared/app/kube-port/errors.js';
import { parseKubeconfig, toKubeConfig } from '../../shared/adapters/kube/kubeconfig.js';
import type { KubeGateway, WatchEvent } from '../../shared/app/kube-port/gateway.js';
import type { KubeObject } from '../../shared/core/model/types.js';
import { adminRequest, clusterInfo, createNamespace } from '../support/cluster.js';
import { startTcpProxy, type TcpProxy } from '../support/fault-proxy.js';
import { rollout, service, virtualService } from './fixtures.js';

let ns: string;
let gw: KubeGateway;
const seen: RequestInfo[] = [];

function gateway(opts: GatewayOptions = {}, kubeconfig = clusterInfo().kubeconfigYaml): KubeGateway {
  return createGateway(toKubeConfig(parseKubeconfig(kubeconfig)), {
    onRequest: (i) => seen.push(i),
    ...opts,
  });
}

async function failure(p: Promise<unknown>): Promise<KubeApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KubeApiError) return err;
    throw err;
  }
  throw new Error('expected a KubeApiError');
}

const obj = (o: Record<string, unknown>, name: string, labels?: Record<string, string>): KubeObject =>
  ({ ...o, metadata: { name, ...(labels ? { labels } : {}) } }) as KubeObject;

beforeAll(async () => {
  ns = await createNamespace('gateway');
  gw = gateway();
});

describe('reads', () => {
  it('returns undefined for a missing object (404)', async () => {
    expect(await gw.get('virtualservices', ns, 'missing')).toBeUndefined();
    expect(await gw.get('services', ns, 'missing')).toBeUndefined();
  });

  it('creates and reads CRD and core objects as plain JSON (unknown fields and timestamps kept)', async () => {
    const vs = await gw.create('virtualservices', ns, obj(virtualService('reviews'), 'reviews'));
    expect(vs.metadata.resourceVersion).toMatch(/^\d+$/);
    const svc = await gw.create('services', ns, obj(service('reviews-stable'), 'reviews-stable'));
    const got = await gw.get('services', ns, 'reviews-stable');
    expect(got?.metadata.uid).toBe(svc.metadata.uid);
    expect(typeof got?.metadata.creationTimestamp).toBe('string');
    expect((got?.spec as { ports: unknown[] }).ports).toHaveLength(1);
  });

  it('lists with a labelSelector, returning the list resourceVersion', async () => {
    await gw.create('virtualservices', ns, obj(virtualService('a'), 'labelled-a', { team: 'x' }));
    await gw.create('virtualservices', ns, obj(virtualService('b'), 'labelled-b', { team: 'y' }));
    const out = await gw.list('virtualservices', ns, { labelSelector: 'team=x' });
    expect(out.items.map((i) => i.metadata.name)).toEqual(['labelled-a']);
    expect(out.resourceVersion).toMatch(/^\d+$/);
    const all = await gw.list('virtualservices', undefined, { labelSelector: 'team in (x,y)' });
    expect(all.items.filter((i) => i.metadata.namespace === ns)).toHaveLength(2);
  });
});

describe('writes and preconditions', () => {
  it('applies a JSON Patch whose resourceVersion test holds, and reports a stale one as a conflict (422)', async () => {
    const vs = await gw.create('virtualservices', ns, obj(virtualService('jp'), 'jp'));
    const target = { resource: 'virtualservices' as const, namespace: ns, name: 'jp' };
    const rv = vs.metadata.resourceVersion;
    const patched = await gw.patch(target, [
      { op: 'test', path: '/metadata/resourceVersion', value: rv },
      { op: 'replace', path: '/spec/http/0/route/0/weight', value: 90 },
      { op: 'replace', path: '/spec/http/0/route/1/weight', value: 10 },
    ]);
    expect(patched.metadata.resourceVersion).not.toBe(rv);
    const err = await failure(
      gw.patch(target, [{ op: 'test', path: '/metadata/resourceVersion', value: rv }]),
    );
    expect(err.code).toBe(422);
    expect(err.isConflict).toBe(true);
    expect(err.message).toMatch(
      new RegExp(
        `^patch virtualservices\\.networking\\.istio\\.io ${ns}/jp failed: 422 Invalid: JSON Patch test operation failed: resourceVersion is \\d+, expected ${rv}$`,
      ),
    );
    // A patch that is wrong in itself (missing path) is not a conflict, though the server answers the same bare 422.
    const broken = await failure(
      gw.patch(target, [
        { op: 'test', path: '/metadata/resourceVersion', value: patched.metadata.resourceVersion },
        { op: 'replace', path: '/spec/http/7/route/0/weight', value: 1 },
      ]),
    );
    expect(broken.code).toBe(422);
    expect(broken.isConflict).toBe(false);
    expect(broken.message).toMatch(/JSON Patch could not be applied/);
  });

  it('reports a merge patch carrying a stale resourceVersion as a 409 conflict', async () => {
    const svc = await gw.create('services', ns, obj(service('mp'), 'mp'));
    const target = { resource: 'services' as const, namespace: ns, name: 'mp' };
    await gw.mergePatch(target, { metadata: { annotations: { a: '1' } } });
    const err = await failure(
      gw.mergePatch(target, {
        metadata: { resourceVersion: svc.metadata.resourceVersion, annotations: { a: '2' } },
      }),
    );
    expect(err.code).toBe(409);
    expect(err.reason).toBe('Conflict');
    expect(err.isConflict).toBe(true);
    expect(err.isRetryable).toBe(false);
    expect((await gw.get('services', ns, 'mp'))?.metadata.annotations).toEqual({ a: '1' });
  });

  it('writes status only through the status subresource', async () => {
    await gw.create('rollouts', ns, obj(rollout('st'), 'st'));
    const target = { resource: 'rollouts' as const, namespace: ns, name: 'st' };
    await gw.mergePatch(target, { status: { currentStepIndex: 5 } });
    expect((await gw.get('rollouts', ns, 'st'))?.status).toBeUndefined();
    const out = await gw.patch({ ...target, subresource: 'status' }, [
      { op: 'add', path: '/status', value: { currentStepIndex: 1, phase: 'Progressing' } },
    ]);
    expect(out.status).toEqual({ currentStepIndex: 1, phase: 'Progressing' });
    const merged = await gw.mergePatch(
      { ...target, subresource: 'status' },
      { status: { currentStepIndex: 2 } },
    );
    expect(merged.status).toEqual({ currentStepIndex: 2, phase: 'Progressing' });
    expect((merged.spec as { replicas: number }).replicas).toBe(2);
  });

  it('dryRun validates but persists nothing', async () => {
    const created = await gw.create('virtualservices', ns, obj(virtualService('dry'), 'dry'), {
      dryRun: true,
    });
    expect(created.metadata.name).toBe('dry');
    expect(await gw.get('virtualservices', ns, 'dry')).toBeUndefined();
    const real = await gw.create('virtualservices', ns, obj(virtualService('dry2'), 'dry2'));
    const target = { resource: 'virtualservices' as const, namespace: ns, name: 'dry2' };
    const out = await gw.patch(target, [{ op: 'replace', path: '/spec/http/0/route/0/weight', value: 55 }], {
      dryRun: true,
    });
    expect((out.spec as { http: { route: { weight: number }[] }[] }).http[0]!.route[0]!.weight).toBe(55);
    const after = await adminRequest(
      'GET',
      `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices/dry2`,
    );
    expect((after.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion).toBe(
      real.metadata.resourceVersion,
    );
    const invalid = await failure(
      gw.patch(target, [{ op: 'replace', path: '/spec/http/0/route/0/weight', value: 'lots' }], {
        dryRun: true,
      }),
    );
    expect(invalid.code).toBe(422);
    expect(invalid.isConflict).toBe(false);
  });

  it('names verb, resource, namespace and object in errors', async () => {
    const err = await failure(
      gw.patch({ resource: 'replicasets', namespace: ns, name: 'nope' }, [
        { op: 'replace', path: '/spec/replicas', value: 1 },
      ]),
    );
    expect(err.code).toBe(404);
    expect(err.message).toBe(
      `patch replicasets.apps ${ns}/nope failed: 404 NotFound: replicasets.apps "nope" not found`,
    );
    const dup = await failure(gw.create('virtualservices', ns, obj(virtualService('reviews'), 'reviews')));
    expect(dup.code).toBe(409);
    expect(dup.reason).toBe('AlreadyExists');
    expect(dup.message).toMatch(
      new RegExp(`^create virtualservices\\.networking\\.istio\\.io ${ns}/reviews failed: 409 AlreadyExists`),
    );
  });

  it('counts every request through onRequest', async () => {
    const before = seen.length;
    await gw.get('rollouts', ns, 'st');
    expect(seen.slice(before)).toEqual([
      expect.objectContaining({ verb: 'get', resource: 'rollouts.argoproj.io', namespace: ns, status: 200 }),
    ]);
  });
});

describe('watch', () => {
  it('delivers ADDED/MODIFIED events and a BOOKMARK, then ends by the deadline', async () => {
    const { resourceVersion } = await gw.list('virtualservices', ns);
    const events: WatchEvent[] = [];
    const w = gateway({ deadline: () => Date.now() + 5000 });
    const h = w.watch('virtualservices', ns, resourceVersion, (e) => events.push(e));
    await new Promise((r) => setTimeout(r, 300));
    await gw.create('virtualservices', ns, obj(virtualService('watched'), 'watched'));
    await gw.mergePatch(
      { resource: 'virtualservices', namespace: ns, name: 'watched' },
      { metadata: { labels: { w: '1' } } },
    );
    await h.done;
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['ADDED', 'MODIFIED']);
    expect(events[0]!.object.metadata.name).toBe('watched');
    expect(types).toContain('BOOKMARK');
  }, 15_000);

  it('rejects done with 410 Expired for a too-old resourceVersion', async () => {
    const err = await failure(gw.watch('rollouts', ns, '1', () => {}).done);
    expect(err.code).toBe(410);
    expect(err.reason).toBe('Expired');
  });
});

describe('through a faulty network (TLS verified end to end)', () => {
  let proxy: TcpProxy;
  let viaProxy: string;
  beforeAll(async () => {
    const url = new URL(clusterInfo().server);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    viaProxy = clusterInfo().kubeconfigYaml.replace(url.origin, `https://${url.hostname}:${proxy.port}`);
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('works through the pass-through proxy', async () => {
    proxy.setMode('pass');
    expect((await gateway({}, viaProxy).get('rollouts', ns, 'st'))?.metadata.name).toBe('st');
  });

  it('times out a black-holed request and gives up at the deadline', async () => {
    proxy.setMode('blackhole');
    const deadline = Date.now() + 1500;
    const g = gateway(
      { timeoutMs: 300, deadline: () => deadline, backoff: { baseMs: 50, capMs: 100 } },
      viaProxy,
    );
    const err = await failure(g.get('rollouts', ns, 'st'));
    expect(err.code).toBe(0);
    expect(['Timeout', 'DeadlineExceeded']).toContain(err.reason);
    expect(Date.now()).toBeLessThan(deadline + 500);
  });

  it('retries a reset connection and succeeds once the network recovers', async () => {
    proxy.setMode('reset');
    const g = gateway({ backoff: { baseMs: 300, capMs: 300, random: () => 1 } }, viaProxy);
    const p = g.get('rollouts', ns, 'st');
    setTimeout(() => proxy.setMode('pass'), 400);
    expect((await p)?.metadata.name).toBe('st');
  });
});
