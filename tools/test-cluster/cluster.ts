/** Starts and stops one test control plane (etcd + kube-apiserver) whose state lives in one directory. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCerts, type ClusterCerts } from './certs.js';
import { ensureCrdDir } from './crd-source.js';
import { installCrds } from './crds.js';
import { kubeRequest, type Connection } from './kube-http.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { freePort, startLogged, stopPid, waitUntil, type Started } from './proc.js';

/** Root of the repository (two levels above this file). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Contents of `DIR/cluster.json`. */
export interface ClusterFile {
  dir: string;
  server: string;
  kubeconfigPath: string;
  pids: { etcd: number; apiserver: number };
  ports: { etcd: number; etcdPeer: number; apiserver: number };
  paths: { binDir: string; dataDir: string; etcdLog: string; apiserverLog: string; certs: ClusterCerts };
  crds: string[];
  startedAt: string;
  startSeconds: number;
}

/** Runs build.sh (build or reuse; it honours KUBEBUILDER_ASSETS) and returns the folder with both binaries. */
export function findBinaries(): string {
  const script = path.join(repoRoot, 'tools', 'test-cluster', 'build.sh');
  try {
    const out = execFileSync('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    const dir = out.trim().split('\n').pop() ?? '';
    if (!existsSync(path.join(dir, 'kube-apiserver')))
      throw new Error(`build.sh printed "${dir}", no kube-apiserver there`);
    return dir;
  } catch (e) {
    throw new Error(`cannot build or find kube-apiserver/etcd (${script}): ${(e as Error).message}`);
  }
}

function etcdDataDir(dir: string): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return path.join('/dev/shm', `sluice-etcd-${process.pid}-${randomBytes(4).toString('hex')}`);
  } catch {
    return path.join(dir, 'etcd-data');
  }
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function etcdArgs(name: string, dataDir: string, port: number, peer: number): string[] {
  const c = `http://127.0.0.1:${port}`;
  const p = `http://127.0.0.1:${peer}`;
  return [
    `--name=${name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${c}`,
    `--advertise-client-urls=${c}`,
    `--listen-peer-urls=${p}`,
    `--initial-advertise-peer-urls=${p}`,
    `--initial-cluster=${name}=${p}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

function apiserverArgs(certs: ClusterCerts, certDir: string, etcdPort: number, port: number): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    `--cert-dir=${certDir}`,
    `--tls-cert-file=${certs.servingCert}`,
    `--tls-private-key-file=${certs.servingKey}`,
    `--client-ca-file=${certs.caCert}`,
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.0.0.0/16',
    '--allow-privileged=true',
    '--disable-admission-plugins=ServiceAccount',
    '--authorization-mode=RBAC',
    '--endpoint-reconciler-type=none',
    `--service-account-issuer=https://127.0.0.1:${port}/`,
    `--service-account-key-file=${certs.saPub}`,
    `--service-account-signing-key-file=${certs.saKey}`,
    '--profiling=false',
  ];
}

/** Admin connection (client cert CN=admin, O=system:masters) for a cluster file. */
export function adminConnection(c: Pick<ClusterFile, 'server' | 'paths'>): Connection {
  const r = (f: string): string => readFileSync(f, 'utf8');
  return {
    server: c.server,
    ca: r(c.paths.certs.caCert),
    cert: r(c.paths.certs.adminCert),
    key: r(c.paths.certs.adminKey),
  };
}

interface StartOptions {
  dir: string;
  binDir?: string;
  crdDir?: string;
  /** Readiness budget per process in ms (default 60 s). */
  budgetMs?: number;
}

async function attempt(o: Required<StartOptions>, certs: ClusterCerts, t0: number): Promise<ClusterFile> {
  const [etcdPort, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = etcdDataDir(o.dir);
  const etcdLog = path.join(o.dir, 'etcd.log');
  const apiserverLog = path.join(o.dir, 'kube-apiserver.log');
  const etcd = startLogged(
    path.join(o.binDir, 'etcd'),
    etcdArgs(path.basename(o.dir), dataDir, etcdPort, etcdPeer),
    etcdLog,
  );
  let api: Started | undefined;
  const file: ClusterFile = {
    dir: o.dir,
    server: `https://127.0.0.1:${apiPort}`,
    kubeconfigPath: path.join(o.dir, 'kubeconfig'),
    pids: { etcd: etcd.pid, apiserver: 0 },
    ports: { etcd: etcdPort, etcdPeer, apiserver: apiPort },
    paths: { binDir: o.binDir, dataDir, etcdLog, apiserverLog, certs },
    crds: [],
    startedAt: new Date(t0).toISOString(),
    startSeconds: 0,
  };
  writeFileSync(path.join(o.dir, 'cluster.json'), JSON.stringify(file, null, 2));
  try {
    await waitUntil('etcd /health', etcd, () => httpOk(`http://127.0.0.1:${etcdPort}/health`), o.budgetMs);
    api = startLogged(
      path.join(o.binDir, 'kube-apiserver'),
      apiserverArgs(certs, path.join(o.dir, 'certs'), etcdPort, apiPort),
      apiserverLog,
    );
    file.pids.apiserver = api.pid;
    writeFileSync(path.join(o.dir, 'cluster.json'), JSON.stringify(file, null, 2));
    const conn = adminConnection(file);
    const ok = (p: string) => async () => (await kubeRequest(conn, 'GET', p)).status === 200;
    await waitUntil('kube-apiserver /readyz', api, ok('/readyz'), o.budgetMs);
    await waitUntil('namespace default', api, ok('/api/v1/namespaces/default'), o.budgetMs);
    file.crds = await installCrds(conn, o.crdDir);
    writeFileSync(
      file.kubeconfigPath,
      kubeconfigYaml({
        name: path.basename(o.dir),
        server: file.server,
        ca: conn.ca,
        user: 'admin',
        cert: conn.cert,
        key: conn.key,
      }),
    );
    file.startSeconds = Math.round((Date.now() - t0) / 100) / 10;
    writeFileSync(path.join(o.dir, 'cluster.json'), JSON.stringify(file, null, 2));
    return file;
  } catch (e) {
    await stopCluster(o.dir, { keepLogs: true });
    throw e;
  }
}

/**
 * Starts etcd and kube-apiserver on free 127.0.0.1 ports, installs the CRDs, writes `DIR/kubeconfig` and
 * `DIR/cluster.json`. Retries once (a free port can be taken between probe and bind).
 */
export async function startCluster(opts: StartOptions): Promise<ClusterFile> {
  const t0 = Date.now();
  const o: Required<StartOptions> = {
    dir: path.resolve(opts.dir),
    binDir: opts.binDir ?? findBinaries(),
    crdDir: opts.crdDir ?? ensureCrdDir(),
    budgetMs: opts.budgetMs ?? 60_000,
  };
  if (existsSync(path.join(o.dir, 'cluster.json'))) {
    throw new Error(`a cluster already lives in ${o.dir} (cluster.json exists); stop it first`);
  }
  mkdirSync(path.join(o.dir, 'certs'), { recursive: true });
  const certs = makeCerts(path.join(o.dir, 'certs'));
  try {
    return await attempt(o, certs, t0);
  } catch (first) {
    process.stderr.write(
      `[test-cluster] start failed, retrying once: ${(first as Error).message.split('\n')[0]}\n`,
    );
    return attempt(o, certs, t0);
  }
}

/** Reads `DIR/cluster.json`. */
export function readClusterFile(dir: string): ClusterFile {
  const f = path.join(path.resolve(dir), 'cluster.json');
  if (!existsSync(f)) throw new Error(`no cluster in ${dir} (${f} missing)`);
  return JSON.parse(readFileSync(f, 'utf8')) as ClusterFile;
}

/**
 * Stops kube-apiserver then etcd by pid (SIGTERM, SIGKILL after 20 s), removes the etcd data and the cluster
 * directory (the logs stay when `keepLogs`). Does nothing if there is no cluster in `dir`.
 */
export async function stopCluster(dir: string, opts: { keepLogs?: boolean } = {}): Promise<void> {
  const f = path.join(path.resolve(dir), 'cluster.json');
  if (!existsSync(f)) return;
  const c = JSON.parse(readFileSync(f, 'utf8')) as ClusterFile;
  if (c.pids.apiserver) await stopPid(c.pids.apiserver, 'kube-apiserver');
  if (c.pids.etcd) await stopPid(c.pids.etcd, 'etcd');
  if (c.paths.dataDir) rmSync(c.paths.dataDir, { recursive: true, force: true });
  if (opts.keepLogs) {
    rmSync(f, { force: true });
  } else {
    rmSync(c.dir, { recursive: true, force: true });
  }
}
