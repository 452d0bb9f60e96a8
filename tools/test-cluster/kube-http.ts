/** Minimal HTTPS client for the test API server: JSON in and out, never throws on an HTTP status. */
import https from 'node:https';

/** How to reach an API server: base URL, CA (PEM) and either a client cert/key (PEM) or a bearer token. */
export interface Connection {
  server: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
}

/** Parsed JSON of unknown shape (tests read fields freely). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A decoded response: `body` is parsed JSON when possible, else the raw text. */
export interface KubeResponse {
  status: number;
  body: Json;
}

/** One shared agent per connection keeps sockets alive between calls (fewer TLS handshakes). */
const agents = new Map<string, https.Agent>();
function agentFor(conn: Connection): https.Agent {
  const k = `${conn.server}|${conn.cert ?? ''}|${conn.token ?? ''}`;
  let a = agents.get(k);
  if (!a) {
    a = new https.Agent({ ca: conn.ca, cert: conn.cert, key: conn.key, keepAlive: true, maxSockets: 16 });
    a.on('free', (socket) => socket.unref());
    agents.set(k, a);
  }
  return a;
}

function defaultContentType(method: string): string {
  return method.toUpperCase() === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
}

/**
 * Sends one request to the API server. `body` is JSON-encoded unless it is already a string.
 * PATCH defaults to `application/merge-patch+json`.
 */
export function kubeRequest(
  conn: Connection,
  method: string,
  path: string,
  body?: unknown,
  contentType?: string,
): Promise<KubeResponse> {
  const url = new URL(path, conn.server);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) {
    headers['content-type'] = contentType ?? defaultContentType(method);
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (conn.token) headers.authorization = `Bearer ${conn.token}`;
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: method.toUpperCase(), headers, agent: agentFor(conn) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON (e.g. /readyz says "ok"): keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () =>
      req.destroy(new Error(`${method} ${path}: no answer from ${conn.server} in 30 s`)),
    );
    req.on('error', (e) => reject(new Error(`${method} ${path} on ${conn.server} failed: ${e.message}`)));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/**
 * Opens a watch (or any streaming GET) and collects newline-delimited JSON events until `until` returns true
 * for the events so far, the stream ends, or `timeoutMs` passes (then `timedOut` is true).
 */
export function kubeStream(
  conn: Connection,
  path: string,
  until: (events: Json[]) => boolean,
  timeoutMs = 15_000,
): Promise<{ status: number; events: Json[]; timedOut: boolean }> {
  const url = new URL(path, conn.server);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (conn.token) headers.authorization = `Bearer ${conn.token}`;
  return new Promise((resolve, reject) => {
    const events: unknown[] = [];
    let status = 0;
    let buf = '';
    let settled = false;
    const finish = (timedOut: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ status, events, timedOut });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    const req = https.request(
      url,
      { method: 'GET', headers, ca: conn.ca, cert: conn.cert, key: conn.key },
      (res) => {
        status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) events.push(JSON.parse(line));
          }
          if (until(events)) finish(false);
        });
        res.on('end', () => {
          if (buf.trim()) events.push(JSON.parse(buf));
          finish(false);
        });
        res.on('error', () => finish(false));
      },
    );
    req.on('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`watch ${path} on ${conn.server} failed: ${e.message}`));
    });
    req.end();
  });
}
