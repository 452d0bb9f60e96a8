/**
 * The whole control plane in one process (`sluice run` with clusters). Transport only: the control loop
 * (shared/app/control-loop.ts) is the one the functions run — the same tick (clusters in parallel), step, drift
 * pass and watch, the same Istio primary-cluster lookup, and the same signed HTTP API handling behind node:http.
 * Where the functions put events on EventBridge, this puts them on an in-process queue that coalesces requests
 * per Rollout (queue.ts).
 */
import {
  driftPass,
  driftTargets,
  step,
  tick,
  watchCluster,
  type StepOutcome,
} from '../../app/control-loop.js';
import {
  DRIFT_DETAIL_TYPE,
  parseDriftDetail,
  parseStepDetail,
  STEP_DETAIL_TYPE,
  type BusEvent,
} from '../../app/contract.js';
import { createApiHandler } from '../../app/http-api/promote.js';
import { isDashboardPath } from '../../app/http-api/dashboard/routes.js';
import type { WebhookSecret } from '../../app/http-api/webhook-auth.js';
import { silentLogger } from '../../app/logger.js';
import type { ApiDeps, Logger, LoopDeps, MetricProviders } from '../../app/ports.js';
import type { Rollout } from '../../core/model/types.js';
import type { WatchCounters } from '../../app/watch.js';
import type { LocalCluster } from './clusters.js';
import { localDirectory, type LocalIstioPrimary } from './directory.js';
import { startApiServer } from './http-api.js';
import { isProbePath, probeAnswer, Readiness } from './probes.js';
import type { HttpLimits } from './http-limits.js';
import { decisionText, driftLines, httpText, type Say } from './log-lines.js';
import { sayLogger } from './say-logger.js';
import { RolloutQueue, type RolloutJob } from './queue.js';
import { LocalTimers } from './timers.js';
import type { LocalToken } from '../../app/http-api/dashboard/identity.js';
import { localDashboard } from '../web/local-dashboard.js';

/** Options of {@link startControlPlane}. */
export interface ControlPlaneOptions {
  clusters: LocalCluster[];
  instanceId: string;
  intervalMs: number;
  host: string;
  port: number;
  secrets: WebhookSecret[];
  /** Bounds of the HTTP API on its clients (default: DEFAULT_HTTP_LIMITS). */
  httpLimits?: HttpLimits;
  /** Where each cluster's Istio primary-cluster Secret is (unset: Istio objects are in the cluster itself). */
  istioPrimary?: LocalIstioPrimary;
  /** Watch VirtualServices, DestinationRules and Services for drift (default true). */
  watch?: boolean;
  /** Passes in flight at once, over all Rollouts (default 4). */
  concurrency?: number;
  /** Analysis metric providers (unset: a measurement that is due records an Error). */
  metrics?: MetricProviders;
  /** One readable line per decision. */
  say: Say;
  /** Also print the control loop's structured log lines. */
  verbose?: boolean;
  now?: () => Date;
  /** Serve the dashboard on the HTTP API, for these session tokens (shared/runtimes/web/local-dashboard.ts). */
  dashboard?: { tokens: LocalToken[]; pollMs?: number };
}

/** A running control plane. */
export interface ControlPlane {
  /** Base URL of the HTTP API. */
  url: string;
  /** Resolves when nothing is queued or in flight (tests). */
  idle(): Promise<void>;
  /**
   * Stops: no new tick, watches closed, HTTP server closed after answering the requests in flight, the passes in
   * flight finished; waiting requests are dropped (the next start finds them due again). Idempotent.
   */
  stop(): Promise<{ dropped: number }>;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Starts the control plane; resolves once the HTTP API listens and the watches are started.
 *
 * @example
 * const cp = await startControlPlane({ clusters, instanceId: 'sluice', intervalMs: 2000, host: '127.0.0.1',
 *   port: 8417, secrets: [secret], say: (c, l) => console.log(c, l) });
 * process.on('SIGTERM', () => void cp.stop());
 */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const abort = new AbortController();
  const { say } = opts;
  const verbose = opts.verbose === true;
  // Warnings and errors of a pass always print; the HTTP API and the tick have their own readable lines, so their
  // log lines print only with --verbose.
  const log = (source: string): Logger => sayLogger(say, { source, verbose });
  const verboseOnly = (source: string): Logger => (verbose ? log(source) : silentLogger);

  /** The in-process bus: step requests and drifted objects become queue requests; notices are not needed. */
  const bus = {
    send: async (events: BusEvent[]): Promise<void> => {
      for (const e of events) {
        if (e.detailType === STEP_DETAIL_TYPE) {
          const d = parseStepDetail(e.detail);
          const pin = d.expectedStep === undefined ? {} : { expectedStep: d.expectedStep };
          const reason = e.reason ?? 'step requested';
          queue.push({ cluster: d.cluster, namespace: d.namespace, name: d.rollout, reason, ...pin });
        } else if (e.detailType === DRIFT_DETAIL_TYPE)
          await dispatchDrift(parseDriftDetail(e.detail), e.reason);
      }
    },
  };
  const now = opts.now ?? (() => new Date());
  // Timers fire at their time by the wall clock; the pass they queue reads `now` (the due check decides).
  const timers = new LocalTimers((d, reason, wokenAt) => {
    const pin = d.expectedStep === undefined ? {} : { expectedStep: d.expectedStep };
    queue.push({ cluster: d.cluster, namespace: d.namespace, name: d.rollout, reason, wokenAt, ...pin });
  });
  const deps: LoopDeps = {
    instanceId: opts.instanceId,
    clusters: localDirectory(opts.clusters, opts.istioPrimary),
    bus,
    timers,
    now,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  };

  const dispatchDrift = async (d: ReturnType<typeof parseDriftDetail>, why?: string): Promise<void> => {
    const object = { kind: d.kind, namespace: d.namespace, name: d.name };
    try {
      const rollouts = await driftTargets(deps, d, log(d.cluster));
      if ('skipped' in rollouts) return; // logged by the loop (an error: always printed)
      const reason = why ?? `${d.kind} ${d.namespace}/${d.name} changed`;
      for (const r of rollouts)
        queue.push({
          cluster: d.cluster,
          namespace: r.metadata.namespace,
          name: r.metadata.name,
          reason,
          drift: object,
        });
    } catch (err) {
      say(d.cluster, `drift check of ${d.kind} ${d.namespace}/${d.name} failed: ${message(err)}`);
    }
  };

  const report = (job: RolloutJob, outcome: StepOutcome): void => {
    if ('skipped' in outcome) return; // logged by the loop (an error: always printed)
    const text = decisionText(outcome, job.reasons);
    if (text) say(job.cluster, text);
    for (const line of driftLines(outcome)) say(job.cluster, line);
  };

  /** One queued job: the drift passes for its changed objects, then a step when one was asked for. */
  const runJob = async (job: RolloutJob): Promise<void> => {
    const gateway = await deps.clusters.gateway(job.cluster);
    if (!gateway) return;
    const jobLog = log(job.cluster);
    for (const drift of job.drifts) {
      const rollout = (await gateway.get('rollouts', job.namespace, job.name)) as Rollout | undefined;
      if (!rollout) return;
      const out = await driftPass(deps, { cluster: job.cluster, ...drift }, rollout, jobLog);
      if ('skipped' in out) return report(job, out);
      report(job, out.result);
    }
    if (!job.step) return;
    const pin = job.expectedStep === undefined ? {} : { expectedStep: job.expectedStep };
    report(
      job,
      await step(
        deps,
        { cluster: job.cluster, namespace: job.namespace, rollout: job.name, ...pin },
        jobLog,
        job.wokenAt,
      ),
    );
  };

  const queue = new RolloutQueue(runJob, {
    concurrency: opts.concurrency ?? 4,
    onError: (job, err) => say(job.cluster, `${job.namespace}/${job.name}: pass failed: ${message(err)}`),
  });

  const apiDeps: ApiDeps = {
    ...deps,
    webhookSecrets: async () => opts.secrets,
    signatureToleranceSeconds: 300,
  };
  const api = createApiHandler(async () => apiDeps);
  const readiness = new Readiness();
  const server = await startApiServer({
    host: opts.host,
    port: opts.port,
    ...(opts.httpLimits ? { limits: opts.httpLimits } : {}),
    // The probes (/healthz, /readyz) before the API: unauthenticated, and not logged (a kubelet polls them).
    handler: (req) => Promise.resolve(probeAnswer(req, readiness) ?? api(req, verboseOnly('http'))),
    onAnswer: (method, path, answer) => {
      if (isProbePath(path)) return;
      // The dashboard's page polls: only its refusals and actions are worth a line.
      if (method === 'GET' && answer.response.statusCode < 400 && isDashboardPath(path)) return;
      const why = answer.refusal?.status === 401 ? answer.refusal.reason : '';
      say('http', httpText(method, path, answer.response, why));
    },
  });
  if (opts.dashboard)
    apiDeps.dashboard = localDashboard(opts.dashboard.tokens, server.url, opts.dashboard.pollMs);

  const tickErrors = new Map<string, string>();
  const ticking = (async () => {
    while (!abort.signal.aborted) {
      const { perCluster, failedClusters } = await tick(deps, verboseOnly('schedule'));
      readiness.record(failedClusters.length);
      for (const t of perCluster) {
        if (!('failed' in t)) tickErrors.delete(t.cluster);
        else if (tickErrors.get(t.cluster) !== t.failed) {
          say(t.cluster, `schedule: cannot list Rollouts: ${t.failed}`);
          tickErrors.set(t.cluster, t.failed);
        }
      }
      await sleep(opts.intervalMs, abort.signal);
    }
  })();

  const counters: WatchCounters = { changes: 0, driftEvents: 0, stepEvents: 0, relists: 0, errors: 0 };
  const memory = new Map<string, string>();
  const watchLog = sayLogger(say, { source: 'watch', prefix: 'watch: ', verbose });
  const run = {
    memory,
    counters,
    log: watchLog,
    signal: abort.signal,
    refsTtlMs: Math.max(1000, opts.intervalMs),
  };
  const watching =
    (opts.watch ?? true)
      ? deps.clusters.names().map(async (cluster) => {
          while (!abort.signal.aborted) {
            let problem: string | undefined;
            try {
              problem = (await watchCluster(deps, cluster, run))?.skipped;
            } catch (err) {
              problem = message(err);
            }
            if (abort.signal.aborted) return;
            say(cluster, `watch stopped: ${problem ?? 'ended'}; restarting in 5s`);
            await sleep(5000, abort.signal);
          }
        })
      : [];

  let stopped: Promise<{ dropped: number }> | undefined;
  return {
    url: server.url,
    idle: () => queue.idle(),
    stop: () => {
      stopped ??= (async () => {
        abort.abort();
        timers.close();
        await ticking;
        await server.close();
        const dropped = await queue.close();
        await Promise.all(watching);
        return { dropped };
      })();
      return stopped;
    },
  };
}
