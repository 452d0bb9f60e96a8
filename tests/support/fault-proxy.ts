/**
 * Loopback-only fault injection for gateway tests.
 *
 * - {@link startFaultServer}: a plain-HTTP fake API server whose every reply is scripted (status, Retry-After,
 *   hang, connection reset, a watch stream). Records each request (method, URL, content type, body).
 * - {@link startTcpProxy}: a TCP pass-through in front of the real API server (TLS stays end to end and verified)
 *   that can black-hole or reset connections.
 * Both listen on 127.0.0.1 only, and every held connection is destroyed on close (and after at most 30 s).
 */
import http from 'node:http';
import net from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  contentType?: string;
  authorization?: string;
  body: string;
}

export type FaultReply =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { hang: true }
  | { reset: true }
  | { watch: unknown[]; keepOpenMs?: number };

export interface FaultServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const MAX_HOLD_MS = 30_000;

/** Start a scripted fake API server on 127.0.0.1; `reply(req, n)` decides the n-th (0-based) response. */
export async function startFaultServer(
  reply: (req: RecordedRequest, n: number) => FaultReply,
): Promise<FaultServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      const r = reply(rec, requests.length - 1);
      if ('hang' in r) {
        setTimeout(() => req.socket.destroy(), MAX_HOLD_MS).unref();
        return;
      }
      if ('reset' in r) {
        req.socket.destroy();
        return;
      }
      if ('watch' in r) {
        res.writeHead(200, { 'content-type': 'application/json' });
        for (const ev of r.watch) res.write(JSON.stringify(ev) + '\n');
        setTimeout(() => res.end(), Math.min(r.keepOpenMs ?? 0, MAX_HOLD_MS)).unref();
        return;
      }
      const body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? {});
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export type ProxyMode = 'pass' | 'blackhole' | 'reset';

export interface TcpProxy {
  port: number;
  /** Change what happens to new connections. */
  setMode(mode: ProxyMode): void;
  connections: number;
  close(): Promise<void>;
}

/** A loopback TCP proxy to `target` (host:port). `blackhole` accepts and never forwards; `reset` drops at once. */
export async function startTcpProxy(
  target: { host: string; port: number },
  mode: ProxyMode = 'pass',
): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const proxy: TcpProxy = {
    port: 0,
    connections: 0,
    setMode: (m) => (mode = m),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((client) => {
    proxy.connections++;
    track(client);
    if (mode === 'reset') return client.resetAndDestroy();
    if (mode === 'blackhole') {
      setTimeout(() => client.destroy(), MAX_HOLD_MS).unref();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}
