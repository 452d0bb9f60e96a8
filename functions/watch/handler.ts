/**
 * `watch` (scheduled, every 15 minutes, timeout 15 minutes): holds watches on VirtualServices, DestinationRules
 * and Services of every registered cluster until ~30 s before Lambda's limit, and turns each change to an object a
 * sluice Rollout references into a `sluice.drift` event (coalesced per object, flushed every second).
 *
 * It resumes from the last resourceVersion it saw (kept in the warm container); a cold start or a 410 Gone lists
 * afresh and reports every referenced object once, so a change made while nothing was watching is not missed.
 */
import type { ScheduledEvent } from 'aws-lambda';
import type { KubeGateway, WatchEvent } from '../../shared/kube/gateway.js';
import { KubeApiError } from '../../shared/kube/errors.js';
import { LABELS, type KubeObject, type Rollout } from '../../shared/rollout/types.js';
import { driftEvent, type DriftDetail } from '../../shared/lambda/bus.js';
import type { DepsProvider, FunctionDeps } from '../../shared/lambda/deps.js';
import type { Logger } from '../../shared/lambda/logger.js';
import type { MiddyfiedHandler } from '@middy/core';
import { lambdaHandler, type HandlerOptions } from '../../shared/lambda/middleware.js';
import {
  DRIFT_RESOURCES,
  referencedObjects,
  refKey,
  type DriftKind,
} from '../../shared/lambda/references.js';
import { defaultDeps } from '../../shared/lambda/wiring.js';

const KINDS: DriftKind[] = ['VirtualService', 'DestinationRule', 'Service'];
const FLUSH_MS = 1000;
const REFS_TTL_MS = 60_000;

/** resourceVersions per `cluster/kind`, kept across invocations of a warm container. */
export type WatchMemory = Map<string, string>;
const memory: WatchMemory = new Map();

/** What one watch invocation did. */
export interface WatchResult {
  clusters: number;
  changes: number;
  driftEvents: number;
  relists: number;
  errors: number;
}

const sleep = (ms: number): Promise<void> =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Watches one cluster until `stopAt`. */
class ClusterWatch {
  private refs = new Set<string>();
  private refsAt = 0;
  private readonly changed = new Map<string, DriftDetail>();

  constructor(
    private readonly cluster: string,
    private readonly gateway: KubeGateway,
    private readonly deps: FunctionDeps,
    private readonly log: Logger,
    private readonly memory: WatchMemory,
    private readonly result: WatchResult,
  ) {}

  async run(stopAt: number): Promise<void> {
    await this.refreshRefs();
    const loops = KINDS.map((kind) => this.watchKind(kind, stopAt));
    const flusher = this.flushLoop(stopAt);
    await Promise.all([...loops, flusher]);
    await this.flush();
  }

  private async refreshRefs(): Promise<void> {
    const selector = `${LABELS.instanceId}=${this.deps.config.instanceId}`;
    const { items } = await this.gateway.list('rollouts', undefined, { labelSelector: selector });
    this.refs = new Set((items as Rollout[]).flatMap(referencedObjects).map(refKey));
    this.refsAt = Date.now();
  }

  private note(kind: DriftKind, object: KubeObject): void {
    const { namespace = '', name, resourceVersion = '' } = object.metadata;
    const detail: DriftDetail = { cluster: this.cluster, namespace, kind, name, resourceVersion };
    this.changed.set(refKey(detail), detail);
  }

  /** Lists the kind afresh; every referenced object counts as changed (a change may have been missed). */
  private async relist(kind: DriftKind): Promise<string> {
    this.result.relists++;
    const list = await this.gateway.list(DRIFT_RESOURCES[kind], undefined);
    for (const item of list.items) this.note(kind, item);
    this.memory.set(`${this.cluster}/${kind}`, list.resourceVersion);
    return list.resourceVersion;
  }

  private async watchKind(kind: DriftKind, stopAt: number): Promise<void> {
    const key = `${this.cluster}/${kind}`;
    while (Date.now() < stopAt) {
      try {
        const from = this.memory.get(key) ?? (await this.relist(kind));
        const handle = this.gateway.watch(DRIFT_RESOURCES[kind], undefined, from, (event: WatchEvent) => {
          const rv = event.object?.metadata?.resourceVersion;
          if (rv && event.type !== 'ERROR') this.memory.set(key, rv);
          if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') {
            this.result.changes++;
            this.note(kind, event.object);
          }
        });
        const stopped = sleep(stopAt - Date.now()).then(() => 'stop' as const);
        const ended = await Promise.race([handle.done.then(() => 'ended' as const), stopped]);
        if (ended === 'stop') handle.stop();
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 410) {
          this.log.info('watch expired, relisting', { cluster: this.cluster, kind });
          this.memory.delete(key);
          continue;
        }
        this.result.errors++;
        this.log.warn('watch failed, retrying', { cluster: this.cluster, kind, error: err });
        await sleep(Math.min(2000, stopAt - Date.now()));
      }
    }
  }

  private async flushLoop(stopAt: number): Promise<void> {
    while (Date.now() < stopAt) {
      await sleep(Math.min(FLUSH_MS, stopAt - Date.now()));
      await this.flush();
    }
  }

  private async flush(): Promise<void> {
    if (this.changed.size === 0) return;
    try {
      if (Date.now() - this.refsAt > REFS_TTL_MS) await this.refreshRefs();
    } catch (err) {
      this.log.warn('could not refresh rollout references, using the previous ones', { error: err });
    }
    const drifted = [...this.changed.values()].filter((d) => this.refs.has(refKey(d)));
    this.changed.clear();
    if (drifted.length === 0) return;
    await this.deps.bus.send(drifted.map(driftEvent));
    this.result.driftEvents += drifted.length;
    for (const d of drifted) this.log.info('drift reported', { ...d });
  }
}

/** The watch function over the given dependencies (and resourceVersion memory, for tests). */
export function createWatchHandler(
  deps: DepsProvider,
  options: Partial<HandlerOptions> = {},
  rvMemory: WatchMemory = memory,
): MiddyfiedHandler<ScheduledEvent, WatchResult> {
  return lambdaHandler<ScheduledEvent, WatchResult>({ ...options, name: 'watch' }, async (_event, inv) => {
    const d = await deps();
    const remaining = inv.context.getRemainingTimeInMillis();
    const stopAt = Date.now() + remaining - d.config.watchStopBeforeSeconds * 1000;
    const result: WatchResult = { clusters: 0, changes: 0, driftEvents: 0, relists: 0, errors: 0 };
    const runs = d.clusters.names().map(async (cluster) => {
      const gateway = await d.clusters.gateway(cluster);
      if (!gateway) return;
      result.clusters++;
      try {
        await new ClusterWatch(cluster, gateway, d, inv.log, rvMemory, result).run(stopAt);
      } catch (err) {
        result.errors++;
        inv.log.error('cluster watch failed', { cluster, error: err });
      }
    });
    await Promise.all(runs);
    inv.log.info('watch done', { ...result });
    return result;
  });
}

export const handler = createWatchHandler(defaultDeps);
