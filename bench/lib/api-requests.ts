/**
 * API requests per rollout, read from the API server's own `apiserver_request_total` (GET /metrics, admin client
 * cert) before and after a window, counted per `VERB resource[/subresource]`. The metric has no user-agent label:
 * the bench's own requests in the window (its probes and the stand-in kubelet, seen through {@link adminTap}) are
 * counted separately and subtracted; what remains is the runtime's (plus its idle loops in that window). A WATCH is
 * counted by the API server when it ends, so watches still open at the end of the window are not in it.
 */
import { kubeRequest } from '../../tools/test-cluster/kube-http.js';
import { adminTap, type BenchCluster } from './cluster.js';

/** Requests in one window. */
export interface ApiCount {
  /** The runtime's requests (API server delta minus the bench's own), per `VERB resource[/sub]`. */
  byKey: Record<string, number>;
  /** Sum of {@link byKey}. */
  total: number;
  /** The bench's own requests in the window (probes and stand-in kubelet), subtracted. */
  bench: number;
}

const line = /^apiserver_request_total\{([^}]*)\} (\S+)$/;

async function scrape(c: BenchCluster): Promise<Map<string, number>> {
  const res = await kubeRequest(c.conn, 'GET', '/metrics');
  if (res.status !== 200) throw new Error(`GET /metrics on cluster ${c.name}: HTTP ${res.status}`);
  const out = new Map<string, number>();
  for (const l of String(res.body).split('\n')) {
    const m = line.exec(l);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (!labels.resource) continue; // non-resource URLs (/metrics itself, /readyz …)
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    out.set(key, (out.get(key) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The API server's verb and resource for one of the bench's own requests. */
export function classify(method: string, path: string): string {
  const segs = (path.split('?')[0] ?? '').split('/').filter(Boolean);
  const i = segs.indexOf('namespaces');
  const [resource, name, sub] = i >= 0 && segs.length > i + 2 ? segs.slice(i + 2) : [segs.at(-1)];
  const verb = method.toUpperCase() === 'GET' ? (name ? 'GET' : 'LIST') : method.toUpperCase();
  return `${verb} ${resource ?? ''}${sub ? `/${sub}` : ''}`;
}

/** Opens a window; `close()` returns the runtime's requests in it. */
export async function openWindow(c: BenchCluster): Promise<{ close(): Promise<ApiCount> }> {
  const own = new Map<string, number>();
  const before = await scrape(c);
  adminTap.on = (method, path) => {
    const k = classify(method, path);
    own.set(k, (own.get(k) ?? 0) + 1);
  };
  return {
    async close() {
      adminTap.on = undefined;
      const after = await scrape(c);
      const byKey: Record<string, number> = {};
      for (const [k, n] of [...after].sort()) {
        const d = n - (before.get(k) ?? 0) - (own.get(k) ?? 0);
        if (d !== 0) byKey[k] = d;
      }
      const total = Object.values(byKey).reduce((a, b) => a + b, 0);
      return { byKey, total, bench: [...own.values()].reduce((a, b) => a + b, 0) };
    },
  };
}
