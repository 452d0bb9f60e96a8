/**
 * The gateway as the functions ship it: client-gateway.ts and kubeconfig.ts bundled with the lean plugin
 * (scripts/esbuild-lean.mjs: client-node without its model classes, unreachable packages replaced), run against the
 * real kube-apiserver. Bodies must stay plain JSON (unknown fields and timestamps kept), errors typed, watches live.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { build, stop, type Metafile } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { createGateway as CreateGateway } from '../../shared/adapters/kube/client-gateway.js';
import type {
  parseKubeconfig as ParseKubeconfig,
  toKubeConfig as ToKubeConfig,
} from '../../shared/adapters/kube/kubeconfig.js';
import type { KubeGateway, WatchEvent } from '../../shared/app/kube-port/gateway.js';
import type { KubeObject } from '../../shared/core/model/types.js';
import { leanPlugin, NODE_BUNDLE, UNREACHABLE } from '../../scripts/esbuild-lean.mjs';
import { clusterInfo, createNamespace } from '../support/cluster.js';
import { rollout, virtualService } from '../cluster/fixtures.js';

const root = path.resolve(import.meta.dirname, '../..');
const outDir = path.join(root, 'dist', `lean-test-${process.pid}`);
let meta: Metafile;
let gw: KubeGateway;
let ns: string;

interface Bundled {
  createGateway: typeof CreateGateway;
  parseKubeconfig: typeof ParseKubeconfig;
  toKubeConfig: typeof ToKubeConfig;
}

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'gateway.mjs');
  const result = await build({
    stdin: {
      contents: `export { createGateway } from './shared/adapters/kube/client-gateway.ts';
export { parseKubeconfig, toKubeConfig } from './shared/adapters/kube/kubeconfig.ts';`,
      resolveDir: root,
      loader: 'ts',
    },
    outfile,
    ...NODE_BUNDLE,
    metafile: true,
    plugins: [leanPlugin],
    logLevel: 'error',
  });
  meta = result.metafile;
  const m = (await import(pathToFileURL(outfile).href)) as Bundled;
  gw = m.createGateway(m.toKubeConfig(m.parseKubeconfig(clusterInfo().kubeconfigYaml)));
  ns = await createNamespace('lean');
}, 60_000);

afterAll(async () => {
  rmSync(outDir, { recursive: true, force: true });
  await stop(); // esbuild's service process would otherwise outlive this file in jest's process
});

const obj = (o: Record<string, unknown>, name: string, labels?: Record<string, string>): KubeObject =>
  ({ ...o, metadata: { name, ...(labels ? { labels } : {}) } }) as KubeObject;

describe('the lean gateway bundle', () => {
  it('holds no client-node model class, ws, nor any package the plugin stands in for', () => {
    // What is in the output (the metafile's inputs also list the files tree-shaking dropped).
    const output = Object.values(meta.outputs).find((o) => o.entryPoint !== undefined);
    const inputs = Object.entries(output?.inputs ?? {})
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([f]) => f);
    expect(inputs.some((f) => f.includes('@kubernetes/client-node/dist/gen/apis/CustomObjectsApi.js'))).toBe(
      true,
    );
    expect(inputs.filter((f) => /client-node\/dist\/gen\/models\/(?!ObjectSerializer\.js)/.test(f))).toEqual(
      [],
    );
    for (const pkg of [...Object.keys(UNREACHABLE), 'ws']) {
      expect(inputs.filter((f) => f.includes(`node_modules/${pkg}/`))).toEqual([]);
    }
  });

  it('creates, reads and lists objects as plain JSON (unknown fields and timestamps kept)', async () => {
    const vs = obj({ ...virtualService('reviews'), extra: { kept: true } }, 'reviews', { app: 'lean' });
    const created = await gw.create('virtualservices', ns, vs);
    expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
    const got = await gw.get('virtualservices', ns, 'reviews');
    expect(typeof got?.metadata.creationTimestamp).toBe('string');
    expect((got as unknown as { spec: unknown }).spec).toEqual((vs as unknown as { spec: unknown }).spec);
    expect(await gw.get('virtualservices', ns, 'missing')).toBeUndefined();
    const list = await gw.list('virtualservices', ns, { labelSelector: 'app=lean' });
    expect(list.items.map((i) => i.metadata.name)).toEqual(['reviews']);
    expect(list.resourceVersion).toMatch(/^\d+$/);
  });

  it('applies a JSON Patch whose test holds, and reports a stale one as a typed conflict', async () => {
    const target = { resource: 'virtualservices' as const, namespace: ns, name: 'reviews' };
    const rv = (await gw.get('virtualservices', ns, 'reviews'))?.metadata.resourceVersion;
    const patched = await gw.patch(target, [
      { op: 'test', path: '/metadata/resourceVersion', value: rv },
      { op: 'replace', path: '/spec/http/0/route/0/weight', value: 90 },
    ]);
    expect(patched.metadata.resourceVersion).not.toBe(rv);
    const stale = await gw.patch(target, [{ op: 'test', path: '/metadata/resourceVersion', value: rv }]).then(
      () => undefined,
      (e: unknown) => e as { name: string; code: number; isConflict: boolean },
    );
    expect(stale).toMatchObject({ name: 'KubeApiError', code: 422, isConflict: true });
  });

  it('writes status through the status subresource with a merge patch', async () => {
    await gw.create('rollouts', ns, obj(rollout('app'), 'app'));
    const target = {
      resource: 'rollouts' as const,
      namespace: ns,
      name: 'app',
      subresource: 'status' as const,
    };
    const out = await gw.mergePatch(target, { status: { currentStepIndex: 1 } });
    expect((out as unknown as { status: { currentStepIndex: number } }).status.currentStepIndex).toBe(1);
  });

  it('watches: a change made after the list arrives as an event', async () => {
    const { resourceVersion } = await gw.list('virtualservices', ns);
    const events: WatchEvent[] = [];
    const h = gw.watch('virtualservices', ns, resourceVersion, (e) => events.push(e));
    await gw.create('virtualservices', ns, obj(virtualService('watched'), 'watched'));
    for (let i = 0; i < 100 && !events.some((e) => e.object.metadata.name === 'watched'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    h.stop();
    await h.done;
    expect(events.find((e) => e.object.metadata.name === 'watched')?.type).toBe('ADDED');
  });
});
