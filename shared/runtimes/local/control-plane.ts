/**
 * The whole control plane in one process (`sluice run` with clusters): the schedule tick (`dueReason` every
 * interval), the watch + drift check, the signed HTTP API (the promote function's handler behind node:http),
 * and an in-process queue where AWS would use EventBridge. Every part calls the same use cases as the functions.
 */
import { createPromoteHandler } from '../../app/http-api/promote.js';
import type { WebhookSecret } from '../../app/http-api/webhook-auth.js';
import { dueReason } from '../../core/engine/due.js';
import {
  DRIFT_DETAIL_TYPE,
  parseDriftDetail,
  parseStepDetail,
  STEP_DETAIL_TYPE,
  type BusEvent,
  type DriftDetail,
} from '../../app/contract.js';
import type { FunctionDeps } from '../lambda/deps.js';
import { entryLogger, jsonLine } from '../../app/logger.js';
import { LABELS, type Rollout } from '../../core/model/types.js';
import { affectedRollouts, correctDrift } from '../../app/drift.js';
import { runStep, type StepResult } from '../../app/step.js';
import { watchReferencedObjects, type WatchCounters } from '../../app/watch.js';
import type { LocalCluster } from './clusters.js';
import { startApiServer, type ApiHandler, type ApiServer } from './http-api.js';
import { decisionText, httpText, type Say } from './log-lines.js';
import { sayLogger } from './say-logger.js';
import { RolloutQueue, type RolloutJob } from './queue.js';

/** Options of {@link startControlPlane}. */
export interface ControlPlaneOptions {
  clusters: LocalCluster[];
  instanceId: string;
  intervalMs: number;
  host: string;
  port: number;
  secrets: WebhookSecret[];
  /** Watch VirtualServices, DestinationRules and Services for drift (default true). */
  watch?: boolean;
  /** Passes in flight at once, over all Rollouts (default 4). */
  concurrency?: number;
  /** One readable line per decision. */
  say: Say;
  /** Also print debug and info log lines (warnings and errors always print). */
  verbose?: boolean;
  now?: () => Date;
}

/** A running control plane. */
export interface ControlPlane {
  /** Base URL of the HTTP API. */
  url: string;
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
  const now = opts.now ?? (() => new Date());
  const byName = new Map(opts.clusters.map((c) => [c.name, c]));
  const abort = new AbortController();
  const say = opts.say;
  const verbose = opts.verbose ?? false;

  const report = (job: RolloutJob, result: StepResult): void => {
    const text = decisionText(result, job.reasons);
    if (text) say(job.cluster, text);
  };

  const runJob = async (job: RolloutJob): Promise<void> => {
    const c = byName.get(job.cluster);
    if (!c) return;
    const deps = { gateway: c.gateway, now, log: sayLogger(say, { source: job.cluster, verbose }) };
    let last: StepResult | undefined;
    for (const drift of job.drifts) {
      const rollout = (await c.gateway.get('rollouts', job.namespace, job.name)) as Rollout | undefined;
      if (!rollout) return;
      const { entry, result } = await correctDrift(deps, drift, rollout);
      report(job, result);
      if (entry.corrected)
        say(
          job.cluster,
          `${entry.rollout}: DriftCorrected ${drift.kind} ${drift.namespace}/${drift.name}: ${entry.before} -> ${entry.after}`,
        );
      last = result;
    }
    if (job.step) {
      const pin = job.expectedStep === undefined ? {} : { expectedStep: job.expectedStep };
      last = await runStep(deps, { namespace: job.namespace, name: job.name, ...pin });
      report(job, last);
      if (last.outcome === 'not-found') return;
    }
    if (last?.followUp) {
      queue.push({
        cluster: job.cluster,
        namespace: job.namespace,
        name: job.name,
        reason: 'follow-up',
        ...(last.stepAfter === undefined ? {} : { expectedStep: last.stepAfter }),
      });
    }
  };

  const queue = new RolloutQueue(runJob, {
    concurrency: opts.concurrency ?? 4,
    onError: (job, err) => say(job.cluster, `${job.namespace}/${job.name}: pass failed: ${message(err)}`),
  });

  const dispatchDrift = async (d: DriftDetail): Promise<void> => {
    const c = byName.get(d.cluster);
    if (!c) return;
    try {
      for (const r of await affectedRollouts(c.gateway, opts.instanceId, d)) {
        const object = { kind: d.kind, namespace: d.namespace, name: d.name };
        const { namespace, name } = r.metadata;
        queue.push({
          cluster: d.cluster,
          namespace,
          name,
          reason: `${d.kind} ${d.namespace}/${d.name} changed`,
          drift: object,
        });
      }
    } catch (err) {
      say(d.cluster, `drift check of ${d.kind} ${d.namespace}/${d.name} failed: ${message(err)}`);
    }
  };

  /** The in-process bus: what the functions put on EventBridge. */
  const bus = {
    send: async (events: BusEvent[]): Promise<void> => {
      for (const e of events) {
        if (e.detailType === STEP_DETAIL_TYPE) {
          const d = parseStepDetail(e.detail);
          const pin = d.expectedStep === undefined ? {} : { expectedStep: d.expectedStep };
          queue.push({
            cluster: d.cluster,
            namespace: d.namespace,
            name: d.rollout,
            reason: 'operator action',
            ...pin,
          });
        } else if (e.detailType === DRIFT_DETAIL_TYPE) await dispatchDrift(parseDriftDetail(e.detail));
      }
    },
  };

  const deps: FunctionDeps = {
    config: {
      clusters: [],
      eventBusName: 'local',
      instanceId: opts.instanceId,
      webhookSecretId: 'local',
      secretsCacheSeconds: 0,
      signatureToleranceSeconds: 300,
      watchStopBeforeSeconds: 30,
      logLevel: 'info',
    },
    clusters: {
      names: () => [...byName.keys()],
      gateway: async (name) => byName.get(name)?.gateway,
    },
    bus,
    now,
    webhookSecrets: async () => opts.secrets,
  };
  let rejection = '';
  const logger = entryLogger('info', (entry) => {
    if (verbose) say('http', `  ${jsonLine(entry)}`);
    const reason = entry.fields.reason;
    if (entry.msg === 'signature rejected' && typeof reason === 'string') rejection = reason;
  });
  const promote = createPromoteHandler(async () => deps, { logger }) as unknown as ApiHandler;
  const api: ApiServer = await startApiServer({
    host: opts.host,
    port: opts.port,
    handler: promote,
    onAnswer: (method, path, res) => {
      say('http', httpText(method, path, res, rejection));
      rejection = '';
    },
  });

  const tickErrors = new Map<string, string>();
  const tick = async (): Promise<void> => {
    for (const c of opts.clusters) {
      if (abort.signal.aborted) return;
      try {
        const { items } = await c.gateway.list('rollouts', undefined, {
          labelSelector: `${LABELS.instanceId}=${opts.instanceId}`,
        });
        tickErrors.delete(c.name);
        const at = now();
        for (const r of items as Rollout[]) {
          const reason = dueReason(r, at);
          if (reason)
            queue.push({
              cluster: c.name,
              namespace: r.metadata.namespace,
              name: r.metadata.name,
              reason: `due: ${reason}`,
            });
        }
      } catch (err) {
        const text = `schedule: cannot list Rollouts: ${message(err)}`;
        if (tickErrors.get(c.name) !== text) say(c.name, text);
        tickErrors.set(c.name, text);
      }
    }
  };
  const ticking = (async () => {
    while (!abort.signal.aborted) {
      await tick();
      await sleep(opts.intervalMs, abort.signal);
    }
  })();

  const counters: WatchCounters = { changes: 0, driftEvents: 0, relists: 0, errors: 0 };
  const memory = new Map<string, string>();
  const watchLog = sayLogger(say, { source: 'watch', prefix: 'watch: ', verbose });
  const watching =
    (opts.watch ?? true)
      ? opts.clusters.map(async (c) => {
          while (!abort.signal.aborted) {
            try {
              await watchReferencedObjects({
                cluster: c.name,
                gateway: c.gateway,
                instanceId: opts.instanceId,
                memory,
                signal: abort.signal,
                onDrift: async (drifted) => {
                  for (const d of drifted) await dispatchDrift(d);
                },
                log: watchLog,
                counters,
                refsTtlMs: Math.max(1000, opts.intervalMs),
              });
            } catch (err) {
              say(c.name, `watch stopped: ${message(err)}; restarting in 5s`);
              await sleep(5000, abort.signal);
            }
          }
        })
      : [];

  let stopped: Promise<{ dropped: number }> | undefined;
  return {
    url: api.url,
    stop: () => {
      stopped ??= (async () => {
        abort.abort();
        await ticking;
        await api.close();
        const dropped = await queue.close();
        await Promise.all(watching);
        return { dropped };
      })();
      return stopped;
    },
  };
}
