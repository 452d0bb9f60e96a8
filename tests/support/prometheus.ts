/**
 * A real Prometheus server for the analysis tests: Debian's `/usr/bin/prometheus` (installed by `.ci/run` when
 * missing), started on a free loopback port with a temporary config and data directory, scraping a node:http endpoint
 * that serves Istio-style `istio_requests_total` counters the test sets. One server per test file: start it in
 * `beforeAll`, stop it in `afterAll`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../tools/test-cluster/proc.js';

/** Where Debian installs Prometheus (override with SLUICE_PROMETHEUS). */
export const PROMETHEUS_BIN = process.env.SLUICE_PROMETHEUS ?? '/usr/bin/prometheus';

/** One counter series: requests of `app` answered with `code`. */
export interface RequestSeries {
  app: string;
  code: number;
  count: number;
}

/** The scrape target: serves `istio_requests_total` for the series the test sets. */
export interface IstioMetricsEndpoint {
  /** `127.0.0.1:<port>` (a scrape target). */
  target: string;
  set(series: RequestSeries[]): void;
  /** How many times Prometheus has scraped it. */
  scrapes(): number;
  close(): Promise<void>;
}

/** Starts the scrape target on a free loopback port. */
export async function startIstioMetrics(): Promise<IstioMetricsEndpoint> {
  let series: RequestSeries[] = [];
  let scrapes = 0;
  const server: Server = createHttpServer((_req, res) => {
    scrapes++;
    const lines = [
      '# HELP istio_requests_total Total requests.',
      '# TYPE istio_requests_total counter',
      ...series.map(
        (s) =>
          `istio_requests_total{destination_service_name="${s.app}",destination_workload="${s.app}",` +
          `reporter="destination",response_code="${s.code}"} ${s.count}`,
      ),
    ];
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    target: `127.0.0.1:${port}`,
    set: (s) => {
      series = s.map((x) => ({ ...x }));
    },
    scrapes: () => scrapes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A running Prometheus. */
export interface PrometheusServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Instant query result of `query` now (the raw `data` object). */
  query(query: string): Promise<{ resultType: string; result: unknown }>;
  /**
   * Polls `query` until `accept` holds on its data (each scrape is a new chance), failing with the last answer after
   * `timeoutMs`.
   */
  waitFor(
    query: string,
    accept: (data: { resultType: string; result: unknown }) => boolean,
    timeoutMs?: number,
  ): Promise<void>;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${log()}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`prometheus at ${url} not ready within 60 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts Prometheus scraping `targets` every second. */
export async function startPrometheus(targets: string[]): Promise<PrometheusServer> {
  if (!existsSync(PROMETHEUS_BIN))
    throw new Error(`${PROMETHEUS_BIN} not found: install Debian's prometheus package (.ci/run does)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-prom-'));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: istio',
    '    static_configs:',
    `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
  ].join('\n');
  writeFileSync(path.join(dir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  try {
    await waitReady(url, child, () => stderr);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const query = async (q: string): Promise<{ resultType: string; result: unknown }> => {
    const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q }).toString()}`);
    const doc = (await res.json()) as { data: { resultType: string; result: unknown } };
    return doc.data;
  };
  return {
    url,
    query,
    async waitFor(q, accept, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        last = await query(q);
        if (accept(last as { resultType: string; result: unknown })) return;
        if (Date.now() > deadline)
          throw new Error(
            `prometheus: ${q} did not reach the expected answer; last: ${JSON.stringify(last)}`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}
