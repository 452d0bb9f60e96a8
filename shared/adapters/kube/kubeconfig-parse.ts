/**
 * Parse an untrusted kubeconfig into an allow-listed {@link SafeKubeconfig} (docs/security.md, "Kubeconfigs are parsed into an allow-list").
 *
 * The text is parsed with `yaml` into plain data and checked field by field; it is never handed to
 * `@kubernetes/client-node` (whose loader would run `exec` plugins, read files, honour proxies). Anything outside
 * the allow-list is rejected with an error naming the field, never silently ignored. This module imports only
 * `yaml`: no file system, no child processes, no network.
 */
import { parse as parseYaml } from 'yaml';
import { ClusterConfigError } from '../../app/kube-port/errors.js';

/** A kubeconfig reduced to what sluice accepts: one https cluster with inline CA, one token or inline cert user. */
export interface SafeKubeconfig {
  contextName: string;
  /** The context's default namespace, when set. */
  namespace?: string;
  cluster: {
    name: string;
    server: string;
    /** Base64 PEM, as in the kubeconfig. Empty only for an allowed loopback http server. */
    caData: string;
    tlsServerName?: string;
  };
  user: { name: string; token?: string; certData?: string; keyData?: string };
}

/** Options for {@link parseKubeconfig}. */
export interface ParseKubeconfigOptions {
  /**
   * When given, the server must match one entry: a string equal to the server's origin
   * (`https://host:port`), host (`host:port`) or hostname; or a RegExp tested against the full server URL.
   */
  allowedServers?: (string | RegExp)[];
  /** Pick this context when the file holds several; otherwise exactly one cluster, user and context. */
  context?: string;
  /** Accept `http://127.0.0.1` / `http://localhost` (local sandbox only). */
  allowLoopbackHttp?: boolean;
}

/** A kubeconfig that failed the allow-list. The message names the offending field. */
export class KubeconfigRejectedError extends ClusterConfigError {
  override readonly name = 'KubeconfigRejectedError';
  constructor(
    /** Path of the offending field, e.g. `users[0].user.exec`; empty for whole-document problems. */
    readonly field: string,
    reason: string,
  ) {
    super(`kubeconfig rejected: ${field ? `${field} ` : ''}${reason}`);
  }
}

/** Largest kubeconfig accepted, in characters. */
export const MAX_KUBECONFIG_CHARS = 256 * 1024;

const FORBIDDEN_WHY: ReadonlyMap<string, string> = new Map(
  Object.entries({
    exec: 'it would run a local program',
    'auth-provider': 'it would run a local program or call an identity provider',
    tokenFile: 'it would read a local file',
    'token-file': 'it would read a local file',
    'certificate-authority': 'it would read a local file',
    'client-certificate': 'it would read a local file',
    'client-key': 'it would read a local file',
    'proxy-url': 'it would reroute traffic through a proxy',
    'insecure-skip-tls-verify': 'TLS must always be verified',
    as: 'impersonation is not allowed',
    'as-groups': 'impersonation is not allowed',
    'as-uid': 'impersonation is not allowed',
    'as-user-extra': 'impersonation is not allowed',
    impersonate: 'impersonation is not allowed',
    'impersonate-groups': 'impersonation is not allowed',
    username: 'basic authentication is not allowed',
    password: 'basic authentication is not allowed',
  }),
);

const TOP_KEYS = new Set([
  'apiVersion',
  'kind',
  'preferences',
  'clusters',
  'users',
  'contexts',
  'current-context',
]);
const CLUSTER_KEYS = new Set(['server', 'certificate-authority-data', 'tls-server-name']);
const USER_KEYS = new Set(['token', 'client-certificate-data', 'client-key-data']);
const CONTEXT_KEYS = new Set(['cluster', 'user', 'namespace']);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function reject(field: string, reason: string): never {
  throw new KubeconfigRejectedError(field, reason);
}

/** Reject any key outside `allowed`, with the specific reason for known-dangerous keys. */
function checkKeys(obj: Obj, allowed: Set<string>, path: string): void {
  for (const key of Object.keys(obj)) {
    if (allowed.has(key)) continue;
    // A Map, not an object: `__proto__` or `constructor` are unknown keys, not inherited reasons.
    const why = FORBIDDEN_WHY.get(key);
    reject(`${path}.${key}`, why ? `is not allowed (${why})` : 'is not an allowed field');
  }
}

function str(obj: Obj, key: string, path: string, required: boolean): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) reject(`${path}.${key}`, 'is required');
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '') reject(`${path}.${key}`, 'must be a non-empty string');
  return v;
}

/** Base64 that decodes to PEM with the given block type. */
function pemData(value: string, field: string, block: RegExp): string {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) reject(field, 'must be base64');
  const pem = Buffer.from(compact, 'base64').toString('utf8');
  if (!block.test(pem)) reject(field, 'must be base64-encoded PEM');
  return compact;
}

interface Named {
  name: string;
  body: Obj;
  index: number;
}

function namedList(doc: Obj, listKey: string, bodyKey: string): Named[] {
  const list = doc[listKey];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) reject(listKey, 'must be a list');
  return list.map((entry: unknown, index) => {
    const path = `${listKey}[${index}]`;
    if (!isObj(entry)) reject(path, 'must be a mapping');
    checkKeys(entry, new Set(['name', bodyKey]), path);
    const name = str(entry, 'name', path, true) as string;
    const body = entry[bodyKey];
    if (!isObj(body)) reject(`${path}.${bodyKey}`, 'must be a mapping');
    return { name, body, index };
  });
}

function serverAllowed(url: URL, raw: string, allowed: (string | RegExp)[]): boolean {
  return allowed.some((a) =>
    typeof a === 'string' ? a === url.origin || a === url.host || a === url.hostname : a.test(raw),
  );
}

function checkServer(raw: string, field: string, opts: ParseKubeconfigOptions): { loopbackHttp: boolean } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return reject(field, 'is not a valid URL');
  }
  if (url.username || url.password) reject(field, 'must not carry credentials');
  if (url.search || url.hash) reject(field, 'must not have a query or fragment');
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  const loopbackHttp = url.protocol === 'http:' && loopback && opts.allowLoopbackHttp === true;
  if (url.protocol !== 'https:' && !loopbackHttp) reject(field, `must be https:// (got ${url.protocol}//)`);
  if (opts.allowedServers && !serverAllowed(url, raw, opts.allowedServers)) {
    reject(field, `host ${url.host} is not on the allow-list`);
  }
  return { loopbackHttp };
}

function pick(list: Named[], name: string, what: string, field: string): Named {
  const found = list.filter((e) => e.name === name);
  if (found.length === 0) reject(field, `names ${what} "${name}" which does not exist`);
  if (found.length > 1) reject(field, `names ${what} "${name}" which is defined ${found.length} times`);
  return found[0] as Named;
}

function chooseContext(contexts: Named[], doc: Obj, opts: ParseKubeconfigOptions): Named {
  if (opts.context !== undefined) return pick(contexts, opts.context, 'context', 'context option');
  if (contexts.length !== 1) reject('contexts', `must hold exactly one context (found ${contexts.length})`);
  const ctx = contexts[0] as Named;
  const current = doc['current-context'];
  if (current !== undefined && current !== '' && current !== ctx.name) {
    reject('current-context', `names "${String(current)}" but the only context is "${ctx.name}"`);
  }
  return ctx;
}

/** What to do instead of a plugin or file credential, for a user picked with the `context` option. */
export const CREDENTIAL_HINT =
  'sluice sends only credentials written in the kubeconfig: give this context a user with `token` (e.g. ' +
  '`kubectl create token <serviceaccount> -n <namespace> --duration=24h`, or on EKS ' +
  '`aws eks get-token --cluster-name <cluster> --output json` → `.status.token`, valid 15 min) or with ' +
  '`client-certificate-data` + `client-key-data`, in a kubeconfig of its own or as another context of this file';

const PLUGIN_KEYS = new Set([
  'exec',
  'auth-provider',
  'tokenFile',
  'token-file',
  'client-certificate',
  'client-key',
]);

function validateUser(u: Named, hint = false): SafeKubeconfig['user'] {
  const path = `users[${u.index}].user`;
  const plugin = hint ? Object.keys(u.body).find((k) => PLUGIN_KEYS.has(k)) : undefined;
  if (plugin)
    reject(
      `${path}.${plugin}`,
      `is not allowed (${FORBIDDEN_WHY.get(plugin) ?? 'a credential plugin'}). ${CREDENTIAL_HINT}`,
    );
  checkKeys(u.body, USER_KEYS, path);
  const token = str(u.body, 'token', path, false);
  const cert = str(u.body, 'client-certificate-data', path, false);
  const key = str(u.body, 'client-key-data', path, false);
  if (token !== undefined && /\s/.test(token.trim())) reject(`${path}.token`, 'must not contain whitespace');
  if (token !== undefined && (cert !== undefined || key !== undefined)) {
    reject(path, 'must have either token or client-certificate-data + client-key-data, not both');
  }
  if (token !== undefined) return { name: u.name, token: token.trim() };
  if (cert === undefined || key === undefined) {
    reject(path, 'must have token, or both client-certificate-data and client-key-data');
  }
  return {
    name: u.name,
    certData: pemData(cert, `${path}.client-certificate-data`, /-----BEGIN CERTIFICATE-----/),
    keyData: pemData(key, `${path}.client-key-data`, /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
  };
}

function validateCluster(c: Named, opts: ParseKubeconfigOptions): SafeKubeconfig['cluster'] {
  const path = `clusters[${c.index}].cluster`;
  checkKeys(c.body, CLUSTER_KEYS, path);
  const server = str(c.body, 'server', path, true) as string;
  const { loopbackHttp } = checkServer(server, `${path}.server`, opts);
  const ca = str(c.body, 'certificate-authority-data', path, !loopbackHttp);
  const tlsServerName = str(c.body, 'tls-server-name', path, false);
  return {
    name: c.name,
    server: server.replace(/\/+$/, ''),
    caData:
      ca === undefined
        ? ''
        : pemData(ca, `${path}.certificate-authority-data`, /-----BEGIN CERTIFICATE-----/),
    ...(tlsServerName !== undefined ? { tlsServerName } : {}),
  };
}

/**
 * Parse and validate an untrusted kubeconfig (YAML or JSON text).
 *
 * @throws {@link KubeconfigRejectedError} naming the offending field, for anything outside the allow-list.
 */
export function parseKubeconfig(text: string, opts: ParseKubeconfigOptions = {}): SafeKubeconfig {
  if (typeof text !== 'string' || text.trim() === '') reject('', 'is empty');
  if (text.length > MAX_KUBECONFIG_CHARS) reject('', `is larger than ${MAX_KUBECONFIG_CHARS} characters`);
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 0, uniqueKeys: true, prettyErrors: false });
  } catch (err) {
    return reject('', `is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (!isObj(doc)) return reject('', 'is not a YAML mapping');
  checkKeys(doc, TOP_KEYS, '$');
  if (doc.kind !== undefined && doc.kind !== 'Config') reject('kind', 'must be Config');

  const clusters = namedList(doc, 'clusters', 'cluster');
  const users = namedList(doc, 'users', 'user');
  const contexts = namedList(doc, 'contexts', 'context');
  if (opts.context === undefined) {
    // One context: every entry is the one used, so each is validated before anything is picked.
    users.forEach((u) => validateUser(u));
    clusters.forEach((c) => validateCluster(c, opts));
    contexts.forEach((c) => checkKeys(c.body, CONTEXT_KEYS, `contexts[${c.index}].context`));
    if (clusters.length !== 1) reject('clusters', `must hold exactly one cluster (found ${clusters.length})`);
    if (users.length !== 1) reject('users', `must hold exactly one user (found ${users.length})`);
  }
  // With `context`, only the chosen context, its cluster and its user are validated (and used): entries of
  // other contexts, e.g. an `exec` user for another cloud, are never read beyond their names.
  const ctx = chooseContext(contexts, doc, opts);
  const ctxPath = `contexts[${ctx.index}].context`;
  checkKeys(ctx.body, CONTEXT_KEYS, ctxPath);
  const clusterName = str(ctx.body, 'cluster', ctxPath, true) as string;
  const userName = str(ctx.body, 'user', ctxPath, true) as string;
  const namespace = str(ctx.body, 'namespace', ctxPath, false);
  // The user first: a plugin credential is the usual reason a chosen context is refused, and the hint says why.
  const user = validateUser(pick(users, userName, 'user', `${ctxPath}.user`), opts.context !== undefined);
  const cluster = validateCluster(pick(clusters, clusterName, 'cluster', `${ctxPath}.cluster`), opts);
  return {
    contextName: ctx.name,
    ...(namespace !== undefined ? { namespace } : {}),
    cluster,
    user,
  };
}
