/**
 * A loopback, TLS-terminating fault proxy in front of the real test kube-apiserver (docs/reliability.md,
 * "How it is checked"): it serves with the API server's own certificate (SAN 127.0.0.1, same CA), forwards every request
 * upstream, and injects faults on chosen requests (rules) or at random with a seed (bounded):
 * latency, hangs (client timeout), connection resets before the request lands or after it landed (answer lost),
 * synthesized 409/410/429 (+Retry-After)/500/503 Status answers, and on watches a 410 Gone ERROR event or a dropped
 * stream. Loopback only: it listens on 127.0.0.1 and refuses a non-loopback upstream.
 *
 * Requests that carry an `Authorization` header are forwarded with it (ServiceAccount tokens keep their identity);
 * the others go upstream with the admin client certificate.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { clusterInfo } from '../cluster.js';
import { readClusterFile } from '../../../tools/test-cluster/cluster.js';
import { mulberry32 } from './random.js';

/** What to do with one request. */
export type FaultAction =
  | { kind: 'latency'; ms: number }
  | { kind: 'hang' }
  | { kind: 'reset-before' }
  | { kind: 'reset-after' }
  | { kind: 'status'; status: number; retryAfter?: number }
  | { kind: 'watch-gone' }
  | { kind: 'watch-drop'; afterMs: number };

/** Which requests a rule applies to. All given fields must match. */
export interface FaultMatch {
  method?: string;
  /** Tested against the path with its query string. */
  path?: RegExp;
  watch?: boolean;
}

/** A scripted fault: applies to the matching requests number `skip` .. `skip + times - 1` (0-based). */
export interface FaultRule {
  match: FaultMatch;
  action: FaultAction;
  skip?: number;
  times?: number;
}

/** Random faults: each matching request gets one of `actions` with probability `rate`, at most `max` in all. */
export interface RandomFaults {
  seed: number;
  rate: number;
  actions: FaultAction[];
  match?: FaultMatch;
  max: number;
}

/** One injected fault, as logged. */
export interface InjectedFault {
  kind: FaultAction['kind'];
  status?: number;
  method: string;
  path: string;
}

/** A running proxy. */
export interface FaultProxy {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** Replace the scripted rules (counters restart). */
  setRules(rules: FaultRule[]): void;
  setRandom(random: RandomFaults | undefined): void;
  injected: InjectedFault[];
  /** Requests seen (including faulted ones). */
  requests: number;
  /** A kubeconfig for this proxy: same CA, the given token or the admin client cert. */
  kubeconfig(token?: string): string;
  close(): Promise<void>;
}

const MAX_HOLD_MS = 20_000;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function matches(m: FaultMatch | undefined, method: string, path: string, watch: boolean): boolean {
  if (!m) return true;
  if (m.method && m.method.toUpperCase() !== method) return false;
  if (m.path && !m.path.test(path)) return false;
  if (m.watch !== undefined && m.watch !== watch) return false;
  return true;
}

function statusBody(code: number): string {
  const reasons: Record<number, string> = {
    409: 'Conflict',
    410: 'Expired',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
  };
  const reason = reasons[code] ?? 'InternalError';
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: `injected fault: ${code} ${reason}`,
    reason,
    code,
  });
}

/** Starts the proxy in front of the running test cluster. Close it in afterAll. */
export async function startFaultProxy(
  opts: { rules?: FaultRule[]; random?: RandomFaults } = {},
): Promise<FaultProxy> {
  const info = clusterInfo();
  const file = readClusterFile(info.dir);
  const upstream = new URL(file.server);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(upstream.hostname))
    throw new Error(`fault proxy: upstream ${file.server} is not loopback`);
  const ca = readFileSync(file.paths.certs.caCert, 'utf8');
  const adminAgent = new https.Agent({
    ca,
    cert: readFileSync(file.paths.certs.adminCert, 'utf8'),
    key: readFileSync(file.paths.certs.adminKey, 'utf8'),
    keepAlive: true,
  });
  const tokenAgent = new https.Agent({ ca, keepAlive: true });
  let rules: { rule: FaultRule; seen: number }[] = (opts.rules ?? []).map((rule) => ({ rule, seen: 0 }));
  let random = opts.random;
  let rng = mulberry32(random?.seed ?? 1);
  let randomCount = 0;
  const sockets = new Set<net.Socket>();

  const decide = (method: string, path: string, watch: boolean): FaultAction | undefined => {
    for (const r of rules) {
      if (!matches(r.rule.match, method, path, watch)) continue;
      const n = r.seen++;
      const skip = r.rule.skip ?? 0;
      if (n >= skip && n < skip + (r.rule.times ?? 1)) return r.rule.action;
    }
    if (random && randomCount < random.max && matches(random.match, method, path, watch)) {
      const roll = rng();
      if (roll < random.rate) {
        const usable = random.actions.filter((a) => watch === a.kind.startsWith('watch-'));
        const pick = usable[Math.floor(rng() * usable.length)];
        if (pick) {
          randomCount++;
          return pick;
        }
      }
    }
    return undefined;
  };

  const proxy: FaultProxy = {
    url: '',
    injected: [],
    requests: 0,
    setRules: (r) => (rules = r.map((rule) => ({ rule, seen: 0 }))),
    setRandom: (r) => {
      random = r;
      rng = mulberry32(r?.seed ?? 1);
      randomCount = 0;
    },
    kubeconfig: (token) => kubeconfigFor(proxy.url, ca, token, file.paths.certs),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        adminAgent.destroy();
        tokenAgent.destroy();
        server.close(() => resolve());
      }),
  };

  const server = https.createServer(
    { cert: readFileSync(file.paths.certs.servingCert), key: readFileSync(file.paths.certs.servingKey) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void handle(Buffer.concat(chunks));
      });
      const method = (req.method ?? 'GET').toUpperCase();
      const path = req.url ?? '/';
      const watch = /[?&]watch=(1|true)/.test(path);

      const forward = (body: Buffer, after: 'pipe' | 'reset' | { dropMs: number }): void => {
        const headers = { ...req.headers, host: upstream.host };
        const up = https.request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method,
            path,
            headers,
            agent: req.headers.authorization ? tokenAgent : adminAgent,
          },
          (upRes) => {
            if (after === 'reset') {
              upRes.resume();
              upRes.on('end', () => req.socket.destroy());
              return;
            }
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
            if (typeof after === 'object') {
              setTimeout(() => {
                up.destroy();
                req.socket.destroy();
              }, after.dropMs).unref();
            }
          },
        );
        up.on('error', () => req.socket.destroy());
        up.end(body);
      };

      async function handle(body: Buffer): Promise<void> {
        proxy.requests++;
        const action = decide(method, path, watch);
        if (action) {
          proxy.injected.push({
            kind: action.kind,
            ...(action.kind === 'status' ? { status: action.status } : {}),
            method,
            path: path.split('?')[0] ?? path,
          });
        }
        switch (action?.kind) {
          case undefined:
            return forward(body, 'pipe');
          case 'latency':
            await new Promise((r) => setTimeout(r, action.ms));
            return forward(body, 'pipe');
          case 'hang':
            setTimeout(() => req.socket.destroy(), MAX_HOLD_MS).unref();
            return;
          case 'reset-before':
            req.socket.destroy();
            return;
          case 'reset-after':
            return forward(body, 'reset');
          case 'status':
            res.writeHead(action.status, {
              'content-type': 'application/json',
              ...(action.retryAfter !== undefined ? { 'retry-after': String(action.retryAfter) } : {}),
            });
            res.end(statusBody(action.status));
            return;
          case 'watch-gone':
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ type: 'ERROR', object: JSON.parse(statusBody(410)) as unknown }) + '\n');
            return;
          case 'watch-drop':
            return forward(body, { dropMs: action.afterMs });
        }
      }
    },
  );
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return proxy;
}

function kubeconfigFor(
  server: string,
  ca: string,
  token: string | undefined,
  certs: { adminCert: string; adminKey: string },
): string {
  const user: Record<string, string> = token
    ? { token }
    : {
        'client-certificate-data': b64(readFileSync(certs.adminCert, 'utf8')),
        'client-key-data': b64(readFileSync(certs.adminKey, 'utf8')),
      };
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'proxy', cluster: { server, 'certificate-authority-data': b64(ca) } }],
    users: [{ name: 'proxy', user }],
    contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'proxy' } }],
    'current-context': 'proxy',
  });
}
