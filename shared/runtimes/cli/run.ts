/**
 * `sluice run`: the local control plane. With no cluster flag it runs the sandbox (sandbox-run.ts); with
 * `--kubeconfig` (repeatable) or `--clusters registry.json` it runs the whole control plane in this process
 * (shared/runtimes/local/control-plane.ts: schedule tick, watch + drift check, signed HTTP API, in-process dispatch) until
 * SIGINT/SIGTERM, then finishes the passes in flight, closes the watches and the HTTP server and exits 0.
 */
import { pauseDurationSeconds } from '../../core/engine/due.js';
import { LABELS } from '../../core/model/types.js';
import {
  IstioPrimaryRefError,
  parseIstioPrimaryRef,
  type IstioPrimaryConfig,
} from '../../adapters/kube/primary-cluster.js';
import { parseAllowList } from '../../adapters/metrics/allow-list.js';
import { loadClusters, runClusterBound, type LocalCluster } from '../local/clusters.js';
import type { LocalIstioPrimary } from '../local/directory.js';
import { generateWebhookSecret, readWebhookSecret, type LocalSecret } from '../local/secret.js';
import { printable, stamped } from '../local/log-lines.js';
import { HttpLimitsError, readHttpLimits, type HttpLimits } from '../local/http-limits.js';
import { PROBE_PATHS } from '../local/probes.js';
import { SERVICEACCOUNT_DIR, SERVICEACCOUNT_DIR_ENV } from '../../adapters/kube/in-cluster.js';
import { parseFlags, UsageError } from './args.js';
import { runSandbox } from './sandbox-run.js';
import { parseScenario, type Scenario } from '../sandbox/scenario.js';

/** The cluster name of `--in-cluster` when `--cluster-name` gives none. */
export const IN_CLUSTER_NAME = 'in-cluster';

export const RUN_USAGE = `usage: sluice run [flags]
  (no cluster flag)        SIMULATION: in-memory API, simulated pods and traffic, examples/reviews
  --kubeconfig FILE        drive a real cluster (repeat for several clusters)
  --in-cluster             drive the cluster this runs in as a pod, with the pod's ServiceAccount (server from
                           $KUBERNETES_SERVICE_HOST/PORT; ca.crt, token, namespace from
                           ${SERVICEACCOUNT_DIR} or $${SERVICEACCOUNT_DIR_ENV});
                           not with --kubeconfig (docs/in-cluster.md)
  --cluster-name NAME      name of the matching --kubeconfig's cluster in the API (default: its context name;
                           with --in-cluster: that cluster's name, default "${IN_CLUSTER_NAME}")
  --clusters FILE          cluster registry JSON (entries with source "file" or "inline")
  --context NAME           kubeconfig context (single cluster)
  --namespace NS           drive only Rollouts in NS (repeat for several): a namespace-scoped install lists and
                           watches only there (the --kubeconfig clusters; registry entries carry "namespaces")
  --allow-loopback-http    accept an http://127.0.0.1 API server in the kubeconfig
  --istio-primary-secret NS[/NAME]
                           Istio primary cluster: each cluster's istio.argoproj.io/primary-cluster Secret is in NS
                           (found by label, or the Secret NAME); its VirtualServices and DestinationRules are there
  --istio-primary-secret-key KEY
                           the Secret's data key holding the kubeconfig (needed when it has several)
  --instance-id ID         only Rollouts labelled ${LABELS.instanceId}=ID (default $SLUICE_INSTANCE_ID or "sluice")
  --interval DURATION      schedule tick (1s, 500ms, 2; default 1s in the sandbox, 2s with clusters)
  --listen ADDRESS         HTTP API address (default 127.0.0.1; the API is plain HTTP: put TLS in front of any
                           other address). Bounds: SLUICE_HTTP_* variables (docs/security.md). Probes:
                           GET ${PROBE_PATHS.live} (alive) and GET ${PROBE_PATHS.ready} (the last schedule pass reached the clusters)
  --port N                 HTTP API and dashboard port (default 8417; 0 picks a free one; the sandbox falls
                           back to a free one when it is taken)
  --webhook-secret-file F  signing key of the HTTP API ({"id","secret"} or the secret; else $SLUICE_WEBHOOK_SECRET,
                           else one is generated into a private file)
  --allow-metric-address CIDR
                           a non-public address analysis metric providers may reach, for every cluster (repeat;
                           e.g. 10.0.0.0/8, 127.0.0.1); registry entries add their own allowMetricAddresses
  --no-watch               no drift watch (the schedule tick still runs)
  --verbose                also print debug and info log lines (warnings and errors always print)
  --auto-promote           sandbox: promote indefinite pauses automatically (default when stdin is not a TTY)
  --exit-when-done         sandbox: exit when the rollout is Healthy (default)
  --keep-running           sandbox: keep the API and loop running after the story ends
  --timeout SECONDS        sandbox: give up after this long (default 120)
  --scenario NAME          sandbox: default (v2 is healthy: its analysis passes, the rollout completes) or
                           bad-canary (30% of v2's requests fail: its analysis fails, the rollout aborts)`;

const FLAGS = {
  kubeconfig: { type: 'string', multiple: true },
  'in-cluster': { type: 'boolean' },
  'cluster-name': { type: 'string', multiple: true },
  clusters: { type: 'string' },
  listen: { type: 'string' },
  port: { type: 'string' },
  'webhook-secret-file': { type: 'string' },
  'no-watch': { type: 'boolean' },
  'allow-metric-address': { type: 'string', multiple: true },
  verbose: { type: 'boolean' },
  context: { type: 'string' },
  namespace: { type: 'string', multiple: true },
  'allow-loopback-http': { type: 'boolean' },
  'instance-id': { type: 'string' },
  'istio-primary-secret': { type: 'string' },
  'istio-primary-secret-key': { type: 'string' },
  interval: { type: 'string' },
  'auto-promote': { type: 'boolean' },
  'exit-when-done': { type: 'boolean' },
  'keep-running': { type: 'boolean' },
  timeout: { type: 'string' },
  scenario: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Seconds of a flag: a number of seconds (`2`, `0.5`) or a Go duration (`1s`, `500ms`, `1m`). */
function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : pauseDurationSeconds(value);
  if (n === undefined || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${flag} must be a positive duration (2, 1s, 500ms), got "${value}"`);
  return n;
}

const out = (line: string): void => void process.stdout.write(`${printable(line, true)}\n`);

/**
 * `--istio-primary-secret` and `--istio-primary-secret-key`, as the functions read the same two settings; the
 * primary's kubeconfig gets the same loopback allowance as the clusters' (`--allow-loopback-http`).
 */
function istioPrimary(
  secret: string | undefined,
  key: string | undefined,
  allowLoopbackHttp: boolean,
): LocalIstioPrimary | undefined {
  if (secret === undefined) {
    if (key !== undefined) throw new UsageError('--istio-primary-secret-key needs --istio-primary-secret');
    return undefined;
  }
  try {
    const ref: IstioPrimaryConfig = parseIstioPrimaryRef(secret, key);
    return allowLoopbackHttp ? { ...ref, parse: { allowLoopbackHttp } } : ref;
  } catch (err) {
    if (!(err instanceof IstioPrimaryRefError)) throw err;
    throw new UsageError(`--istio-primary-secret${err.field === 'key' ? '-key' : ''} ${err.message}`);
  }
}

/** Default port of the local HTTP API. */
export const DEFAULT_PORT = 8417;

type Values = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];

/** `--scenario`: a usage error names the scenarios there are. */
function scenarioOf(value: string | undefined): Scenario {
  try {
    return parseScenario(value);
  } catch (err) {
    throw new UsageError(`--scenario: ${(err as Error).message}`);
  }
}

/** The sandbox (no cluster flag): interactive on a TTY unless --auto-promote. */
function sandbox(values: Values): Promise<number> {
  const interactive = process.stdin.isTTY === true && !values['auto-promote'];
  return runSandbox({
    intervalMs: seconds(values.interval, 'interval', 1) * 1000,
    autoPromote: !interactive,
    autoPromoteDelayMs: 3000,
    keepRunning: values['keep-running'] === true && values['exit-when-done'] !== true,
    timeoutMs: seconds(values.timeout, 'timeout', 120) * 1000,
    requestsPerTick: 200,
    dashboardPort: portOf(values),
    scenario: scenarioOf(values.scenario),
    out,
    ...(interactive ? { keys: process.stdin } : {}),
  });
}

/** `--in-cluster` with its name, or undefined; refuses the flags it cannot be combined with. */
function inClusterOf(values: Values): { name: string; env: NodeJS.ProcessEnv } | undefined {
  if (values['in-cluster'] !== true) return undefined;
  if ((values.kubeconfig ?? []).length > 0)
    throw new UsageError(
      "--in-cluster and --kubeconfig cannot be combined: --in-cluster drives the pod's own cluster with its " +
        'ServiceAccount (add other clusters with --clusters)',
    );
  if (values.context) throw new UsageError('--context applies to --kubeconfig, not to --in-cluster');
  const names = values['cluster-name'] ?? [];
  if (names.length > 1) throw new UsageError('--in-cluster takes one --cluster-name');
  return { name: names[0] ?? IN_CLUSTER_NAME, env: process.env };
}

/** The clusters and webhook secret the flags name; a failure to read them is a usage error. */
async function clustersAndSecret(
  values: Values,
): Promise<{ clusters: LocalCluster[]; secret?: LocalSecret }> {
  const kubeconfigs = values.kubeconfig ?? [];
  if (kubeconfigs.length > 1 && values.context)
    throw new UsageError('--context applies to a single --kubeconfig');
  const inCluster = inClusterOf(values);
  try {
    const clusters = await loadClusters({
      kubeconfigs,
      names: inCluster ? [] : (values['cluster-name'] ?? []),
      ...(inCluster ? { inCluster } : {}),
      ...(values.context ? { context: values.context } : {}),
      ...(values.clusters ? { registry: values.clusters } : {}),
      ...(values.namespace ? { namespaces: values.namespace } : {}),
      allowLoopbackHttp: values['allow-loopback-http'] === true,
      limit: runClusterBound(process.env),
    });
    const secret = await readWebhookSecret(values['webhook-secret-file'], process.env);
    return { clusters, ...(secret ? { secret } : {}) };
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function portOf(values: Values): number {
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0..65535, got "${values.port}"`);
  return port;
}

/** The HTTP API's bounds from `SLUICE_HTTP_*`, read once; a malformed one is a usage error. */
function limitsOf(env: NodeJS.ProcessEnv): HttpLimits {
  try {
    return readHttpLimits(env);
  } catch (err) {
    if (err instanceof HttpLimitsError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * Entry point of `sluice run`; resolves with the exit code.
 * @example process.exitCode = await main(['--auto-promote']);
 */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) {
    out(RUN_USAGE);
    return 0;
  }
  if ((values.kubeconfig ?? []).length === 0 && !values.clusters && values['in-cluster'] !== true)
    return sandbox(values);
  // Checked before any cluster is read.
  const primary = istioPrimary(
    values['istio-primary-secret'],
    values['istio-primary-secret-key'],
    values['allow-loopback-http'] === true,
  );
  const { clusters, secret } = await clustersAndSecret(values);
  if (clusters.length === 0) throw new UsageError('the cluster registry lists no cluster');
  const port = portOf(values);
  const allowMetricAddresses = values['allow-metric-address'] ?? [];
  try {
    parseAllowList(allowMetricAddresses, '--allow-metric-address');
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const httpLimits = limitsOf(process.env);
  const { runControlPlane } = await import('./run-control-plane.js');
  const key = secret ?? (await generateWebhookSecret());
  try {
    return await runControlPlane({
      clusters,
      secret: key,
      instanceId: values['instance-id'] ?? process.env.SLUICE_INSTANCE_ID ?? 'sluice',
      intervalMs: seconds(values.interval, 'interval', 2) * 1000,
      host: values.listen ?? '127.0.0.1',
      port,
      httpLimits,
      istioPrimary: primary,
      watch: values['no-watch'] !== true,
      verbose: values.verbose === true,
      allowMetricAddresses,
      out,
      stamp: (source, text) => out(stamped(new Date(), source, text)),
    });
  } finally {
    // A generated key is not left behind in the temporary directory.
    await key.remove?.();
  }
}
