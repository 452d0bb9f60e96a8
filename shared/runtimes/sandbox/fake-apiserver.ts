/**
 * An in-memory Kubernetes API server for the local sandbox (`npm start`): plain HTTP on 127.0.0.1, serving the
 * resources sluice uses with kube-apiserver's semantics (see store.ts), so `@kubernetes/client-node` talks to it
 * as to a real cluster. Not a security boundary: loopback only, no authentication.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyJsonPatch, mergePatch, PatchApplyError, type PatchOperation } from './json-patch.js';
import { LabelSelectorError, matchesLabels, parseLabelSelector, type Requirement } from './label-selector.js';
import { ApiStatusError, apiVersionOf, errors } from './resources.js';
import { atVersion, discovery, parseResourcePath, type ResourcePath } from './routes.js';
import { ObjectStore, type StoredObject } from './store.js';
import { serveWatch } from './watch.js';

/** Options for {@link startFakeApiServer}. */
export interface FakeApiServerOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** How often a watch with allowWatchBookmarks gets a BOOKMARK (default 5 s). */
  bookmarkIntervalMs?: number;
  /** Past events kept for watches (default 5000). */
  historyLimit?: number;
}

/** A running fake API server. */
export interface FakeApiServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The objects, for the simulated kubelet and tests (writes through it behave like API writes). */
  store: ObjectStore;
  /** A kubeconfig (YAML) pointing at this server. */
  kubeconfig(): string;
  close(): Promise<void>;
}

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function selectorOf(url: URL): Requirement[] {
  try {
    return parseLabelSelector(url.searchParams.get('labelSelector') ?? '');
  } catch (err) {
    if (err instanceof LabelSelectorError) throw errors.badRequest(err.message);
    throw err;
  }
}

function dryRunOf(url: URL): boolean {
  const value = url.searchParams.get('dryRun');
  if (value !== null && value !== 'All') throw errors.badRequest(`Invalid dryRun value: "${value}"`);
  return value === 'All';
}

function list(store: ObjectStore, path: ResourcePath, url: URL): unknown {
  const selector = selectorOf(url);
  const items = store
    .list(path.resource, path.namespace)
    .filter((o) => matchesLabels(selector, (o.metadata.labels ?? {}) as Record<string, string>))
    .map((o) => atVersion(o, path.resource, path.version));
  return {
    kind: `${path.resource.kind}List`,
    apiVersion: apiVersionOf(path.resource, path.version),
    // Custom resource lists carry an empty `continue`, as kube-apiserver's CRD handler writes them.
    metadata: path.resource.custom
      ? { continue: '', resourceVersion: String(store.currentRevision) }
      : { resourceVersion: String(store.currentRevision) },
    items,
  };
}

function patchBody(
  current: StoredObject,
  contentType: string,
  text: string,
  path: ResourcePath,
): StoredObject {
  if (contentType === 'application/merge-patch+json')
    return mergePatch(current, parseJson(text)) as StoredObject;
  if (contentType === 'application/json-patch+json') {
    const ops = parseJson(text);
    if (!Array.isArray(ops))
      throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    try {
      return applyJsonPatch(current, ops as PatchOperation[]) as StoredObject;
    } catch (err) {
      if (err instanceof PatchApplyError) throw errors.patchRejected();
      throw err;
    }
  }
  if (contentType === 'application/strategic-merge-patch+json' && !path.resource.custom) {
    // Approximation: the sandbox's built-in types take a strategic merge patch as a merge patch.
    return mergePatch(current, parseJson(text)) as StoredObject;
  }
  throw errors.unsupportedMediaType(
    path.resource.custom ? PATCH_TYPES : [...PATCH_TYPES, 'application/strategic-merge-patch+json'],
  );
}

/** The `fieldManager` query parameter, when sent. */
function fieldManagerOf(req: IncomingMessage): { fieldManager?: string } {
  const manager = new URL(req.url ?? '/', 'http://x').searchParams.get('fieldManager');
  return manager ? { fieldManager: manager } : {};
}

function patch(
  store: ObjectStore,
  path: ResourcePath,
  req: IncomingMessage,
  text: string,
  dryRun: boolean,
): unknown {
  const name = path.name ?? '';
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  const current = store.get(path.resource, path.namespace ?? '', name);
  if (!current) throw errors.notFound(path.resource, name);
  const patched = patchBody(atVersion(current, path.resource, path.version), contentType, text, path);
  const sent = patched.metadata?.resourceVersion;
  if (sent && sent !== current.metadata.resourceVersion) throw errors.conflict(path.resource, name);
  if (patched.metadata?.name !== name)
    throw errors.badRequest(`the name of the object does not match the name on the URL`);
  patched.metadata.resourceVersion = current.metadata.resourceVersion;
  return store.update(path.resource, path.namespace ?? '', patched, {
    dryRun,
    subresource: path.subresource,
    preconditionChecked: true,
    ...fieldManagerOf(req),
  });
}

/**
 * DELETE with the `preconditions` of a DeleteOptions body (uid, resourceVersion): a mismatch is a 409 Conflict, as
 * kube-apiserver answers it, and nothing is deleted. `dryRun` is honoured from the query or the body.
 */
function remove(store: ObjectStore, path: ResourcePath, text: string, dryRun: boolean): unknown {
  const name = path.name ?? '';
  type DeleteOptions = { preconditions?: Record<string, unknown>; dryRun?: unknown };
  const body = text.trim() === '' ? {} : (parseJson(text) as DeleteOptions);
  const pre = body?.preconditions ?? {};
  const dry = dryRun || (Array.isArray(body?.dryRun) && body.dryRun.includes('All'));
  const current = store.get(path.resource, path.namespace ?? '', name);
  if (!current) throw errors.notFound(path.resource, name);
  const { uid, resourceVersion } = current.metadata;
  if (
    (pre['uid'] !== undefined && pre['uid'] !== uid) ||
    (pre['resourceVersion'] !== undefined && pre['resourceVersion'] !== resourceVersion)
  )
    throw errors.conflict(path.resource, name);
  return store.delete(path.resource, path.namespace ?? '', name, { dryRun: dry });
}

/**
 * `POST pods/<name>/eviction` (a policy/v1 Eviction): the pod is deleted (the sandbox has no disruption budgets) and
 * a `Success` Status is answered, as kube-apiserver does; `dryRun` from the query or the Eviction's `deleteOptions`.
 */
function evict(store: ObjectStore, path: ResourcePath, req: IncomingMessage, text: string): unknown {
  if (req.method !== 'POST') throw errors.methodNotAllowed();
  const body = (text.trim() === '' ? {} : parseJson(text)) as { deleteOptions?: { dryRun?: unknown } };
  const bodyDry = body.deleteOptions?.dryRun;
  const dryRun =
    dryRunOf(new URL(req.url ?? '/', 'http://x')) || (Array.isArray(bodyDry) && bodyDry.includes('All'));
  const name = path.name ?? '';
  if (!store.get(path.resource, path.namespace ?? '', name)) throw errors.notFound(path.resource, name);
  store.delete(path.resource, path.namespace ?? '', name, { dryRun });
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

function write(store: ObjectStore, path: ResourcePath, req: IncomingMessage, text: string): unknown {
  const dryRun = dryRunOf(new URL(req.url ?? '/', 'http://x'));
  const ns = path.namespace ?? '';
  switch (req.method) {
    case 'POST': {
      const unscoped = path.namespace === undefined && !path.resource.clusterScoped;
      if (path.name !== undefined || unscoped) throw errors.methodNotAllowed();
      const body = parseJson(text) as StoredObject;
      const stored = {
        ...body,
        apiVersion: apiVersionOf(path.resource, path.resource.versions[0] ?? ''),
        kind: path.resource.kind,
      };
      return store.create(path.resource, ns, stored, { dryRun, ...fieldManagerOf(req) });
    }
    case 'PUT': {
      const body = parseJson(text) as StoredObject;
      if (body.metadata?.name !== path.name) {
        throw errors.badRequest(
          `the name of the object (${body.metadata?.name}) does not match the name on the URL (${path.name})`,
        );
      }
      return store.update(path.resource, ns, body, {
        dryRun,
        subresource: path.subresource,
        ...fieldManagerOf(req),
      });
    }
    case 'PATCH':
      return patch(store, path, req, text, dryRun);
    case 'DELETE':
      return remove(store, path, text, dryRun);
    default:
      throw errors.methodNotAllowed();
  }
}

function read(
  store: ObjectStore,
  opts: FakeApiServerOptions,
  path: ResourcePath,
  url: URL,
  res: ServerResponse,
): void {
  if (path.name === undefined) {
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') {
      const bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 5000;
      return serveWatch(store, path, { url, selector: selectorOf(url), res, bookmarkIntervalMs });
    }
    return send(res, 200, list(store, path, url));
  }
  const found = store.get(path.resource, path.namespace ?? '', path.name);
  if (!found) throw errors.notFound(path.resource, path.name);
  send(res, 200, atVersion(found, path.resource, path.version));
}

async function handle(
  store: ObjectStore,
  opts: FakeApiServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (['/healthz', '/readyz', '/livez'].includes(url.pathname)) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  const doc = req.method === 'GET' ? discovery(url.pathname) : undefined;
  if (doc) return send(res, 200, doc);
  const path = parseResourcePath(url.pathname);
  if (!path) throw errors.noRoute();
  if (req.method === 'GET') return read(store, opts, path, url, res);
  const text = await readBody(req);
  if (path.eviction) return send(res, 201, evict(store, path, req, text));
  const result = write(store, path, req, text) as StoredObject;
  send(res, req.method === 'POST' ? 201 : 200, atVersion(result, path.resource, path.version));
}

/**
 * Starts the fake API server on 127.0.0.1.
 * @example
 * const api = await startFakeApiServer();
 * writeFileSync(file, api.kubeconfig()); // ... then: await api.close();
 */
export async function startFakeApiServer(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const store = new ObjectStore(opts.historyLimit);
  const server: Server = createServer((req, res) => {
    handle(store, opts, req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.end();
      if (err instanceof ApiStatusError) return send(res, err.status.code, err.status);
      send(res, 500, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        reason: 'InternalError',
        code: 500,
        message: `Internal error occurred: ${(err as Error).message}`,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    store,
    kubeconfig: () => sandboxKubeconfig(url),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A kubeconfig for the sandbox: one cluster `sluice-sandbox`, context and user of the same name. The token is a
 * placeholder (kubeconfig loaders want a credential); the sandbox does not check it.
 */
export function sandboxKubeconfig(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: sluice-sandbox',
    '    cluster:',
    `      server: ${url}`,
    'contexts:',
    '  - name: sluice-sandbox',
    '    context:',
    '      cluster: sluice-sandbox',
    '      user: sluice-sandbox',
    '      namespace: default',
    'current-context: sluice-sandbox',
    'users:',
    '  - name: sluice-sandbox',
    '    user:',
    '      token: sandbox-no-auth',
    '',
  ].join('\n');
}
