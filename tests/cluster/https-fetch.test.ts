/**
 * https-fetch.ts (what the function bundles carry in place of undici for client-node) against undici itself: each
 * scenario runs through both, on the real API server (admin client certificate) and on local servers with the test
 * cluster's serving certificate, and must give the same status, headers, body, and error shape (`TypeError('fetch
 * failed')` with the same `cause.code`, or the signal's reason). Then what only the shim has to prove: one
 * keep-alive connection per pool, redirects hop by hop through the dispatcher (the same-origin interceptor refuses
 * a hop to another origin), credentials never carried to another origin.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as undici from 'undici';
import * as shim from '../../shared/adapters/kube/https-fetch.js';
import { sameOriginOnly } from '../../shared/adapters/kube/same-origin.js';
import { readClusterFile } from '../../tools/test-cluster/cluster.js';
import { adminConnectionInfo, clusterInfo } from '../support/cluster.js';

type Impl = { name: string; fetch: typeof shim.fetch; Agent: typeof shim.Agent };
const IMPLS: Impl[] = [
  { name: 'undici', fetch: undici.fetch as never, Agent: undici.Agent as never },
  { name: 'https-fetch', fetch: shim.fetch, Agent: shim.Agent },
];

const listen = (s: http.Server | https.Server): Promise<string> =>
  new Promise((ok) => s.listen(0, '127.0.0.1', () => ok(`127.0.0.1:${(s.address() as AddressInfo).port}`)));
const close = (s: http.Server | https.Server): Promise<void> => {
  s.closeAllConnections();
  return new Promise((ok) => s.close(() => ok()));
};

let ca = '';
let local: https.Server;
let localOrigin = '';
let plain: http.Server;
let plainOrigin = '';
const plainHits: string[] = [];
let connections = 0;

/** The local https server's routes. */
function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', localOrigin);
  const hop = Number(url.searchParams.get('n') ?? 0);
  const send = (status: number, headers: http.OutgoingHttpHeaders, body = ''): void => {
    res.writeHead(status, headers);
    res.end(body);
  };
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const echo = JSON.stringify({
      method: req.method,
      path: url.pathname,
      body,
      auth: req.headers.authorization ?? null,
    });
    if (url.pathname === '/echo')
      return send(200, { 'content-type': 'application/json', 'x-a': ['1', '2'] }, echo);
    if (url.pathname === '/307') return send(307, { location: '/echo' });
    if (url.pathname === '/303') return send(303, { location: `${localOrigin}/echo` });
    if (url.pathname === '/away') return send(302, { location: `${plainOrigin}/stolen` });
    if (url.pathname === '/loop') return send(302, { location: `/loop?n=${hop + 1}` });
    if (url.pathname === '/hang') return; // never answers
    if (url.pathname === '/stream') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"line":1}\n');
      setTimeout(() => res.end('{"line":2}\n'), 300);
      return;
    }
    send(404, { 'content-type': 'text/plain' }, 'no such route');
  });
}

beforeAll(async () => {
  const file = readClusterFile(clusterInfo().dir);
  ca = readFileSync(file.paths.certs.caCert, 'utf8');
  local = https.createServer(
    { cert: readFileSync(file.paths.certs.servingCert), key: readFileSync(file.paths.certs.servingKey) },
    route,
  );
  local.on('secureConnection', () => connections++);
  localOrigin = `https://${await listen(local)}`;
  plain = http.createServer((req, res) => {
    plainHits.push(`${req.method} ${req.url} authorization=${req.headers.authorization ?? 'none'}`);
    res.end('{}');
  });
  plainOrigin = `http://${await listen(plain)}`;
});

afterAll(async () => {
  await close(local);
  await close(plain);
});

/** What a response or a failure looked like, comparable across implementations. */
async function outcome(p: Promise<Awaited<ReturnType<typeof shim.fetch>>>): Promise<unknown> {
  try {
    const r = await p;
    const headers: Record<string, string> = {};
    r.headers.forEach((v, k) => {
      if (
        k !== 'date' &&
        k !== 'content-length' &&
        !k.startsWith('audit-id') &&
        !k.startsWith('x-kubernetes')
      )
        headers[k] = v;
    });
    return { status: r.status, statusText: r.statusText, headers, text: await r.text() };
  } catch (e) {
    const err = e as { name: string; message: string; cause?: { code?: string } };
    return { name: err.name, message: err.message, causeCode: err.cause?.code };
  }
}

describe.each(IMPLS)('fetch through $name', (impl) => {
  it('reads from the real API server with the admin client certificate', async () => {
    const conn = adminConnectionInfo();
    const agent = new impl.Agent({ connect: { ca: conn.ca, cert: conn.cert, key: conn.key } });
    const r = await impl.fetch(`${conn.server}/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/none`, {
      headers: { accept: 'application/json' },
      dispatcher: agent,
    });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(await r.text())).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });
});

describe('https-fetch and undici give the same', () => {
  const same = async (run: (impl: Impl) => Promise<unknown>): Promise<unknown> => {
    const [a, b] = [await run(IMPLS[0] as Impl), await run(IMPLS[1] as Impl)];
    expect(b).toEqual(a);
    return a;
  };
  const agent = (impl: Impl, connect: shim.ConnectOptions = { ca }): shim.Agent =>
    new impl.Agent({ connect });

  it('response: status, headers (repeated values joined), body; a POST body sent', async () => {
    const got = await same((impl) =>
      outcome(
        impl.fetch(`${localOrigin}/echo`, { method: 'POST', body: '{"a":1}', dispatcher: agent(impl) }),
      ),
    );
    expect(got).toMatchObject({ status: 200, headers: { 'x-a': '1, 2' } });
    expect(JSON.parse((got as { text: string }).text)).toEqual({
      method: 'POST',
      path: '/echo',
      body: '{"a":1}',
      auth: null,
    });
  });

  it('same-origin redirects: 307 keeps the method and body, 303 becomes a GET without body', async () => {
    const r307 = await same((impl) =>
      outcome(impl.fetch(`${localOrigin}/307`, { method: 'PATCH', body: 'x', dispatcher: agent(impl) })),
    );
    expect(JSON.parse((r307 as { text: string }).text)).toMatchObject({ method: 'PATCH', body: 'x' });
    const r303 = await same((impl) =>
      outcome(impl.fetch(`${localOrigin}/303`, { method: 'POST', body: 'x', dispatcher: agent(impl) })),
    );
    expect(JSON.parse((r303 as { text: string }).text)).toMatchObject({ method: 'GET', body: '' });
  });

  it('a redirect loop fails after 20 hops', async () => {
    const got = await same((impl) => outcome(impl.fetch(`${localOrigin}/loop`, { dispatcher: agent(impl) })));
    expect(got).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  });

  it('network failures: connection refused, an untrusted server certificate', async () => {
    const closed = http.createServer();
    const origin = `https://${await listen(closed)}`;
    await close(closed);
    const refused = await same((impl) => outcome(impl.fetch(`${origin}/`, { dispatcher: agent(impl) })));
    expect(refused).toEqual({ name: 'TypeError', message: 'fetch failed', causeCode: 'ECONNREFUSED' });
    const untrusted = await same((impl) =>
      outcome(impl.fetch(`${localOrigin}/echo`, { dispatcher: agent(impl, {}) })),
    );
    expect(untrusted).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect((untrusted as { causeCode: string }).causeCode).toMatch(/CERT|SIGNATURE|ISSUER/);
  });

  it('a timeout: the signal reason (TimeoutError), before the response', async () => {
    const got = await same((impl) =>
      outcome(
        impl.fetch(`${localOrigin}/hang`, { signal: AbortSignal.timeout(100), dispatcher: agent(impl) }),
      ),
    );
    expect(got).toMatchObject({ name: 'TimeoutError' });
  });

  it('the same-origin interceptor refuses a redirect to another origin; plain http is never reached', async () => {
    const got = await same((impl) =>
      outcome(
        impl.fetch(`${localOrigin}/away`, {
          headers: { authorization: 'Bearer secret' },
          dispatcher: agent(impl).compose(sameOriginOnly(localOrigin) as never),
        }),
      ),
    );
    expect(got).toEqual({
      name: 'TypeError',
      message: 'fetch failed',
      causeCode: 'ERR_CROSS_ORIGIN_REQUEST',
    });
    expect(plainHits).toEqual([]);
  });

  it('without the interceptor, a redirect to another origin does not carry the Authorization header', async () => {
    const before = plainHits.length;
    await same((impl) =>
      outcome(
        impl.fetch(`${localOrigin}/away`, {
          headers: { authorization: 'Bearer secret' },
          dispatcher: agent(impl),
        }),
      ),
    );
    expect(plainHits.slice(before)).toEqual([
      'GET /stolen authorization=none',
      'GET /stolen authorization=none',
    ]);
  });
});

describe('https-fetch alone', () => {
  it('keeps one connection per pool across requests', async () => {
    const agent = new shim.Agent({ connect: { ca, keepAliveInitialDelay: 30_000 } });
    const before = connections;
    for (let i = 0; i < 3; i++) await (await shim.fetch(`${localOrigin}/echo`, { dispatcher: agent })).text();
    await Promise.all(
      [1, 2].map(async () => (await shim.fetch(`${localOrigin}/echo`, { dispatcher: agent })).text()),
    );
    expect(connections - before).toBe(2); // the sequential requests on one; the parallel pair needs a second
    await agent.close();
  });

  it('streams a body: a line arrives before the response ends (as a watch reads it)', async () => {
    const r = await shim.fetch(`${localOrigin}/stream`, { dispatcher: new shim.Agent({ connect: { ca } }) });
    const t0 = Date.now();
    const lines: [string, number][] = [];
    for await (const line of createInterface(Readable.fromWeb(r.body as never)))
      lines.push([line, Date.now() - t0]);
    expect(lines.map(([l]) => l)).toEqual(['{"line":1}', '{"line":2}']);
    expect(lines[0]?.[1]).toBeLessThan(200);
    expect(lines[1]?.[1]).toBeGreaterThanOrEqual(200);
  });

  it('an abort after the response errors the body stream with the reason', async () => {
    const controller = new AbortController();
    const r = await shim.fetch(`${localOrigin}/stream`, {
      signal: controller.signal,
      dispatcher: new shim.Agent({ connect: { ca } }),
    });
    controller.abort(new DOMException('stopped', 'AbortError'));
    await expect(r.text()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses a ProxyAgent, naming why', () => {
    expect(() => new shim.ProxyAgent()).toThrow(/not in this bundle .*proxy-url/);
  });
});
