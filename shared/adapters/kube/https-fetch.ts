/**
 * The part of `undici` that `@kubernetes/client-node` 2.0.1 uses, carried by `node:https` / `node:http`: the function
 * bundles get this module in place of undici (scripts/esbuild-lean.mjs; undici alone was 720 KiB of each bundle).
 * Outside the bundles (tests, `sluice run`, the CLI) client-node keeps the real undici; both must behave alike.
 *
 * What client-node calls, and what this gives it:
 * - `new Agent({ connect })` (config.js, per request): a keep-alive connection pool with the cluster's TLS options
 *   (ca, cert, key, pfx, passphrase, servername, rejectUnauthorized); idle sockets close after 4 s, as undici's.
 * - `agent.compose(interceptor)` (same-origin.ts): an interceptor wraps `dispatch(opts, handler)`; it may pass the
 *   request on, or refuse it through `handler.onResponseError` / `handler.onError`.
 * - `fetch(url, { method, headers, body, signal, dispatcher })` (gen/http/isomorphic-fetch.js, watch.js): status,
 *   statusText, headers (`forEach`, `get`), `text()`, and `body` as a web stream (a watch reads it line by line).
 *   Redirects are followed as fetch follows them (at most 20; 303, and 301/302 after a POST, become GET), each hop
 *   through the same dispatcher, so the same-origin interceptor sees, and refuses, a hop to another origin.
 * - Errors as undici's fetch gives them: a failed request rejects with `TypeError('fetch failed')` whose `cause` is
 *   the socket, TLS or interceptor error (its `code`: map-error.ts); an aborted one with the signal's reason.
 * - `ProxyAgent` throws: sluice refuses `proxy-url` before building a KubeConfig (kubeconfig-parse.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

/** A request as a dispatcher (and an interceptor) sees it. */
export interface DispatchOptions {
  /** Scheme, host and port, e.g. `https://10.0.0.1:6443`. */
  origin: string;
  /** Path and query. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

/** How a dispatcher reports back: the response, or the error that ended the request. */
export interface DispatchHandler {
  onResponse(res: http.IncomingMessage): void;
  onError(err: Error): void;
  /** undici's name for a refusal by an interceptor (same-origin.ts calls this one when it exists). */
  onResponseError(controller: unknown, err: Error): void;
}

/** `dispatch(opts, handler)`: starts the request; true when it was accepted. */
export type Dispatch = (opts: DispatchOptions, handler: DispatchHandler) => boolean;
/** An interceptor: wraps a dispatch. */
export type Interceptor = (dispatch: Dispatch) => Dispatch;

/** TLS and keep-alive options of {@link Agent} (undici's `connect` options that client-node sets). */
export interface ConnectOptions {
  ca?: string | Buffer | (string | Buffer)[];
  cert?: string | Buffer;
  key?: string | Buffer;
  pfx?: string | Buffer;
  passphrase?: string;
  servername?: string;
  rejectUnauthorized?: boolean;
  /** Delay of the first TCP keep-alive probe (client-node: 30 s). */
  keepAliveInitialDelay?: number;
}

/** undici's default idle time of a kept-alive connection. */
export const IDLE_SOCKET_MS = 4_000;
/** fetch's redirect limit. */
export const MAX_REDIRECTS = 20;

/** A dispatcher: `dispatch`, and `compose` to add interceptors. */
export class Dispatcher {
  /** @param dispatch the innermost dispatch, already wrapped by this dispatcher's interceptors */
  constructor(readonly dispatch: Dispatch) {}

  /** A dispatcher whose requests go through `interceptors` (the first one outermost-but-last, as undici's). */
  compose(...interceptors: Interceptor[]): Dispatcher {
    return new Dispatcher(interceptors.reduce<Dispatch>((d, wrap) => wrap(d), this.dispatch));
  }
}

/** A keep-alive connection pool over `node:https` (and `node:http` for plain-http servers). */
export class Agent extends Dispatcher {
  #https: https.Agent | undefined;
  #http: http.Agent | undefined;

  /** @param options undici's Agent options; only `connect` is read. */
  constructor(options: { connect?: ConnectOptions } = {}) {
    super((opts, handler) => this.#send(opts, handler));
    this.connect = { ...options.connect };
  }

  /** The TLS options of this pool's connections. */
  readonly connect: ConnectOptions;

  #pool(secure: boolean): http.Agent {
    const { keepAliveInitialDelay, ...tls } = this.connect;
    const base = {
      keepAlive: true,
      keepAliveMsecs: keepAliveInitialDelay ?? 60_000 /* undici's */,
      timeout: IDLE_SOCKET_MS,
    };
    if (secure) return (this.#https ??= new https.Agent({ ...base, ...tls }));
    return (this.#http ??= new http.Agent(base));
  }

  #send(opts: DispatchOptions, handler: DispatchHandler): boolean {
    const secure = opts.origin.startsWith('https:');
    const request = secure ? https.request : http.request;
    // timeout 0: the pool's idle timeout must not cut a request (a quiet watch) short; the caller's signal bounds it.
    const req = request(
      new URL(opts.path, opts.origin),
      {
        method: opts.method,
        headers: opts.headers,
        agent: this.#pool(secure),
        timeout: 0,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (res) => handler.onResponse(res),
    );
    req.on('error', (err) => handler.onError(err));
    req.end(opts.body);
    return true;
  }

  /** Closes the pool's idle connections. */
  close(): Promise<void> {
    this.#https?.destroy();
    this.#http?.destroy();
    return Promise.resolve();
  }
}

/** Not available: client-node uses it only for a kubeconfig's `proxy-url`, which sluice refuses. */
export class ProxyAgent {
  constructor() {
    throw new Error(
      'undici ProxyAgent is not in this bundle (shared/adapters/kube/https-fetch.ts): sluice refuses proxy-url',
    );
  }
}

/** Response headers as fetch's `Headers` reads them (lower-case names, repeated values joined by ", "). */
export class ResponseHeaders {
  readonly #values = new Map<string, string>();

  /** @param raw the response's headers as node:http parses them */
  constructor(raw: http.IncomingHttpHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) this.#values.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }

  /** The value of `name`, or null. */
  get(name: string): string | null {
    return this.#values.get(name.toLowerCase()) ?? null;
  }

  /** Calls `fn(value, name)` for each header, names in order. */
  forEach(fn: (value: string, name: string) => void): void {
    for (const name of [...this.#values.keys()].sort()) fn(this.#values.get(name) as string, name);
  }
}

/** The response of {@link fetch}: status, headers, and its body once (as text, JSON or a web stream). */
export class FetchResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: ResponseHeaders;

  /**
   * @param res the node:http response
   * @param url the URL that answered (after redirects)
   * @param signal the request's signal (a body read after an abort rejects with its reason)
   */
  constructor(
    private readonly res: http.IncomingMessage,
    readonly url: string,
    private readonly signal?: AbortSignal,
  ) {
    this.status = res.statusCode ?? 0;
    this.statusText = res.statusMessage ?? '';
    this.headers = new ResponseHeaders(res.headers);
  }

  /** Status 200-299. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The body as a web `ReadableStream` (what watch.js reads with `Readable.fromWeb`). */
  get body(): ReadableStream<Uint8Array> {
    return Readable.toWeb(this.res) as ReadableStream<Uint8Array>;
  }

  /** The whole body as bytes. */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of this.res) chunks.push(chunk as Buffer);
    } catch (err) {
      if (this.signal?.aborted) throw this.signal.reason;
      throw new TypeError('terminated', { cause: err });
    }
    const all = Buffer.concat(chunks);
    return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  }

  /** The whole body as UTF-8 text. */
  async text(): Promise<string> {
    return Buffer.from(await this.arrayBuffer()).toString('utf8');
  }

  /** The body parsed as JSON. */
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

/** fetch's options, as client-node passes them. */
export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

type HopRequest = Omit<DispatchOptions, 'origin' | 'path'>;

let defaultAgent: Agent | undefined;

/** One hop: the request through `dispatcher`, resolved with the response or rejected as undici's fetch rejects. */
function hop(dispatcher: Dispatcher, url: URL, req: HopRequest): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void =>
      reject(req.signal?.aborted ? req.signal.reason : new TypeError('fetch failed', { cause: err }));
    if (req.signal?.aborted) return fail(new Error('aborted'));
    dispatcher.dispatch(
      { ...req, origin: url.origin, path: `${url.pathname}${url.search}` },
      { onResponse: resolve, onError: fail, onResponseError: (_controller, err) => fail(err) },
    );
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The request that follows a redirect with `status` to `next`, as fetch rewrites it: 303 (and 301/302 after a POST)
 * becomes a GET without body, and credentials are not carried to another origin.
 */
function redirected(status: number, req: HopRequest, from: URL, next: URL): HopRequest {
  const toGet =
    (status === 303 && req.method !== 'HEAD') ||
    ((status === 301 || status === 302) && req.method === 'POST');
  const dropped = (name: string): boolean =>
    (toGet && /^content-/i.test(name)) ||
    (from.origin !== next.origin && /^(authorization|cookie|proxy-authorization)$/i.test(name));
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !dropped(name)));
  if (!toGet) return { ...req, headers };
  const { body: _body, ...rest } = req;
  return { ...rest, method: 'GET', headers };
}

/**
 * fetch over `node:https`, through `init.dispatcher` (or a default pool).
 * @throws TypeError('fetch failed') with the failure as `cause`; the signal's reason when aborted.
 */
export async function fetch(input: string | URL, init: FetchInit = {}): Promise<FetchResponse> {
  const dispatcher = init.dispatcher ?? (defaultAgent ??= new Agent());
  let url = new URL(String(input));
  let req: HopRequest = {
    method: (init.method ?? 'GET').toUpperCase(),
    headers: { ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(init.signal ? { signal: init.signal } : {}),
  };
  for (let redirects = 0; ; redirects++) {
    const res = await hop(dispatcher, url, req);
    const location = res.headers.location;
    const status = res.statusCode ?? 0;
    if (!REDIRECTS.has(status) || location === undefined)
      return new FetchResponse(res, url.href, init.signal);
    res.resume();
    if (redirects === MAX_REDIRECTS)
      throw new TypeError('fetch failed', { cause: new Error(`redirect count exceeded at ${url.href}`) });
    const next = new URL(location, url);
    req = redirected(status, req, url, next);
    url = next;
  }
}
