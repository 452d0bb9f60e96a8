/**
 * The promotion API on localhost: a node:http server around the same request handling the promote function runs
 * (shared/app/http-api/promote.ts), so the routes, the order of checks (size, signature, replay, route, content
 * type, body) and the answers are the function's own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { lowerCaseHeaders, type ApiAnswer, type ApiRequest } from '../../app/http-api/promote.js';
import { MAX_BODY_BYTES } from '../../app/http-api/request.js';
import { jsonResponse } from '../../app/http-api/response.js';
import { ConnectionGate } from './connection-gate.js';
import { connectionCap, DEFAULT_HTTP_LIMITS, softOpenFileLimit, type HttpLimits } from './http-limits.js';

/** Answers one request (the shared API handler, bound to a logger). */
export type LocalApiHandler = (req: ApiRequest) => Promise<ApiAnswer>;

/** A running local API server. */
export interface ApiServer {
  url: string;
  /** Stops accepting connections and resolves once the requests in flight are answered. */
  close(): Promise<void>;
}

/**
 * Reads the body up to MAX_BODY_BYTES + 1 bytes (enough for the handler to answer 413) and stops there: a larger
 * body is not waited for (`complete` false: the answer closes the connection). Rejects when the connection closes
 * first (a body cut by the request timeout).
 */
function readBody(req: IncomingMessage): Promise<{ body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      // Not read at all: any MAX_BODY_BYTES + 1 bytes get the handler's own 413.
      resolve({ body: Buffer.alloc(MAX_BODY_BYTES + 1), complete: false });
      return;
    }
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.pause();
        resolve({ body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1), complete: false });
      }
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), complete: true }));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request closed before its body ended'));
    });
  });
}

/** The request as the API handler takes it (the body's bytes unchanged: they are signed). */
export function toApiRequest(req: IncomingMessage, body: Buffer): ApiRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const url = new URL(req.url ?? '/', 'http://local');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    headers: lowerCaseHeaders(headers),
    body,
    ...(url.search ? { query: url.search.slice(1) } : {}),
  };
}

/** Options of {@link startApiServer}. */
export interface ApiServerOptions {
  host: string;
  port: number;
  handler: LocalApiHandler;
  /** The bounds on clients (default {@link DEFAULT_HTTP_LIMITS}). */
  limits?: HttpLimits;
  /** The soft open-file limit the connection cap is lowered to fit (default: this process's, when known). */
  softOpenFiles?: number | undefined;
  /** Called once per request with the method, path and response (for the decision log). */
  onAnswer?: (method: string, path: string, answer: ApiAnswer) => void;
}

/** How often node:http checks the header and request deadlines: a quarter of the headers timeout, 1 s at most. */
export function checkingIntervalMs(limits: HttpLimits): number {
  return Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)));
}

/** The node:http server with the time bounds passed at construction (set later, node applies other values). */
function boundedServer(
  limits: HttpLimits,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  return createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.idleTimeoutMs,
      connectionsCheckingInterval: checkingIntervalMs(limits),
    },
    listener,
  );
}

/**
 * Serves `handler` on `host:port` (port 0: any free port), within `limits`: connections past the caps are answered
 * 503 at once, idle connections closed, slow headers and bodies cut with 408.
 */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const limits = opts.limits ?? DEFAULT_HTTP_LIMITS;
  const softOpenFiles = 'softOpenFiles' in opts ? opts.softOpenFiles : softOpenFileLimit();
  const gate = new ConnectionGate({
    maxConnections: connectionCap(limits.maxConnections, softOpenFiles),
    maxConnectionsPerSource: limits.maxConnectionsPerSource,
    retryAfterSeconds: Math.max(1, Math.ceil(limits.idleTimeoutMs / 1000)),
    lingerMs: Math.min(1000, limits.idleTimeoutMs),
  });
  /** Sockets with a request being answered: an idle timeout does not close them. */
  const busy = new WeakSet<object>();
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (gate.isRefused(req.socket)) return; // already answered 503 and closing
    busy.add(req.socket);
    res.once('close', () => busy.delete(req.socket));
    let answer: ApiAnswer;
    let request: ApiRequest | undefined;
    let complete = true;
    try {
      const read = await readBody(req);
      complete = read.complete;
      request = toApiRequest(req, read.body);
      answer = await opts.handler(request);
    } catch {
      if (req.socket.destroyed) return; // cut by a timeout or the client: nobody to answer
      answer = { response: jsonResponse(500, { message: 'internal error' }) };
    }
    const headers = complete ? answer.response.headers : { ...answer.response.headers, connection: 'close' };
    res.writeHead(answer.response.statusCode, headers);
    res.end(answer.response.body);
    opts.onAnswer?.(req.method ?? 'GET', request?.path ?? req.url ?? '', answer);
  };
  const server = boundedServer(limits, (req, res) => void serve(req, res));
  // Before node:http's own listener: a connection past the caps is answered and closed before it is parsed.
  server.prependListener('connection', (socket: Socket) => {
    if (gate.admit(socket)) socket.setTimeout(limits.idleTimeoutMs);
  });
  // A listener replaces node's default (destroy on any socket timeout): an idle connection is closed, one whose
  // request is being answered is left to finish.
  server.on('timeout', (socket: Socket) => {
    if (!busy.has(socket)) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
