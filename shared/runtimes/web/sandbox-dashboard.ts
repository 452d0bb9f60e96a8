/**
 * The sandbox's dashboard (`npm start`): the same HTTP API as `sluice run` (dashboard routes and the signed API,
 * whose key is generated per run), over the sandbox's in-memory cluster named `sandbox`, on loopback, with fresh
 * operator and read-only session tokens. The sandbox's own loop moves the rollout; an action here is picked up by
 * its next tick.
 */
import { randomBytes } from 'node:crypto';
import { createApiHandler } from '../../app/http-api/promote.js';
import type { KubeGateway } from '../../app/kube-port/gateway.js';
import { silentLogger } from '../../app/logger.js';
import type { ApiDeps } from '../../app/ports.js';
import { startApiServer, type ApiServer } from '../local/http-api.js';
import { dashboardUrl, generateDashboardTokens, localDashboard } from './local-dashboard.js';

/** The cluster name the sandbox's Rollouts show under. */
export const SANDBOX_CLUSTER = 'sandbox';

/** A running sandbox dashboard. */
export interface SandboxDashboard {
  /** The operator's URL (with its token), then the read-only one. */
  urls: { operator: string; viewer: string };
  close(): Promise<void>;
}

async function listen(
  port: number,
  handler: Parameters<typeof startApiServer>[0]['handler'],
): Promise<ApiServer> {
  try {
    return await startApiServer({ host: '127.0.0.1', port, handler });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
    return startApiServer({ host: '127.0.0.1', port: 0, handler });
  }
}

/**
 * Serves the dashboard over `gateway` on 127.0.0.1:`port` (any free port when it is taken).
 *
 * @example
 * const dash = await startSandboxDashboard(gw, { instanceId: 'sluice', port: 8417 });
 * console.log(dash.urls.operator);
 */
export async function startSandboxDashboard(
  gateway: KubeGateway,
  opts: { instanceId: string; port: number; pollMs?: number },
): Promise<SandboxDashboard> {
  const tokens = generateDashboardTokens();
  const deps: ApiDeps = {
    instanceId: opts.instanceId,
    clusters: {
      names: () => [SANDBOX_CLUSTER],
      gateway: async (name) => (name === SANDBOX_CLUSTER ? gateway : undefined),
    },
    bus: { send: async () => undefined },
    now: () => new Date(),
    webhookSecrets: async () => [{ id: 'sandbox', secret: randomBytes(32).toString('hex') }],
    signatureToleranceSeconds: 300,
  };
  const api = createApiHandler(async () => deps);
  const server = await listen(opts.port, (req) => api(req, silentLogger));
  deps.dashboard = localDashboard(tokens, server.url, opts.pollMs);
  const [operator, viewer] = tokens as [(typeof tokens)[0], (typeof tokens)[0]];
  return {
    urls: { operator: dashboardUrl(server.url, operator), viewer: dashboardUrl(server.url, viewer) },
    close: () => server.close(),
  };
}
