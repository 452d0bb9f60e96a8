/**
 * Objects near etcd's size limit (catalogue row I3). A VirtualService carrying about 1.4 MiB of foreign routes still
 * gets its weights: sluice sends only the changed paths (the patch bodies are asserted small). A write the server
 * refuses as too large (etcd's "request is too large", or a body over the API server's 3 MiB limit) is terminal:
 * one attempt, no retry.
 */
import { describe, expect, it } from '@jest/globals';
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';
import { hostRollout, hostVirtualService, service } from '../../journeys/fixtures.js';
import { adminRequest } from '../../support/cluster.js';
import { recordingGateway } from '../../support/faults/recording-gateway.js';
import { figures } from '../support/figures.js';
import {
  adminGateway,
  atGate,
  deployThenUpdate,
  drive,
  NAME,
  realNow,
  startScenario,
  STEPS,
} from '../support/scenario.js';

/** `n` foreign header-matched routes of about 700 bytes each. */
function foreignRoutes(n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `tenant-${i}`,
    match: [{ headers: { 'x-tenant': { exact: `tenant-${i}-${'t'.repeat(560)}` } } }],
    route: [{ destination: { host: 'reviews-stable' } }],
  }));
}

async function attempts(
  call: (gw: KubeGateway) => Promise<unknown>,
): Promise<{ err: KubeApiError | undefined; attempts: number; statuses: number[] }> {
  const statuses: number[] = [];
  const gw = adminGateway({ onRequest: (i) => statuses.push(i.status), backoff: { baseMs: 20, capMs: 50 } });
  try {
    await call(gw);
    return { err: undefined, attempts: statuses.length, statuses };
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    return { err, attempts: statuses.length, statuses };
  }
}

export function largeObjectSuite(): void {
  describe('objects near the size limits', () => {
    it('a 1.4 MiB VirtualService gets its weights through small patches; a too-large write is terminal after one attempt', async () => {
      const routes = foreignRoutes(2000);
      const vs = hostVirtualService();
      (vs.spec.http as unknown[]).push(...routes);
      const size = Buffer.byteLength(JSON.stringify(vs));
      expect(size).toBeGreaterThan(1.3 * 1024 * 1024);
      expect(size).toBeLessThan(1.5 * 1024 * 1024);
      const s = await startScenario('large-vs', [
        service('reviews-canary'),
        service('reviews-stable'),
        vs,
        hostRollout({ steps: STEPS }),
      ]);
      const wrong: string[] = [];
      try {
        await deployThenUpdate(s);
        const rec = recordingGateway(s.admin);
        await drive({ gateway: rec.gw, now: realNow }, s.ns, atGate);
        const vsWrites = rec.calls.filter((c) => c.resource === 'virtualservices' && c.verb !== 'get');
        expect(vsWrites.length).toBeGreaterThanOrEqual(2);
        for (const w of vsWrites) {
          if (!w.ok) wrong.push(`VS write failed: ${w.error}`);
          if ((w.bytes ?? Infinity) > 1024) wrong.push(`VS patch of ${w.bytes} bytes`);
        }
        const path = `/apis/networking.istio.io/v1/namespaces/${s.ns}/virtualservices/${NAME}`;
        const now = (await adminRequest('GET', path)).body as { spec: { http: { name?: string }[] } };
        expect(now.spec.http).toHaveLength(2001);
        // Over etcd's limit: one more ~200 KiB annotation on the 1.4 MiB object.
        const target = { resource: 'virtualservices' as const, namespace: s.ns, name: NAME };
        const etcd = await attempts((gw) =>
          gw.mergePatch(target, { metadata: { annotations: { ballast: 'b'.repeat(200 * 1024) } } }),
        );
        // Over the API server's 3 MiB request limit.
        const body = await attempts((gw) =>
          gw.mergePatch(target, { metadata: { annotations: { ballast: 'b'.repeat(3 * 1024 * 1024 + 1) } } }),
        );
        for (const [what, r] of [
          ['etcd limit', etcd],
          ['request body limit', body],
        ] as const) {
          const right = r.err !== undefined && r.attempts === 1 && /too large/i.test(r.err.message);
          figures.badInput(right);
          if (!right)
            wrong.push(
              `${what}: ${r.err?.message.slice(0, 160)} after ${r.attempts} attempt(s) ${r.statuses}`,
            );
        }
      } finally {
        await s.stop();
      }
      figures.cover('I3');
      expect(wrong).toEqual([]);
    }, 90_000);
  });
}
