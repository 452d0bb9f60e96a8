/**
 * The gateway as the functions ship it: client-gateway.ts and kubeconfig.ts bundled with the lean plugin
 * (scripts/esbuild-lean.mjs: client-node without its model classes, unreachable packages replaced), run against the
 * real kube-apiserver. Bodies must stay plain JSON (unknown fields and timestamps kept), errors typed, watches live.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { build, stop, type Metafile } from 'esbuild';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createGateway } from '../../shared/adapters/kube/client-gateway.js';
import { parseKubeconfig, toKubeConfig } from '../../shared/adapters/kube/kubeconfig.js';
import { readClusterFile } from '../../tools/test-cluster/cluster.js';
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
  createGateway: typeof createGateway;
  parseKubeconfig: typeof parseKubeconfig;
  toKubeConfig: typeof toKubeConfig;
}
let bundled: Bundled;

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
  bundled = (await import(pathToFileURL(outfile).href)) as Bundled;
  gw = bundled.createGateway(bundled.toKubeConfig(bundled.parseKubeconfig(clusterInfo().kubeconfigYaml)));
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
    // undici: client-node's fetch and Agent come from https-fetch.ts (node:https) instead.
    expect(inputs.some((f) => f.endsWith('shared/adapters/kube/https-fetch.ts'))).toBe(true);
    for (const pkg of [...Object.keys(UNREACHABLE), 'ws', 'undici']) {
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

describe('a function bundle at import', () => {
  it('loads no AWS SDK module: each is imported on first use (dynamic import), none statically', async () => {
    const result = await build({
      entryPoints: [path.join(root, 'functions', 'step', 'handler.ts')],
      outfile: path.join(outDir, 'step.mjs'),
      ...NODE_BUNDLE,
      external: ['@aws-sdk/*'],
      metafile: true,
      write: false,
      plugins: [leanPlugin],
      logLevel: 'error',
    });
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
    const sdk = imports.filter((i) => i.path.startsWith('@aws-sdk/'));
    expect(sdk.filter((i) => i.kind !== 'dynamic-import')).toEqual([]);
    expect(new Set(sdk.map((i) => i.path))).toEqual(
      new Set([
        '@aws-sdk/client-secrets-manager',
        '@aws-sdk/client-eventbridge',
        '@aws-sdk/client-sqs',
        '@aws-sdk/client-ssm',
        '@aws-sdk/client-eks',
        '@aws-sdk/client-cloudwatch',
        '@aws-sdk/client-sts',
      ]),
    );
  });
});

describe('the lean gateway bundle fails as the unbundled gateway (client-node on undici) fails', () => {
  const b64 = (t: string): string => Buffer.from(t).toString('base64');
  const listen = (srv: http.Server | https.Server): Promise<number> =>
    new Promise((ok) => srv.listen(0, '127.0.0.1', () => ok((srv.address() as AddressInfo).port)));
  const kubeconfig = (server: string, ca: string): string =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server, 'certificate-authority-data': b64(ca) } }],
      users: [{ name: 'u', user: { token: 'secret-token' } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    });
  /** The error of a read through the bundled and the unbundled gateway, and the statuses a watch saw. */
  async function bothFail(server: string, ca: string): Promise<{ messages: string[]; watches: number[][] }> {
    const messages: string[] = [];
    const watches: number[][] = [];
    for (const m of [bundled, { createGateway, parseKubeconfig, toKubeConfig }]) {
      const statuses: number[] = [];
      const g = m.createGateway(m.toKubeConfig(m.parseKubeconfig(kubeconfig(server, ca))), {
        maxRetries: 0,
        onRequest: (r) => statuses.push(r.status),
      });
      messages.push(await g.get('rollouts', 'shop', 'reviews').then(String, (e: Error) => e.message));
      await g.watch('virtualservices', 'shop', '1', () => undefined).done.catch(() => undefined);
      watches.push(statuses);
    }
    return { messages, watches };
  }

  it('a redirect to another origin: refused with the same error, the other origin never reached', async () => {
    const certs = readClusterFile(clusterInfo().dir).paths.certs;
    const hits: string[] = [];
    const plain = http.createServer((req, res) => {
      hits.push(String(req.url));
      res.end('{}');
    });
    const plainPort = await listen(plain);
    const redirector = https.createServer(
      { cert: readFileSync(certs.servingCert), key: readFileSync(certs.servingKey) },
      (req, res) => {
        res.writeHead(307, { location: `http://127.0.0.1:${plainPort}${req.url}` });
        res.end();
      },
    );
    const server = `https://127.0.0.1:${await listen(redirector)}`;
    try {
      const { messages, watches } = await bothFail(server, readFileSync(certs.caCert, 'utf8'));
      expect(messages[0]).toMatch(/failed: network ERR_CROSS_ORIGIN_REQUEST: refused a request to http:/);
      expect(messages[0]).toBe(messages[1]);
      expect(watches).toEqual([
        [0, 0],
        [0, 0],
      ]); // the read's and the watch connect's: neither got a response
      expect(hits).toEqual([]);
    } finally {
      redirector.closeAllConnections();
      await new Promise((ok) => redirector.close(ok));
      await new Promise((ok) => plain.close(ok));
    }
  });

  it('a refused connection and an untrusted certificate: the same reason and message', async () => {
    const closed = http.createServer();
    const port = await listen(closed);
    await new Promise((ok) => closed.close(ok));
    const conn = readClusterFile(clusterInfo().dir);
    const refused = await bothFail(
      `https://127.0.0.1:${port}`,
      readFileSync(conn.paths.certs.caCert, 'utf8'),
    );
    expect(refused.messages[0]).toMatch(/failed: network ECONNREFUSED/);
    expect(refused.messages[0]).toBe(refused.messages[1]);
    // The API server's certificate checked against another CA (the admin client certificate's PEM is no CA of it).
    const untrusted = await bothFail(conn.server, readFileSync(conn.paths.certs.adminCert, 'utf8'));
    expect(untrusted.messages[0]).toMatch(/failed: network [A-Z_]+: /);
    expect(untrusted.messages[0]).toBe(untrusted.messages[1]);
  });
});
