/**
 * `sluice run --in-cluster` as the shipped Deployment runs it (deploy/in-cluster: its args, probe paths and
 * mounts, parsed from the manifest), from the image's bundle (deploy/in-cluster/build.mjs), against the real test
 * cluster: a ServiceAccount bound to exactly the shipped `sluice` ClusterRole, a short-lived TokenRequest token bound
 * to a Secret written into a ServiceAccount directory with `ca.crt` and `namespace`, KUBERNETES_SERVICE_HOST/PORT
 * pointing at the test API server. It carries a canary to Healthy while the token is rotated mid-run (a new token
 * written into the file, then the old one invalidated by deleting its Secret). Readiness follows the API server
 * (through a TCP proxy that is then closed). The refusals exit 2 and write nothing.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { main } from '../../shared/runtimes/cli/main.js';
import { LABELS } from '../../shared/core/model/types.js';
import { EVENT_COMPONENT } from '../../shared/app/events.js';
import { MAX_TOKEN_BYTES } from '../../shared/adapters/kube/in-cluster.js';
import { adminRequest, applyObjects, clusterInfo, createNamespace } from '../support/cluster.js';
import { kustomizationDocs, only, withFlag } from '../support/in-cluster-manifests.js';
import { serviceAccountKubeconfig, WORKLOAD_MANIFEST, type PolicyRule } from '../support/rbac.js';
import { startKubelet, type Kubelet } from '../support/kubelet.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import { kubeRequest, type Json } from '../../tools/test-cluster/kube-http.js';
import { startTcpProxy } from '../support/fault-proxy.js';
import { repoRoot } from '../../tools/test-cluster/cluster.js';

const NODE = join(repoRoot, 'node_modules', '.bin', 'node');
const ROLLOUT = (ns: string): string => `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/reviews`;
const STEPS = [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }, { pause: { duration: '1s' } }];
const SECRET = { id: 'in-cluster-test', secret: `in-cluster-${randomBytes(8).toString('hex')}` };
const SA = 'sluice';

const work = mkdtempSync(join(tmpdir(), 'sluice-in-cluster-'));
const bundle = join(work, 'sluice-cli.mjs');
const secretFile = join(work, 'webhook-secret');
writeFileSync(secretFile, JSON.stringify(SECRET), { mode: 0o600 });

// What the shipped Deployment runs and probes.
const deployment = only(kustomizationDocs(), 'Deployment');
const container = deployment.spec.template.spec.containers[0];
const shippedArgs = container.args as string[];
const livePath = container.livenessProbe.httpGet.path as string;
const readyPath = container.readinessProbe.httpGet.path as string;

/** The rules of the ClusterRole the shipped ClusterRoleBinding names, from deploy/rbac/workload-cluster.yaml. */
function shippedRules(): PolicyRule[] {
  const role = only(kustomizationDocs(), 'ClusterRoleBinding').roleRef.name as string;
  const docs = parseAllDocuments(readFileSync(WORKLOAD_MANIFEST, 'utf8')).map((d) => d.toJS() as Json);
  return docs.find((d) => d?.kind === 'ClusterRole' && d.metadata.name === role).rules;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A TokenRequest token of the ServiceAccount, 10 min (the shortest allowed), bound to a new Secret `secret`. */
async function boundToken(ns: string, secret: string): Promise<string> {
  const created = await adminRequest('POST', `/api/v1/namespaces/${ns}/secrets`, {
    metadata: { name: secret },
  });
  if (created.status !== 201) throw new Error(`create Secret ${secret}: HTTP ${created.status}`);
  const tr = await adminRequest('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${SA}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: {
      expirationSeconds: 600,
      boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: secret, uid: created.body.metadata.uid },
    },
  });
  if (tr.status !== 201) throw new Error(`TokenRequest: HTTP ${tr.status} ${tr.body?.message}`);
  return tr.body.status.token as string;
}

/** A ServiceAccount directory as the kubelet mounts it: ca.crt, namespace, token. */
function serviceAccountDir(ns: string, token: string | undefined): string {
  const dir = mkdtempSync(join(work, 'sa-'));
  writeFileSync(join(dir, 'ca.crt'), Buffer.from(clusterInfo().caData, 'base64'));
  writeFileSync(join(dir, 'namespace'), ns);
  if (token !== undefined) writeFileSync(join(dir, 'token'), token);
  return dir;
}

/** The environment of the pod: the API server's address and the ServiceAccount directory; nothing else. */
function podEnv(dir: string): NodeJS.ProcessEnv {
  const server = new URL(clusterInfo().server);
  return {
    PATH: process.env.PATH,
    KUBERNETES_SERVICE_HOST: server.hostname,
    KUBERNETES_SERVICE_PORT: server.port,
    SLUICE_SERVICEACCOUNT_DIR: dir,
  };
}

/** The shipped args, on a free loopback port and with the test's signing key, for Rollouts of `instanceId`. */
function runArgs(instanceId: string): string[] {
  let args = withFlag(shippedArgs, '--listen', '127.0.0.1');
  args = withFlag(args, '--port', '0');
  args = withFlag(args, '--webhook-secret-file', secretFile);
  return [...args, '--instance-id', instanceId, '--interval', '1s'];
}

/** Seeds the reviews canary for `instanceId` in `ns`. */
async function seed(ns: string, instanceId: string): Promise<void> {
  const objects = hostSeed({ steps: STEPS }) as { kind: string; metadata: Record<string, unknown> }[];
  const rollout = objects.find((o) => o.kind === 'Rollout');
  if (!rollout) throw new Error('fixture has no Rollout');
  rollout.metadata.labels = { [LABELS.instanceId]: instanceId };
  await applyObjects(ns, objects);
}

const status = async (ns: string): Promise<Json> =>
  (await adminRequest('GET', ROLLOUT(ns))).body.status ?? {};

beforeAll(async () => {
  mkdirSync(work, { recursive: true });
  await promisify(execFile)(NODE, [join(repoRoot, 'deploy', 'in-cluster', 'build.mjs'), bundle], {
    cwd: repoRoot,
  });
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('sluice run --in-cluster, as the shipped Deployment runs it', () => {
  let ns = '';
  let dir = '';
  let oldToken = '';
  let kubelet: Kubelet | undefined;
  let child: ChildProcess | undefined;
  let exit: Promise<number | null> = Promise.resolve(null);
  const output: string[] = [];
  let url = '';
  const instanceId = `in-cluster-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    ns = await createNamespace('in-cluster');
    await serviceAccountKubeconfig({ namespace: ns, name: SA, rules: shippedRules() });
    oldToken = await boundToken(ns, 'token-1');
    dir = serviceAccountDir(ns, oldToken);
    await seed(ns, instanceId);
    kubelet = startKubelet(ns);
    const proc = spawn(NODE, [bundle, ...runArgs(instanceId)], {
      env: podEnv(dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    exit = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    let partial = '';
    const onData = (chunk: Buffer): void => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      output.push(...lines);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    url = await waitFor('the HTTP API line', async () => {
      const line = output.find((l) => l.includes('HTTP API: '));
      return line ? /HTTP API: (http:\/\/\S+)/.exec(line)?.[1] : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await kubelet?.stop();
    if (process.env.SLUICE_TEST_VERBOSE) console.log(output.join('\n'));
  });

  it('names the ServiceAccount in its banner and answers the Deployment probe paths', async () => {
    expect(output.join('\n')).toContain(
      `cluster in-cluster: ${clusterInfo().server} (ServiceAccount in ${dir}, namespace ${ns})`,
    );
    const live = await fetch(`${url}${livePath}`);
    expect([live.status, await live.text()]).toEqual([200, 'ok\n']);
    const ready = await waitFor('readiness', async () => {
      const r = await fetch(`${url}${readyPath}`);
      return r.status === 200 ? r.text() : undefined;
    });
    expect(ready).toBe('ok\n');
  });

  it('carries a canary to Healthy while its token is rotated and the old one invalidated', async () => {
    const v1 = await waitFor('v1 Healthy', async () => {
      const s = await status(ns);
      return s.phase === 'Healthy' && s.stableRS ? (s.stableRS as string) : undefined;
    });
    const patched = await adminRequest('PATCH', ROLLOUT(ns), {
      spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE_V2 }] } } },
    });
    expect(patched.status).toBe(200);
    await waitFor('the indefinite pause at step 1', async () => {
      const s = await status(ns);
      return s.currentStepIndex === 1 && s.phase === 'Paused' ? true : undefined;
    });

    // Rotation as the kubelet does it: the new token replaces the file at once; then the old token stops working.
    const newToken = await boundToken(ns, 'token-2');
    writeFileSync(join(dir, 'token.new'), newToken);
    renameSync(join(dir, 'token.new'), join(dir, 'token'));
    expect((await adminRequest('DELETE', `/api/v1/namespaces/${ns}/secrets/token-1`)).status).toBe(200);
    const info = clusterInfo();
    const asOld = {
      server: info.server,
      ca: Buffer.from(info.caData, 'base64').toString('utf8'),
      token: oldToken,
    };
    const rotatedAt = Date.now();
    await waitFor('the old token refused', async () =>
      (await kubeRequest(asOld, 'GET', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`)).status === 401
        ? true
        : undefined,
    );
    const refusedMs = Date.now() - rotatedAt;

    // The process goes on with the new token: a signed promotion through its HTTP API, then the rest of the steps.
    const io = { stdout: [] as string[], stderr: [] as string[] };
    const code = await main(
      [
        'promote',
        `${ns}/reviews`,
        '--server',
        url,
        '--cluster',
        'in-cluster',
        '--webhook-secret-file',
        secretFile,
      ],
      { out: (l) => io.stdout.push(l), err: (l) => io.stderr.push(l), env: {} },
    );
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    const v2 = await waitFor('v2 Healthy and stable', async () => {
      const s = await status(ns);
      return s.phase === 'Healthy' && s.stableRS !== v1 && s.stableRS === s.currentPodHash
        ? (s.stableRS as string)
        : undefined;
    });
    expect(v2).not.toBe(v1);
    const healthyMs = Date.now() - rotatedAt;
    const log = output.join('\n');
    expect(log).toContain(`POST /v1/clusters/in-cluster/namespaces/${ns}/rollouts/reviews/promote → 200`);
    expect(log).not.toMatch(/pass failed|cannot list Rollouts/);
    // The probes are not logged (a kubelet polls them).
    expect(log).not.toContain(readyPath);

    child?.kill('SIGTERM');
    expect(await exit).toBe(0);
    console.log(
      `sluice run --in-cluster: old token refused ${refusedMs} ms after its Secret was deleted; ` +
        `rotation → promoted and Healthy on v2 in ${healthyMs} ms`,
    );
  }, 90_000);
});

describe('readiness follows the API server', () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it(`answers ${readyPath} 200 while the passes reach the API server, 503 after 3 failed passes`, async () => {
    const ns = await createNamespace('in-cluster-ready');
    await serviceAccountKubeconfig({ namespace: ns, name: SA, rules: shippedRules() });
    const dir = serviceAccountDir(ns, await boundToken(ns, 'token-1'));
    const server = new URL(clusterInfo().server);
    const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
    const env = { ...podEnv(dir), KUBERNETES_SERVICE_PORT: String(proxy.port) };
    const instanceId = `in-cluster-ready-${randomBytes(3).toString('hex')}`;
    const proc = spawn(NODE, [bundle, ...runArgs(instanceId), '--no-watch'], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child = proc;
    let stdout = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const url = await waitFor('the HTTP API line', async () => /HTTP API: (http:\/\/\S+)/.exec(stdout)?.[1]);
    const answer = async (): Promise<string> => {
      const r = await fetch(`${url}${readyPath}`);
      return `${r.status} ${await r.text()}`;
    };
    await waitFor('ready', async () => ((await answer()) === '200 ok\n' ? true : undefined));
    // The API server becomes unreachable: open connections cut, new ones refused.
    await proxy.close();
    const lostAt = Date.now();
    await waitFor('unready', async () =>
      (await answer()) === '503 the last 3 passes could not reach the API server\n' ? true : undefined,
    );
    console.log(
      `sluice run --in-cluster: ${readyPath} 503 ${Date.now() - lostAt} ms after the API server went away`,
    );
    const live = await fetch(`${url}${livePath}`);
    expect(live.status).toBe(200);
    proc.kill('SIGTERM');
  }, 60_000);
});

describe('sluice run --in-cluster refusals: exit 2, one line naming the variable or file, nothing written', () => {
  let ns = '';
  let token = '';
  const instanceId = `in-cluster-refused-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    ns = await createNamespace('in-cluster-refused');
    await serviceAccountKubeconfig({ namespace: ns, name: SA, rules: shippedRules() });
    token = await boundToken(ns, 'token-1');
    await seed(ns, instanceId);
  }, 60_000);

  /** Runs the bundle with `args` and `env`; a run that does not exit within 15 s is killed (and fails the test). */
  function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const proc = spawn(NODE, [bundle, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      proc.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
  }

  it.each([
    [
      'KUBERNETES_SERVICE_HOST unset',
      (): [string[], NodeJS.ProcessEnv] => {
        const env = podEnv(serviceAccountDir(ns, token));
        delete env.KUBERNETES_SERVICE_HOST;
        return [runArgs(instanceId), env];
      },
      /^sluice: KUBERNETES_SERVICE_HOST is not set: sluice run --in-cluster needs the variables the kubelet sets in every pod\n$/,
    ],
    [
      'no token file',
      (): [string[], NodeJS.ProcessEnv] => [runArgs(instanceId), podEnv(serviceAccountDir(ns, undefined))],
      /^sluice: --in-cluster: cannot read ServiceAccount token \S+\/sa-\w+\/token: ENOENT\n$/,
    ],
    [
      'an empty token file',
      (): [string[], NodeJS.ProcessEnv] => [runArgs(instanceId), podEnv(serviceAccountDir(ns, '\n'))],
      /^sluice: --in-cluster: ServiceAccount token \S+\/token is empty\n$/,
    ],
    [
      'an oversized token file',
      (): [string[], NodeJS.ProcessEnv] => [
        runArgs(instanceId),
        podEnv(serviceAccountDir(ns, token + 'a'.repeat(MAX_TOKEN_BYTES))),
      ],
      /^sluice: --in-cluster: cannot read ServiceAccount token \S+\/token: \d+ bytes, over the 16384-byte cap\n$/,
    ],
    [
      '--in-cluster with --kubeconfig',
      (): [string[], NodeJS.ProcessEnv] => [
        [...runArgs(instanceId), '--kubeconfig', clusterInfo().kubeconfigPath],
        podEnv(serviceAccountDir(ns, token)),
      ],
      /^sluice: --in-cluster and --kubeconfig cannot be combined: --in-cluster drives the pod's own cluster with its ServiceAccount \(add other clusters with --clusters\)\n$/,
    ],
  ])(
    '%s',
    async (_what, setup, message) => {
      const before = (await adminRequest('GET', ROLLOUT(ns))).body;
      const [args, env] = setup();
      const { code, stderr } = await run(args, env);
      expect(stderr).toMatch(message);
      expect(code).toBe(2);
      // Nothing written: the Rollout is as seeded (no status, same resourceVersion), no Event recorded, no ReplicaSet.
      const after = (await adminRequest('GET', ROLLOUT(ns))).body;
      expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
      expect(after.status).toBeUndefined();
      // (The API server records Events of its own here, e.g. its ClusterIP repair loop on the Services: not ours.)
      const events = (await adminRequest('GET', `/api/v1/namespaces/${ns}/events`)).body.items as Json[];
      const ours = events.filter(
        (e) => e.source?.component === EVENT_COMPONENT || e.involvedObject?.kind === 'Rollout',
      );
      expect(ours.map((e) => `${e.reason}: ${e.message}`)).toEqual([]);
      const sets = (await adminRequest('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`)).body
        .items as Json[];
      expect(sets.map((r) => `${r.metadata.name} by ${r.metadata.managedFields?.[0]?.manager}`)).toEqual([]);
    },
    30_000,
  );
});
