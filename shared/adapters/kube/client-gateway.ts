/**
 * {@link KubeGateway} on `@kubernetes/client-node` 2.0.1 (with kubeconfig.ts, the only importer of that package).
 *
 * Every resource goes through `CustomObjectsApi`'s generic paths, so bodies stay plain JSON (no model classes that
 * drop unknown fields or turn timestamps into Dates); a request middleware maps the core group's
 * `/apis//v1/...` to `/api/v1/...`. Per request: an AbortSignal timeout, the content type, and a status probe for
 * `onRequest`. Around each request: a token-bucket rate limit, and retries (full jitter; Retry-After for 429; never
 * for other 4xx or conflicts), all bounded by `deadline`.
 */
import {
  CustomObjectsApi,
  Observable,
  PatchStrategy,
  Watch,
  type ConfigurationOptions,
  type KubeConfig,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { KubeObject } from '../../core/model/types.js';
import { RESOURCES, type JsonPatchOp, type ResourceName, type Target } from '../../core/model/resources.js';
import { KubeApiError, type KubeCall } from '../../app/kube-port/errors.js';
import { FIELD_MANAGER } from './field-manager.js';
import type {
  DeleteOptions,
  KubeGateway,
  ListOptions,
  WatchEvent,
  WatchHandle,
  WriteOptions,
} from '../../app/kube-port/gateway.js';
import { retryAfterOf, statusError, toKubeApiError } from './map-error.js';
import {
  DEFAULT_BACKOFF,
  TokenBucket,
  backoffMs,
  parseRetryAfter,
  shouldRetry,
  sleep,
  type BackoffOptions,
} from './retry.js';

/** What the gateway needs from a client-node `KubeConfig`. */
export type KubeConfigLike = KubeConfig;

/** One finished HTTP request (every attempt, including retried ones and watch connects). */
export interface RequestInfo {
  verb: string;
  resource: string;
  namespace?: string;
  /** HTTP status, or 0 for a network error / timeout. */
  status: number;
  ms: number;
}

/** Options for {@link createGateway}. */
export interface GatewayOptions {
  /** Per-request timeout (default 10 s; never beyond the deadline). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 4). */
  maxRetries?: number;
  /** Epoch ms by which all work must end (e.g. Lambda remaining time minus a margin). */
  deadline?: () => number;
  /** Sustained requests per second (default 20). */
  qps?: number;
  /** Bucket size (default 40). */
  burst?: number;
  /** Called after every request attempt. */
  onRequest?: (info: RequestInfo) => void;
  /** Backoff tuning (tests). */
  backoff?: Partial<BackoffOptions>;
  /** Idle timeout of a watch stream (default 90 s; bookmarks arrive about once a minute). */
  watchIdleTimeoutMs?: number;
}

const resourceLabel = (r: ResourceName): string => {
  const t = RESOURCES[r];
  return t.group ? `${t.plural}.${t.group}` : t.plural;
};

function collectionPath(r: ResourceName, namespace: string | undefined): string {
  const t = RESOURCES[r];
  const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  return namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${t.plural}`
    : `${base}/${t.plural}`;
}

/**
 * Create a {@link KubeGateway} for one cluster. Throws {@link KubeApiError} from every method; `get` returns
 * undefined on 404. Writes carry their own preconditions (JSON Patch `test`, resourceVersion), so a retried write
 * whose first attempt landed surfaces as a conflict, never as a double effect.
 */
export function createGateway(kc: KubeConfigLike, options: GatewayOptions = {}): KubeGateway {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetries = options.maxRetries ?? 4;
  const deadline = options.deadline ?? (() => Number.POSITIVE_INFINITY);
  const bucket = new TokenBucket(options.qps ?? 20, options.burst ?? 40);
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
  const api = kc.makeApiClient(CustomObjectsApi);
  // client-node builds a new undici Agent (so a new TLS connection) for every request; keep the first one so the
  // gateway reuses its keep-alive connections (measured: a no-op pass 44 ms → 16 ms).
  let dispatcher: ReturnType<RequestContext['getDispatcher']>;

  const deadlineError = (call: KubeCall, what: string): KubeApiError =>
    new KubeApiError(call, 0, 'DeadlineExceeded', `${what}: the invocation deadline has passed`);

  /** Per-attempt middleware: timeout signal, core-group path, content type, status probe. */
  function requestOptions(
    ms: number,
    contentType: string | undefined,
    probe: { status: number },
    path?: (url: string) => string,
  ): ConfigurationOptions<ObservableMiddleware> {
    const mw: ObservableMiddleware = {
      pre: (ctx: RequestContext) => {
        ctx.setSignal(AbortSignal.timeout(ms));
        dispatcher ??= ctx.getDispatcher();
        if (dispatcher) ctx.setDispatcher(dispatcher);
        const url = ctx.getUrl();
        const core = url.includes('/apis//') ? url.replace('/apis//', '/api/') : url;
        if (core !== url || path) ctx.setUrl(path ? path(core) : core);
        if (contentType) ctx.setHeaderParam('Content-Type', contentType);
        return new Observable(Promise.resolve(ctx));
      },
      post: (rsp: ResponseContext) => {
        probe.status = rsp.httpStatusCode;
        return new Observable(Promise.resolve(rsp));
      },
    };
    return { middleware: [mw], middlewareMergeStrategy: 'append' };
  }

  async function waitForToken(call: KubeCall): Promise<void> {
    const wait = bucket.reserve();
    if (wait === 0) return;
    if (Date.now() + wait >= deadline()) {
      bucket.release();
      throw deadlineError(call, 'rate limited');
    }
    await sleep(wait);
  }

  /** One call with its retries. `shape.path` rewrites the URL (a subresource); `shape.final429` never retries a 429. */
  async function run<T>(
    call: KubeCall,
    contentType: string | undefined,
    fn: (opts: ConfigurationOptions<ObservableMiddleware>) => Promise<T>,
    shape: { path?: (url: string) => string; final429?: boolean } = {},
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (deadline() - Date.now() <= 0) throw deadlineError(call, `before attempt ${attempt + 1}`);
      await waitForToken(call);
      const remaining = deadline() - Date.now();
      if (remaining <= 0) throw deadlineError(call, `before attempt ${attempt + 1}`);
      const probe = { status: 0 };
      const started = Date.now();
      try {
        const result = await fn(
          requestOptions(Math.min(timeoutMs, remaining), contentType, probe, shape.path),
        );
        report(call, probe.status || 200, started);
        return result;
      } catch (raw) {
        const err = toKubeApiError(call, raw);
        report(call, err.code, started);
        if (attempt >= maxRetries || !shouldRetry(err) || (shape.final429 && err.code === 429)) throw err;
        const delay = backoffMs(attempt, parseRetryAfter(retryAfterOf(raw), Date.now()), backoff);
        if (Date.now() + delay >= deadline()) throw err;
        await sleep(delay);
      }
    }
  }

  function report(call: KubeCall, status: number, started: number): void {
    options.onRequest?.({
      verb: call.verb,
      resource: call.resource,
      ...(call.namespace ? { namespace: call.namespace } : {}),
      status,
      ms: Date.now() - started,
    });
  }

  const gv = (r: ResourceName): { group: string; version: string; plural: string } => {
    const t = RESOURCES[r];
    return { group: t.group, version: t.version, plural: t.plural };
  };
  /** Every write names sluice as its field manager, so `metadata.managedFields` tells sluice's writes from others'. */
  const dry = (o?: WriteOptions): { dryRun?: string; fieldManager: string } =>
    o?.dryRun ? { dryRun: 'All', fieldManager: FIELD_MANAGER } : { fieldManager: FIELD_MANAGER };

  function patchWith(target: Target, body: unknown, strategy: string, o?: WriteOptions): Promise<KubeObject> {
    const call: KubeCall = {
      verb: 'patch',
      resource: resourceLabel(target.resource),
      namespace: target.namespace,
      name: target.subresource ? `${target.name}/${target.subresource}` : target.name,
    };
    const req = { ...gv(target.resource), namespace: target.namespace, name: target.name, body, ...dry(o) };
    return run(call, strategy, (opts) =>
      target.subresource === 'status'
        ? api.patchNamespacedCustomObjectStatus(req, opts)
        : api.patchNamespacedCustomObject(req, opts),
    ) as Promise<KubeObject>;
  }

  return {
    async get(resource, namespace, name) {
      const call: KubeCall = { verb: 'get', resource: resourceLabel(resource), namespace, name };
      try {
        return (await run(call, undefined, (opts) =>
          api.getNamespacedCustomObject({ ...gv(resource), namespace, name }, opts),
        )) as KubeObject;
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 404) return undefined;
        throw err;
      }
    },

    async list(resource, namespace, o: ListOptions = {}) {
      const call: KubeCall = {
        verb: 'list',
        resource: resourceLabel(resource),
        ...(namespace ? { namespace } : {}),
      };
      const q = {
        ...gv(resource),
        ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
        ...(o.limit ? { limit: o.limit } : {}),
      };
      const out = (await run(call, undefined, (opts) =>
        namespace
          ? api.listNamespacedCustomObject({ ...q, namespace }, opts)
          : api.listClusterCustomObject(q, opts),
      )) as { items?: KubeObject[]; metadata?: { resourceVersion?: string } };
      return { items: out.items ?? [], resourceVersion: out.metadata?.resourceVersion ?? '' };
    },

    create(resource, namespace, body, o) {
      const call: KubeCall = {
        verb: 'create',
        resource: resourceLabel(resource),
        namespace,
        name: body.metadata?.name,
      };
      return run(call, 'application/json', (opts) =>
        api.createNamespacedCustomObject({ ...gv(resource), namespace, body, ...dry(o) }, opts),
      ) as Promise<KubeObject>;
    },

    async patch(target: Target, ops: JsonPatchOp[], o?: WriteOptions) {
      try {
        return await patchWith(target, ops, PatchStrategy.JsonPatch, o);
      } catch (err) {
        throw await explainPatch422(err, target, ops, (t) => this.get(t.resource, t.namespace, t.name));
      }
    },
    mergePatch: (target: Target, body: unknown, o?: WriteOptions) =>
      patchWith(target, body, PatchStrategy.MergePatch, o),

    async delete(target: Target, o?: DeleteOptions) {
      const { namespace, name } = target;
      const call: KubeCall = { verb: 'delete', resource: resourceLabel(target.resource), namespace, name };
      // With a DeleteOptions body the API server reads the options from the body only (query parameters are then
      // ignored), so dryRun goes into the body as well.
      const body = {
        ...(o?.preconditions ? { preconditions: o.preconditions } : {}),
        ...(o?.dryRun ? { dryRun: ['All'] } : {}),
      };
      const req = { ...gv(target.resource), namespace, name, ...(o?.dryRun ? { dryRun: 'All' } : {}), body };
      await run(call, 'application/json', (opts) => api.deleteNamespacedCustomObject(req, opts));
    },

    async evict(namespace: string, name: string, o?: WriteOptions) {
      const call: KubeCall = { verb: 'create', resource: 'pods/eviction', namespace, name };
      const body = {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name, namespace },
        ...(o?.dryRun ? { deleteOptions: { dryRun: ['All'] } } : {}),
      };
      // The generic create posts to .../namespaces/<ns>/pods; the eviction is the pod's subresource. A 429 is a
      // PodDisruptionBudget's refusal: the caller skips the pod, so it is not retried here.
      const suffix = `/pods/${encodeURIComponent(name)}/eviction`;
      await run(
        call,
        'application/json',
        (opts) => api.createNamespacedCustomObject({ ...gv('pods'), namespace, body, ...dry(o) }, opts),
        { path: (url) => url.replace(/\/pods(?=\?|$)/, suffix), final429: true },
      );
    },

    watch(resource, namespace, resourceVersion, onEvent): WatchHandle {
      const call: KubeCall = {
        verb: 'watch',
        resource: resourceLabel(resource),
        ...(namespace ? { namespace } : {}),
      };
      return startWatch(kc, call, collectionPath(resource, namespace), resourceVersion, {
        onEvent,
        idleMs: options.watchIdleTimeoutMs ?? 90_000,
        deadline,
        report: (status, started) => report(call, status, started),
      });
    },
  };
}

/** The message a real API server gives for any JSON Patch that fails to apply (details empty). */
const GENERIC_422 = 'the server rejected our request due to an error in our request';

/**
 * A failed JSON Patch comes back as a bare 422 with no detail, so a failed `test` of the resourceVersion (a lost
 * race) looks like a broken patch. Re-read the object once to tell them apart, and say which it was: a changed
 * resourceVersion gives a message containing "test operation" (so `isConflict` holds); otherwise the patch itself
 * is wrong (a missing path, or a test of another field) and stays a plain 422.
 */
async function explainPatch422(
  err: unknown,
  target: Target,
  ops: JsonPatchOp[],
  read: (t: Target) => Promise<KubeObject | undefined>,
): Promise<unknown> {
  if (!(err instanceof KubeApiError) || err.code !== 422 || !err.message.endsWith(GENERIC_422)) return err;
  const rvTest = ops.find((op) => op.op === 'test' && op.path === '/metadata/resourceVersion');
  let current: KubeObject | undefined;
  try {
    current = await read(target);
  } catch {
    return err;
  }
  const rv = current?.metadata.resourceVersion;
  const detail =
    rvTest && rv !== rvTest.value
      ? `JSON Patch test operation failed: resourceVersion is ${rv ?? '(object gone)'}, expected ${String(rvTest.value)}`
      : `JSON Patch could not be applied (a path does not exist or a test of another field failed)`;
  return new KubeApiError(err.call, 422, err.reason, detail, { cause: err });
}

interface WatchCtx {
  onEvent: (event: WatchEvent) => void;
  idleMs: number;
  deadline: () => number;
  report: (status: number, started: number) => void;
}

/**
 * Start a watch with bookmarks. `done` resolves when the server closes the stream, the idle timeout or deadline
 * passes, or `stop()` is called; it rejects with a {@link KubeApiError} for an ERROR event (410 Expired: re-list)
 * and for a failed connect (e.g. 403).
 */
function startWatch(
  kc: KubeConfigLike,
  call: KubeCall,
  path: string,
  resourceVersion: string,
  ctx: WatchCtx,
): WatchHandle {
  let controller: AbortController | undefined;
  let stopped = false;
  let failure: KubeApiError | undefined;
  let settle!: (err?: KubeApiError) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  const stop = (): void => {
    stopped = true;
    controller?.abort();
  };
  const until = ctx.deadline() - Date.now();
  const deadlineTimer = Number.isFinite(until) ? setTimeout(stop, Math.max(0, until)) : undefined;
  deadlineTimer?.unref();

  const watch = new Watch(kc);
  // Inactivity timeout (private in the typings, documented as settable).
  (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = ctx.idleMs;
  const started = Date.now();
  let reported = false;
  // With a finite deadline, ask the server to end the stream by then (it also sends a bookmark ~2 s before).
  const query = {
    resourceVersion,
    allowWatchBookmarks: true,
    ...(Number.isFinite(until) ? { timeoutSeconds: Math.max(1, Math.floor(until / 1000)) } : {}),
  };
  watch
    .watch(
      path,
      query,
      (type: string, object: KubeObject & { code?: number }) => {
        if (!reported) {
          reported = true;
          ctx.report(200, started);
        }
        if (type === 'ERROR') {
          failure ??= statusError(call, object.code ?? 500, object);
          controller?.abort();
          return;
        }
        if (!stopped) ctx.onEvent({ type: type as WatchEvent['type'], object });
      },
      (err: unknown) => {
        clearTimeout(deadlineTimer);
        if (failure) return settle(failure);
        const status = (err as { statusCode?: number } | null)?.statusCode;
        if (!reported) ctx.report(status ?? (err ? 0 : 200), started);
        if (status !== undefined && !stopped) return settle(statusError(call, status, undefined, err));
        settle();
      },
    )
    .then(
      (c) => {
        controller = c;
        if (stopped || failure) c.abort();
      },
      (err: unknown) => settle(toKubeApiError(call, err)),
    );
  return { stop, done };
}
