/**
 * `sluice run` against clusters: starts the local control plane, prints how to reach its HTTP API, and stops it
 * cleanly on SIGINT/SIGTERM (a second signal exits at once).
 */
import { LABELS } from '../../core/model/types.js';
import type { LocalCluster } from '../local/clusters.js';
import type { LocalIstioPrimary } from '../local/directory.js';
import { startControlPlane } from '../local/control-plane.js';
import type { HttpLimits } from '../local/http-limits.js';
import { localMetricProviders } from '../local/metrics.js';
import type { LocalSecret } from '../local/secret.js';
import type { LocalToken } from '../../app/http-api/dashboard/identity.js';
import { dashboardUrl, generateDashboardTokens } from '../web/local-dashboard.js';

/** What {@link runControlPlane} needs (from the `sluice run` flags). */
export interface RunOptions {
  clusters: LocalCluster[];
  secret: LocalSecret;
  instanceId: string;
  intervalMs: number;
  host: string;
  port: number;
  /** Bounds of the HTTP API on its clients. */
  httpLimits?: HttpLimits;
  /** Where each cluster's Istio primary-cluster Secret is (unset: Istio objects in the cluster itself). */
  istioPrimary?: LocalIstioPrimary | undefined;
  watch: boolean;
  verbose: boolean;
  /** `--allow-metric-address` entries (every cluster), added to each registry entry's own. */
  allowMetricAddresses: string[];
  /** A plain line (banner). */
  out: (line: string) => void;
  /** A time-stamped decision line. */
  stamp: (source: string, text: string) => void;
}

/** How a client signs: the flag or variable that carries the key. */
function signingHint(secret: LocalSecret): string {
  if (secret.file) return `--webhook-secret-file ${secret.file}`;
  return '(signing key from $SLUICE_WEBHOOK_SECRET)';
}

/** Where the primary-cluster Secret is looked up, in words. */
function primaryText(p: LocalIstioPrimary): string {
  const secret = p.name
    ? `Secret ${p.namespace}/${p.name}`
    : `the Secret labelled istio.argoproj.io/primary-cluster=true in ${p.namespace}`;
  const key = p.key ? ` (key ${p.key})` : '';
  return `VirtualServices and DestinationRules in the cluster named by each cluster's ${secret}${key}, if present`;
}

/** The dashboard lines of the banner: one URL per session token (operator, then read-only). */
export function dashboardLines(url: string, tokens: LocalToken[]): string[] {
  return tokens.map(
    (t) => `  dashboard (${t.role === 'operator' ? 'operator' : 'read-only'}): ${dashboardUrl(url, t)}`,
  );
}

/** Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h)
  );
}

/** The warning printed when the API listens on a non-loopback address; undefined on loopback. */
export function listenWarning(host: string): string | undefined {
  if (isLoopback(host)) return undefined;
  return (
    `WARNING: the HTTP API listens on ${host}, reachable from other machines, over plain HTTP: requests are ` +
    'signed but not encrypted (status and reasons can be read on the way). Put it behind a TLS-terminating ' +
    'proxy, or use --listen 127.0.0.1.'
  );
}

/** The start banner. */
export function banner(opts: RunOptions, url: string): string[] {
  const first = opts.clusters[0]?.name ?? 'CLUSTER';
  const source = {
    file: `from ${opts.secret.file}`,
    env: 'from $SLUICE_WEBHOOK_SECRET',
    generated: `generated for this run, in ${opts.secret.file} (removed when the run stops)`,
  }[opts.secret.source];
  return [
    `sluice run: local control plane for ${opts.clusters.length} cluster(s) (the functions' use cases, in one process)`,
    ...opts.clusters.map((c) => `  cluster ${c.name}: ${c.server} (${c.origin})`),
    ...(opts.istioPrimary ? [`  Istio primary: ${primaryText(opts.istioPrimary)}`] : []),
    `  Rollouts labelled ${LABELS.instanceId}=${opts.instanceId}; schedule every ${opts.intervalMs / 1000}s` +
      (opts.watch
        ? '; watching VirtualServices, DestinationRules and Services for drift'
        : '; drift watch off'),
    `  HTTP API: ${url} (webhook key "${opts.secret.secret.id}" ${source})`,
    `  promote:  npx sluice promote <namespace>/<name> --server ${url} --cluster ${first} ${signingHint(opts.secret)}`,
    '  Ctrl-C or SIGTERM: finish the passes in flight, close the watches and the HTTP server, exit 0',
  ];
}

/**
 * Runs the control plane until SIGINT/SIGTERM; resolves 0 after a clean stop.
 * @example process.exitCode = await runControlPlane({ clusters, secret, instanceId: 'sluice', ... });
 */
export async function runControlPlane(opts: RunOptions): Promise<number> {
  const tokens = generateDashboardTokens();
  const cp = await startControlPlane({
    clusters: opts.clusters,
    instanceId: opts.instanceId,
    intervalMs: opts.intervalMs,
    host: opts.host,
    port: opts.port,
    ...(opts.httpLimits ? { httpLimits: opts.httpLimits } : {}),
    secrets: [opts.secret.secret],
    ...(opts.istioPrimary ? { istioPrimary: opts.istioPrimary } : {}),
    watch: opts.watch,
    verbose: opts.verbose,
    metrics: localMetricProviders(opts.clusters, opts.allowMetricAddresses),
    say: opts.stamp,
    dashboard: { tokens },
  });
  banner(opts, cp.url).forEach((l) => opts.out(l));
  dashboardLines(cp.url, tokens).forEach((l) => opts.out(l));
  const warning = listenWarning(opts.host);
  if (warning) opts.out(warning);
  let signalled: string | undefined;
  const stopped = new Promise<string>((resolve) => {
    const on = (signal: string) => (): void => {
      if (signalled) {
        opts.out(`${signal} again: exiting now`);
        process.exit(130);
      }
      signalled = signal;
      resolve(signal);
    };
    process.on('SIGINT', on('SIGINT'));
    process.on('SIGTERM', on('SIGTERM'));
  });
  const signal = await stopped;
  opts.stamp('run', `${signal}: finishing the passes in flight, closing the watches and the HTTP server`);
  const { dropped } = await cp.stop();
  opts.stamp(
    'run',
    `stopped cleanly${dropped ? ` (${dropped} queued request(s) left to the next start)` : ''}`,
  );
  return 0;
}
