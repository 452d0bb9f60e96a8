/**
 * The sandbox's stand-in for the mesh's Prometheus: the simulated traffic is recorded per destination host, and a
 * small HTTP server on 127.0.0.1 answers Prometheus instant queries (`/api/v1/query`, GET or POST form, as the
 * `prometheus` metric provider sends them) with the success rate of the requests to the host the query names in
 * `destination_service=~"<host>"` over the last few seconds. It does not evaluate PromQL: it reads that one label
 * matcher, which is what the seed example's `success-rate` AnalysisTemplate (Argo Rollouts' Istio guide) asks about.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TrafficSample } from './traffic.js';

/** Requests and failed requests to one host. */
export interface HostCounts {
  requests: number;
  errors: number;
}

/** One recorded tick of traffic. */
interface Tick {
  at: number;
  byHost: Record<string, number>;
  errorsByHost: Record<string, number>;
}

/** The recorded traffic, kept for `windowMs`. */
export class MeshMetrics {
  private readonly ticks: Tick[] = [];

  /** @param windowMs how far back a query looks (the `[1m]` of a real query; the sandbox is faster). */
  constructor(readonly windowMs = 10_000) {}

  /** Records one tick of simulated traffic at epoch ms `at`. */
  record(sample: TrafficSample, at: number): void {
    this.ticks.push({ at, byHost: { ...sample.byHost }, errorsByHost: { ...sample.errorsByHost } });
    while ((this.ticks[0]?.at ?? at) < at - this.windowMs) this.ticks.shift();
  }

  /** Requests and errors to `host` (short name) in the window ending at `now`. */
  counts(host: string, now: number): HostCounts {
    const recent = this.ticks.filter((t) => t.at >= now - this.windowMs && t.at <= now);
    return recent.reduce(
      (sum, t) => ({
        requests: sum.requests + (t.byHost[host] ?? 0),
        errors: sum.errors + (t.errorsByHost[host] ?? 0),
      }),
      { requests: 0, errors: 0 },
    );
  }
}

/** The short host a query asks about: `destination_service=~"reviews-canary.default.svc..."` → `reviews-canary`. */
export function queriedHost(query: string): string | undefined {
  const m = /destination_service=~?"([^".]+)[^"]*"/.exec(query);
  return m?.[1];
}

/**
 * The Prometheus API answer to an instant query at `now` (epoch ms): a one-sample vector with the success rate
 * (0..1) of the requests to the queried host, an empty vector when it had none, `bad_data` when the query names no
 * `destination_service`.
 */
export function answerQuery(
  metrics: MeshMetrics,
  query: string,
  now: number,
): { code: number; body: unknown } {
  const host = queriedHost(query);
  if (!host) {
    return {
      code: 400,
      body: {
        status: 'error',
        errorType: 'bad_data',
        error: 'the sandbox answers only queries with a destination_service="<host>" matcher',
      },
    };
  }
  const { requests, errors } = metrics.counts(host, now);
  const result =
    requests === 0 ? [] : [{ metric: {}, value: [now / 1000, String((requests - errors) / requests)] }];
  return { code: 200, body: { status: 'success', data: { resultType: 'vector', result } } };
}

async function queryOf(req: IncomingMessage, url: URL): Promise<string> {
  if (req.method !== 'POST') return url.searchParams.get('query') ?? '';
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('query') ?? '';
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A running metrics endpoint. */
export interface MetricsEndpoint {
  /** `http://127.0.0.1:PORT`: the Prometheus address the sandbox's AnalysisTemplates are pointed at. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `metrics` as a Prometheus query API on 127.0.0.1 (any free port).
 * @example const prom = await startMetricsEndpoint(metrics); // template address: prom.url
 */
export async function startMetricsEndpoint(
  metrics: MeshMetrics,
  now: () => number = Date.now,
): Promise<MetricsEndpoint> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/v1/query' || (req.method !== 'GET' && req.method !== 'POST'))
      return send(res, 404, { status: 'error', errorType: 'not_found', error: `no route ${url.pathname}` });
    queryOf(req, url)
      .then((query) => {
        const answer = answerQuery(metrics, query, now());
        send(res, answer.code, answer.body);
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
