/**
 * The promotion API on localhost: a node:http server that turns each request into the API Gateway (payload 2.0)
 * event the promote function receives and answers with the function's response, so the routes, the order of
 * checks (size, signature, replay, route, content type, body) and the answers are the function's own.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../../app/http-api/request.js';
import type { HttpResponse } from '../../app/http-api/response.js';

/** Something that answers API Gateway events (the promote handler). */
export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResponse>;

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

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  return out;
}

/** The API Gateway v2 event for a request (body base64-encoded, so the signed bytes are passed unchanged). */
export function toApiGatewayEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
  const headers = headersOf(req);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

function localContext(): Context {
  return {
    awsRequestId: randomUUID(),
    functionName: 'sluice-run-promote',
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;
}

/**
 * Serves `handler` on `host:port` (port 0: any free port).
 * `onAnswer` is called once per request with the method, path and response (for the decision log).
 */
export async function startApiServer(opts: {
  host: string;
  port: number;
  handler: ApiHandler;
  onAnswer?: (method: string, path: string, res: HttpResponse) => void;
}): Promise<ApiServer> {
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let answer: HttpResponse;
    let event: APIGatewayProxyEventV2 | undefined;
    try {
      event = toApiGatewayEvent(req, await readBody(req));
      answer = await opts.handler(event, localContext());
    } catch {
      answer = {
        statusCode: 500,
        headers: { 'content-type': 'application/json' },
        body: '{"message":"internal error"}',
      };
    }
    res.writeHead(answer.statusCode, answer.headers);
    res.end(answer.body);
    opts.onAnswer?.(req.method ?? 'GET', event?.rawPath ?? req.url ?? '', answer);
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
