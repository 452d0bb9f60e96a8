/**
 * Slow clients and connection floods against `sluice run`'s HTTP API (the control plane's own node:http server, the
 * real cluster behind it; catalogue row A13): 1,100 idle connections against a low connection cap (503 with
 * `Connection: close` and `Retry-After` past it; the idle ones closed by the server), headers sent one byte at a
 * time, a body that trickles (both cut with 408 at their configured bound, not node's defaults), and one source
 * address holding its per-source cap while another is still served. After each attack a signed request is answered
 * (the figure "slow-client attacks / API still answering").
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { signRequest } from '../../../shared/app/http-api/webhook-auth.js';
import { startControlPlane, type ControlPlane } from '../../../shared/runtimes/local/control-plane.js';
import { checkingIntervalMs } from '../../../shared/runtimes/local/http-api.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../../../shared/runtimes/local/http-limits.js';
import { hostRollout } from '../../journeys/fixtures.js';
import { applyObjects, createNamespace } from '../../support/cluster.js';
import { figures } from '../support/figures.js';
import { adminGateway, NAME } from '../support/scenario.js';

const KEY = { id: 'slow', secret: 'slow-clients-secret-0123456789abcdef' };
const CLUSTER = 'test';

/** What one raw connection saw. */
interface Seen {
  socket: Socket;
  data: string;
  closed: boolean;
  /** ms from connect to close. */
  closedAfterMs?: number;
}

/** Polls `cond` every 20 ms; fails naming `what` after `ms`. */
async function until(cond: () => boolean, what: string | (() => string), ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end)
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw TCP connection from `localAddress`, recording what the server sends and when it closes. */
function open(port: number, localAddress = '127.0.0.1'): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    const seen: Seen = { socket, data: '', closed: false };
    socket.on('data', (d: Buffer) => (seen.data += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      seen.closed = true;
      seen.closedAfterMs = Date.now() - started;
    });
    socket.once('connect', () => resolve(seen));
    socket.once('error', reject);
  });
}

const refused503 = (s: Seen): boolean =>
  s.data.startsWith('HTTP/1.1 503 ') &&
  /\r\nConnection: close\r\n/i.test(s.data) &&
  /\r\nRetry-After: \d+\r\n/i.test(s.data);

/** A signed GET of the Rollout from `localAddress`; resolves with the status. */
function signedGet(url: string, ns: string, localAddress = '127.0.0.1'): Promise<number> {
  const path = `/v1/clusters/${CLUSTER}/namespaces/${ns}/rollouts/${NAME}`;
  const headers = signRequest({
    secret: KEY.secret,
    keyId: KEY.id,
    method: 'GET',
    path,
    body: '',
    now: new Date(),
  });
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method: 'GET', headers, localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The start of a signed POST whose body never completes. */
function signedPostHead(ns: string, length: number): string {
  const path = `/v1/clusters/${CLUSTER}/namespaces/${ns}/rollouts/${NAME}/promote`;
  const body = '{"reason":"trickle"}'.padEnd(length, ' ');
  const headers = signRequest({
    secret: KEY.secret,
    keyId: KEY.id,
    method: 'POST',
    path,
    body,
    now: new Date(),
  });
  const lines = Object.entries({
    ...headers,
    'content-type': 'application/json',
    'content-length': String(length),
  });
  return [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...lines.map(([k, v]) => `${k}: ${v}`), '', ''].join(
    '\r\n',
  );
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function trickle(s: Seen, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (s.closed || i >= text.length) return clearInterval(timer);
    s.socket.write(text[i++] as string);
  }, everyMs);
}

async function withControlPlane(
  limits: Partial<HttpLimits>,
  body: (cp: ControlPlane, ns: string) => Promise<void>,
): Promise<void> {
  const ns = await createNamespace('slow-clients');
  await applyObjects(ns, [hostRollout()]);
  const cp = await startControlPlane({
    clusters: [{ name: CLUSTER, origin: 'test', server: 'test', gateway: adminGateway() }],
    instanceId: `slow-clients-${ns}`,
    intervalMs: 60_000,
    host: '127.0.0.1',
    port: 0,
    secrets: [KEY],
    httpLimits: { ...DEFAULT_HTTP_LIMITS, ...limits },
    watch: false,
    say: () => undefined,
  });
  try {
    await body(cp, ns);
  } finally {
    await cp.stop();
  }
}

/** After an attack: a signed request is answered 200; counted in the figures. */
async function stillAnswers(cp: ControlPlane, ns: string, from = '127.0.0.1'): Promise<void> {
  const status = await signedGet(cp.url, ns, from).catch(() => 0);
  figures.slowClient(status === 200);
  expect(status).toBe(200);
}

const portOf = (cp: ControlPlane): number => Number(new URL(cp.url).port);

export function slowClientsSuite(): void {
  describe('slow clients and connection floods against the sluice run HTTP API (real cluster behind it)', () => {
    it('1,100 idle connections: past the cap each is answered 503 (Connection: close, Retry-After); the idle ones are closed; then a signed request is answered', async () => {
      figures.cover('A13');
      // The exact count (1,100 - 64 refused) holds while no admitted connection idles out: each that does frees a
      // slot for a later one of the flood. The idle timeout is therefore well above the time the server takes to
      // answer the flood, which on a loaded two-core machine was measured above 4 s; the headers timeout is above
      // the idle one, so what closes an admitted connection here is the idle timeout.
      const limits = {
        maxConnections: 64,
        maxConnectionsPerSource: 64,
        idleTimeoutMs: 10_000,
        headersTimeoutMs: 20_000,
      };
      await withControlPlane(limits, async (cp, ns) => {
        const port = portOf(cp);
        // 100 source addresses, 11 connections each: only the total cap applies.
        const all = await Promise.all(
          Array.from({ length: 1100 }, (_, i) => open(port, `127.0.1.${(i % 100) + 1}`)),
        );
        const refused = (): number => all.filter(refused503).length;
        await until(
          () => refused() === 1100 - 64,
          () =>
            `1,036 connections answered 503 (${refused()} were; ${all.filter((x) => x.closed && !refused503(x)).length} admitted ones closed)`,
          10_000,
        );
        // A signed request while the cap is full is refused the same way, not left hanging.
        expect(await signedGet(cp.url, ns).catch(() => -1)).toBe(503);
        const admitted = all.filter((s) => !refused503(s));
        expect(admitted.every((s) => s.data === '')).toBe(true);
        await until(
          () => admitted.every((s) => s.closed),
          'the 64 idle connections closed by the server',
          limits.idleTimeoutMs + 5_000,
        );
        const slowest = Math.max(...admitted.map((s) => s.closedAfterMs ?? 0));
        expect(slowest).toBeGreaterThanOrEqual(limits.idleTimeoutMs - 100);
        await until(() => all.every((s) => s.closed), 'every refused connection closed', 5_000);
        await stillAnswers(cp, ns);
      });
    }, 90_000);

    it('headers sent one byte every 100 ms are cut with 408 at the headers timeout; then a signed request is answered', async () => {
      figures.cover('A13');
      const limits = { headersTimeoutMs: 1500, requestTimeoutMs: 3000 };
      await withControlPlane(limits, async (cp, ns) => {
        const s = await open(portOf(cp));
        trickle(
          s,
          `GET /v1/clusters/${CLUSTER}/namespaces/${ns}/rollouts/${NAME} HTTP/1.1\r\nHost: x\r\n${'X-Slow: 1\r\n'.repeat(100)}`,
          100,
        );
        await until(() => s.closed, 'the slow-header connection closed', 10_000);
        expect(s.data).toMatch(/^HTTP\/1\.1 408 /);
        expect(s.closedAfterMs).toBeGreaterThanOrEqual(limits.headersTimeoutMs - 100);
        // Within the bound plus the deadline check (every checkingIntervalMs) and scheduling on a loaded machine.
        expect(s.closedAfterMs).toBeLessThan(limits.headersTimeoutMs + 2 * checkingInterval(limits) + 2000);
        await stillAnswers(cp, ns);
      });
    }, 30_000);

    it('a signed body that trickles one byte every 100 ms is cut with 408 at the request timeout (not 90 s); nothing is acted on', async () => {
      figures.cover('A13');
      const limits = { headersTimeoutMs: 1000, requestTimeoutMs: 2500 };
      await withControlPlane(limits, async (cp, ns) => {
        const before = (await adminGateway().get('rollouts', ns, NAME))?.metadata?.resourceVersion;
        const s = await open(portOf(cp));
        s.socket.write(signedPostHead(ns, 500));
        trickle(s, ' '.repeat(500), 100);
        await until(() => s.closed, 'the trickling-body connection closed', 20_000);
        expect(s.data).toMatch(/^HTTP\/1\.1 408 /);
        expect(s.closedAfterMs).toBeGreaterThanOrEqual(limits.requestTimeoutMs - 100);
        expect(s.closedAfterMs).toBeLessThan(limits.requestTimeoutMs + 2 * checkingInterval(limits) + 2000);
        const after = (await adminGateway().get('rollouts', ns, NAME))?.metadata?.resourceVersion;
        expect(after).toBe(before);
        await stillAnswers(cp, ns);
      });
    }, 30_000);

    it('one source holding its per-source cap is answered 503 while another source is served', async () => {
      figures.cover('A13');
      const limits = { maxConnections: 64, maxConnectionsPerSource: 8, idleTimeoutMs: 10_000 };
      await withControlPlane(limits, async (cp, ns) => {
        const port = portOf(cp);
        const flood = await Promise.all(Array.from({ length: 30 }, () => open(port, '127.0.0.2')));
        await until(
          () => flood.filter(refused503).length === 22,
          '22 connections from 127.0.0.2 answered 503',
          10_000,
        );
        expect(flood.filter((s) => !refused503(s) && !s.closed)).toHaveLength(8);
        expect(await signedGet(cp.url, ns, '127.0.0.2').catch(() => -1)).toBe(503);
        await stillAnswers(cp, ns, '127.0.0.3');
        for (const s of flood) s.socket.destroy();
      });
    }, 30_000);

    it('an idle keep-alive connection is closed after the idle timeout', async () => {
      figures.cover('A13');
      const limits = { idleTimeoutMs: 1000 };
      await withControlPlane(limits, async (cp, ns) => {
        const s = await open(portOf(cp));
        const path = `/v1/clusters/${CLUSTER}/namespaces/${ns}/rollouts/${NAME}`;
        const headers = signRequest({
          secret: KEY.secret,
          keyId: KEY.id,
          method: 'GET',
          path,
          body: '',
          now: new Date(),
        });
        s.socket.write(
          [
            `GET ${path} HTTP/1.1`,
            'Host: x',
            ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
            '',
            '',
          ].join('\r\n'),
        );
        await until(() => s.data.startsWith('HTTP/1.1 200 '), 'the keep-alive request answered 200', 10_000);
        const answeredAt = Date.now();
        await until(() => s.closed, 'the idle keep-alive connection closed by the server', 10_000);
        expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(limits.idleTimeoutMs - 100);
        await stillAnswers(cp, ns);
      });
    }, 30_000);
  });
}

function checkingInterval(limits: Partial<HttpLimits>): number {
  return checkingIntervalMs({ ...DEFAULT_HTTP_LIMITS, ...limits });
}
