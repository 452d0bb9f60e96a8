/**
 * The sandbox's fake API server answers like the real kube-apiserver: the same scenario of raw API calls runs
 * against both, and the normalised answers (uids, timestamps, resourceVersions and namespace replaced by stable
 * tokens) must be equal, step by step.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { startFakeApiServer, type FakeApiServer } from '../../shared/runtimes/sandbox/fake-apiserver.js';
import { adminRequest, createNamespace } from '../support/cluster.js';

type Send = (
  method: string,
  path: string,
  body?: unknown,
  contentType?: string,
) => Promise<{ status: number; body: unknown }>;

function fakeSender(base: string): Send {
  return (method, path, body, contentType) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (payload !== undefined) {
        headers['content-type'] =
          contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
      }
      const req = httpRequest(new URL(path, base), { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // a watch stream: newline-delimited JSON, kept as text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
}

const ROLLOUT = (ns: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'parity', namespace: ns, labels: { app: 'parity', tier: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'parity' } },
    strategy: { canary: { steps: [{ setWeight: 20 }] } },
  },
  status: { phase: 'Healthy' },
});

const VS = (ns: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'parity', namespace: ns },
  spec: {
    hosts: ['parity'],
    http: [{ name: 'primary', route: [{ destination: { host: 'stable' }, weight: 100 }] }],
  },
});

/** Runs the scenario; returns one labelled answer per call. */
async function scenario(send: Send, ns: string): Promise<[string, number, unknown][]> {
  const out: [string, number, unknown][] = [];
  const base = `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`;
  const one = `${base}/parity`;
  const call = async (label: string, method: string, path: string, body?: unknown, type?: string) => {
    const r = await send(method, path, body, type);
    out.push([label, r.status, r.body]);
    return r.body as { metadata?: { resourceVersion?: string } };
  };
  const created = await call('create (status dropped)', 'POST', base, ROLLOUT(ns));
  const rv1 = created.metadata?.resourceVersion;
  await call('create again', 'POST', base, ROLLOUT(ns));
  await call('get', 'GET', one);
  await call('get missing', 'GET', `${base}/nope`);
  await call('merge patch spec', 'PATCH', one, { spec: { replicas: 3 } });
  await call('merge patch labels only', 'PATCH', one, { metadata: { labels: { extra: 'x' } } });
  await call('merge patch status on main resource', 'PATCH', one, { status: { phase: 'Degraded' } });
  await call('put with stale resourceVersion', 'PUT', one, {
    ...ROLLOUT(ns),
    metadata: { ...ROLLOUT(ns).metadata, resourceVersion: rv1 },
  });
  await call('put without resourceVersion', 'PUT', one, ROLLOUT(ns));
  await call('status merge patch', 'PATCH', `${one}/status`, {
    spec: { replicas: 9 },
    status: { phase: 'Progressing' },
  });
  const now = await call('get after status', 'GET', one);
  const rv = now.metadata?.resourceVersion;
  await call(
    'json patch failing test',
    'PATCH',
    one,
    [
      { op: 'test', path: '/metadata/resourceVersion', value: '1' },
      { op: 'replace', path: '/spec/replicas', value: 5 },
    ],
    'application/json-patch+json',
  );
  await call(
    'json patch passing test',
    'PATCH',
    one,
    [
      { op: 'test', path: '/metadata/resourceVersion', value: rv },
      { op: 'replace', path: '/spec/replicas', value: 5 },
    ],
    'application/json-patch+json',
  );
  await call(
    'json patch bad path',
    'PATCH',
    one,
    [{ op: 'replace', path: '/spec/nothing/here', value: 1 }],
    'application/json-patch+json',
  );
  await call('merge patch with stale resourceVersion', 'PATCH', one, {
    metadata: { resourceVersion: rv1 },
    spec: { replicas: 6 },
  });
  await call(
    'strategic merge patch on a custom resource',
    'PATCH',
    one,
    { spec: { replicas: 7 } },
    'application/strategic-merge-patch+json',
  );
  await call('dry-run patch', 'PATCH', `${one}?dryRun=All`, { spec: { replicas: 8 } });
  await call('get after dry run', 'GET', one);
  await call(
    'list by selector k=v,k!=v',
    'GET',
    `${base}?labelSelector=${encodeURIComponent('app=parity,tier!=db')}`,
  );
  await call('list by selector !k', 'GET', `${base}?labelSelector=${encodeURIComponent('!extra')}`);
  await call(
    'list by selector in',
    'GET',
    `${base}?labelSelector=${encodeURIComponent('tier in (web,api),extra')}`,
  );
  const vsBase = `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices`;
  await call('create virtualservice (v1)', 'POST', vsBase, VS(ns));
  await call(
    'get virtualservice as v1beta1',
    'GET',
    `/apis/networking.istio.io/v1beta1/namespaces/${ns}/virtualservices/parity`,
  );
  await call(
    'patch virtualservice as v1alpha3',
    'PATCH',
    `/apis/networking.istio.io/v1alpha3/namespaces/${ns}/virtualservices/parity`,
    { spec: { hosts: ['parity', 'parity.example'] } },
  );
  await call(
    'watch from the first version',
    'GET',
    `${base}?watch=true&resourceVersion=${rv1}&timeoutSeconds=1`,
  );
  return out;
}

/** Replaces values that differ between servers by design with stable tokens. */
function normalise(answers: [string, number, unknown][], ns: string): unknown {
  const versions = new Map<string, string>();
  const token = (v: string) => {
    if (!versions.has(v)) versions.set(v, `rv${versions.size + 1}`);
    return versions.get(v);
  };
  const walk = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') {
      if (key === 'resourceVersion') return token(value);
      if (key === 'uid') return 'UID';
      if (key === 'creationTimestamp') return 'TIME';
      return value.split(ns).join('NS');
    }
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => k !== 'managedFields')
          .map(([k, v]) => [k, walk(v, k)]),
      );
    }
    return value;
  };
  const watchLines = (text: unknown) =>
    typeof text === 'string'
      ? text
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as { type: string })
          .filter((e) => e.type !== 'BOOKMARK')
      : text;
  return answers.map(([label, status, body]) => ({
    label,
    status,
    body: walk(label.startsWith('watch') ? watchLines(body) : body),
  }));
}

/** Number of calls {@link scenario} makes (checked below, so a new call cannot go uncompared). */
const SCENARIO_CALLS = 25;

describe('Sandbox API parity with kube-apiserver', () => {
  let fake: FakeApiServer;
  let real: unknown;
  let sandbox: unknown;

  beforeAll(async () => {
    fake = await startFakeApiServer();
    const realNs = await createNamespace('sandbox-parity');
    real = normalise(await scenario(adminRequest, realNs), realNs);
    sandbox = normalise(await scenario(fakeSender(fake.url), 'parity-ns'), 'parity-ns');
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('makes every call of the scenario on both servers', () => {
    expect((real as unknown[]).length).toBe(SCENARIO_CALLS);
    expect((sandbox as unknown[]).length).toBe(SCENARIO_CALLS);
  });

  it('answers every call of the scenario with the same status code', () => {
    const codes = (x: unknown) =>
      (x as { label: string; status: number }[]).map((a) => `${a.label}: ${a.status}`);
    expect(codes(sandbox)).toEqual(codes(real));
  });

  it.each([...Array(SCENARIO_CALLS).keys()])(
    'answers call %i of the scenario with the same normalised body',
    (i) => {
      expect((sandbox as unknown[])[i]).toEqual((real as unknown[])[i]);
    },
  );
});
