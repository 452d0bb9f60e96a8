/**
 * `sluice run --in-cluster`: the Kubernetes connection of a pod, from its ServiceAccount. The server is
 * `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`; the CA, the token and the default namespace are the
 * files `ca.crt`, `token` and `namespace` of the ServiceAccount directory (`/var/run/secrets/kubernetes.io/
 * serviceaccount`, or `$SLUICE_SERVICEACCOUNT_DIR`: what the tests use). Only ever chosen by the flag: a kubeconfig
 * naming a token file is still refused (kubeconfig-parse.ts).
 *
 * The projected token rotates (the kubelet rewrites it well before it expires), so the files are read again, each
 * with a size cap, whenever the gateway is rebuilt: at least every {@link TOKEN_REREAD_MS}, and once after a 401
 * before the request fails. That is the cluster registry's rebuild (cluster-registry.ts `ClusterClients`, as for
 * EKS tokens), not a second refresh mechanism.
 */
import { isIP } from 'node:net';
import { join } from 'node:path';
import { ClusterConfigError } from '../../app/kube-port/errors.js';
import type { KubeGateway } from '../../app/kube-port/gateway.js';
import { FileReadError, readBoundedFile } from './bounded-file.js';
import type { GatewayOptions } from './client-gateway.js';
import { ClusterClients, type ProvidedEntry } from './cluster-registry.js';
import type { SafeKubeconfig } from './kubeconfig-parse.js';

/** Where the kubelet mounts a pod's ServiceAccount credentials. */
export const SERVICEACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Overrides {@link SERVICEACCOUNT_DIR} (tests write a token from the TokenRequest API there). */
export const SERVICEACCOUNT_DIR_ENV = 'SLUICE_SERVICEACCOUNT_DIR';
/** Largest token file read, in bytes (a bound ServiceAccount token is 1–2 KiB). */
export const MAX_TOKEN_BYTES = 16 * 1024;
/** Largest `ca.crt` read, in bytes. */
export const MAX_CA_BYTES = 256 * 1024;
/** The token (and CA) files are read again at least this often. */
export const TOKEN_REREAD_MS = 60_000;

/** The pod's ServiceAccount cannot be used: the message names the variable or file and what was being done. */
export class InClusterConfigError extends ClusterConfigError {
  override readonly name = 'InClusterConfigError';
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/i;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NEEDED = 'sluice run --in-cluster needs the variables the kubelet sets in every pod';

/**
 * The API server of the pod's cluster, from `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` (an IPv6 host
 * is bracketed).
 * @throws {@link InClusterConfigError} naming the variable when one is unset or malformed.
 * @example inClusterServer({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }) // 'https://[fd00::1]:443'
 */
export function inClusterServer(env: NodeJS.ProcessEnv): string {
  const host = env.KUBERNETES_SERVICE_HOST?.trim();
  const port = env.KUBERNETES_SERVICE_PORT?.trim();
  if (!host) throw new InClusterConfigError(`KUBERNETES_SERVICE_HOST is not set: ${NEEDED}`);
  if (!port) throw new InClusterConfigError(`KUBERNETES_SERVICE_PORT is not set: ${NEEDED}`);
  if (isIP(host) === 0 && !DNS_NAME.test(host))
    throw new InClusterConfigError(`KUBERNETES_SERVICE_HOST "${host}" is not an IP address or a DNS name`);
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)
    throw new InClusterConfigError(`KUBERNETES_SERVICE_PORT "${port}" is not a port (1-65535)`);
  return `https://${isIP(host) === 6 ? `[${host}]` : host}:${Number(port)}`;
}

/** The ServiceAccount directory: `$SLUICE_SERVICEACCOUNT_DIR`, else {@link SERVICEACCOUNT_DIR}. */
export function serviceAccountDir(env: NodeJS.ProcessEnv): string {
  return env[SERVICEACCOUNT_DIR_ENV] || SERVICEACCOUNT_DIR;
}

/** A file of the ServiceAccount directory, capped; a read failure names the file and the flag. */
async function readFile(path: string, what: string, maxBytes: number): Promise<string> {
  try {
    return await readBoundedFile(path, what, maxBytes);
  } catch (err) {
    if (err instanceof FileReadError) throw new InClusterConfigError(`--in-cluster: ${err.message}`);
    throw err;
  }
}

/** Checks a token's text: one printable word (it goes into an HTTP header). */
export function checkToken(text: string, path: string): string {
  const token = text.trim();
  if (token === '') throw new InClusterConfigError(`--in-cluster: ServiceAccount token ${path} is empty`);
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new InClusterConfigError(
      `--in-cluster: ServiceAccount token ${path} holds whitespace or non-printable characters`,
    );
  return token;
}

/**
 * The connection of the pod's ServiceAccount, read now: server from the environment, `ca.crt`, `token` and
 * `namespace` from its directory. Each call reads the files again.
 * @throws {@link InClusterConfigError} naming the variable or file (missing, empty, oversized, malformed).
 */
export async function serviceAccountKubeconfig(
  env: NodeJS.ProcessEnv,
  name: string,
): Promise<SafeKubeconfig> {
  const server = inClusterServer(env);
  const dir = serviceAccountDir(env);
  const caPath = join(dir, 'ca.crt');
  const ca = await readFile(caPath, 'ServiceAccount CA', MAX_CA_BYTES);
  if (!ca.includes('-----BEGIN CERTIFICATE-----'))
    throw new InClusterConfigError(`--in-cluster: ServiceAccount CA ${caPath} holds no PEM certificate`);
  const tokenPath = join(dir, 'token');
  const token = checkToken(await readFile(tokenPath, 'ServiceAccount token', MAX_TOKEN_BYTES), tokenPath);
  const nsPath = join(dir, 'namespace');
  const namespace = (await readFile(nsPath, 'ServiceAccount namespace', 256)).trim();
  if (!DNS_LABEL.test(namespace))
    throw new InClusterConfigError(`--in-cluster: ${nsPath} does not hold a namespace name (a DNS label)`);
  return {
    contextName: name,
    namespace,
    cluster: { name, server, caData: Buffer.from(ca, 'utf8').toString('base64') },
    user: { name, token },
  };
}

/** The pod's cluster, as `sluice run --in-cluster` drives it. */
export interface InClusterConnection {
  /** `https://host:port` of the API server. */
  server: string;
  /** The pod's namespace (`<dir>/namespace`). */
  namespace: string;
  /** Where the credentials are read from. */
  dir: string;
  /**
   * A gateway whose requests use the token read at most {@link TOKEN_REREAD_MS} ago, and read again once after a
   * 401 before the request fails.
   */
  gateway: KubeGateway;
}

/**
 * Connects to the pod's cluster as its ServiceAccount. Reads the files once now, so a missing or bad one is
 * refused before anything else happens.
 * @throws {@link InClusterConfigError} naming the variable or file.
 * @example const { gateway } = await inClusterConnection(process.env, 'in-cluster');
 */
export async function inClusterConnection(
  env: NodeJS.ProcessEnv,
  name: string,
  gateway: GatewayOptions = {},
): Promise<InClusterConnection> {
  const first = await serviceAccountKubeconfig(env, name);
  const entry: ProvidedEntry = {
    name,
    source: 'provided',
    kubeconfig: () => serviceAccountKubeconfig(env, name),
  };
  const clients = new ClusterClients([entry], {
    fetchSecret: () => Promise.reject(new Error('an in-cluster connection reads no Secret')),
    gateway,
    ttlMs: TOKEN_REREAD_MS,
  });
  return {
    server: first.cluster.server,
    namespace: first.namespace ?? '',
    dir: serviceAccountDir(env),
    gateway: await clients.getGateway(name),
  };
}
