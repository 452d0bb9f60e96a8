/**
 * The promotion API on localhost: a node:http server around the same request handling the promote function runs
 * (shared/app/http-api/promote.ts), so the routes, the order of checks (size, signature, replay, route, content
 * type, body) and the answers are the function's own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lowerCaseHeaders, type ApiAnswer, type ApiRequest } from '../../app/http-api/promote.js';
import { MAX_BODY_BYTES } from '../../app/http-api/request.js';
import { jsonResponse } from '../../app/http-api/response.js';

/** Answers one request (the shared API handler, bound to a logger). */
export type LocalApiHandler = (req: ApiRequest) => Promise<ApiAnswer>;

/** A running local API server. */
export interface ApiServer {
  url: string;
  /** Stops accepting connections and resolves once the requests in flight are answered. */
  close(): Promise<void>;
}

/** Reads at most MAX_BODY_BYTES + 1 bytes (enough for the handler to answer 413), discarding the rest. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > MAX_BODY_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => resolve(Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1)));
    req.on('error', reject);
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

/**
 * Serves `handler` on `host:port` (port 0: any free port).
 * `onAnswer` is called once per request with the method, path and response (for the decision log).
 */
export async function startApiServer(opts: {
  host: string;
  port: number;
  handler: LocalApiHandler;
  onAnswer?: (method: string, path: string, answer: ApiAnswer) => void;
}): Promise<ApiServer> {
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let answer: ApiAnswer;
    let request: ApiRequest | undefined;
    try {
      request = toApiRequest(req, await readBody(req));
      answer = await opts.handler(request);
    } catch {
      answer = { response: jsonResponse(500, { message: 'internal error' }) };
    }
    res.writeHead(answer.response.statusCode, answer.response.headers);
    res.end(answer.response.body);
    opts.onAnswer?.(req.method ?? 'GET', request?.path ?? req.url ?? '', answer);
  };
  const server: Server = createServer((req, res) => void serve(req, res));
  server.requestTimeout = 30_000;
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
