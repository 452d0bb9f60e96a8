/**
 * A scriptable loopback HTTP server standing in for a metric provider: the first path segment picks a behaviour the
 * test registers (answer, hang, reset, redirect, ...), and every request is recorded (method, path, headers, body).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A request the server received. */
export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** How a route answers. */
export type Behaviour = (req: Seen, res: ServerResponse) => void;

/** A running provider stand-in. */
export interface ProviderServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  route(name: string, behaviour: Behaviour): void;
  /** Requests received on a route. */
  seen(name: string): Seen[];
  close(): Promise<void>;
}

/** A Prometheus success answer with a vector of the given samples. */
export function vectorAnswer(values: number[]): string {
  return JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: values.map((v) => ({ metric: {}, value: [1700000000, String(v)] })),
    },
  });
}

/** Starts the server on a free loopback port. */
export async function startProviderServer(): Promise<ProviderServer> {
  const routes = new Map<string, Behaviour>();
  const log = new Map<string, Seen[]>();
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const name = path.split('/')[1]?.split('?')[0] ?? '';
      const seen: Seen = {
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      log.set(name, [...(log.get(name) ?? []), seen]);
      const behaviour = routes.get(name);
      if (!behaviour) {
        res.writeHead(404).end('no such route');
        return;
      }
      open.add(res);
      res.on('close', () => open.delete(res));
      behaviour(seen, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    route: (name, b) => void routes.set(name, b),
    seen: (name) => log.get(name) ?? [],
    close: () =>
      new Promise((resolve) => {
        for (const res of open) res.socket?.destroy();
        server.close(() => resolve());
      }),
  };
}
