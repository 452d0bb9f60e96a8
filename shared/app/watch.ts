/**
 * Watches VirtualServices, DestinationRules and Services of one cluster and reports each change to an object a
 * sluice Rollout references (coalesced per object, reported about 50 ms after the first change). Used by the watch function (until just
 * before Lambda's limit) and by `sluice run` (until stopped).
 *
 * It resumes from the last resourceVersion it saw (kept in `memory`); with none, or after a 410 Gone, it lists
 * afresh and reports every referenced object once, so a change made while nothing was watching is not missed.
 */
import type { KubeGateway, WatchEvent } from './kube-port/gateway.js';
import { KubeApiError } from './kube-port/errors.js';
import { LABELS, type KubeObject, type Rollout } from '../core/model/types.js';
import type { DriftDetail } from './contract.js';
import { DRIFT_RESOURCES, referencedObjects, refKey, type DriftKind } from './references.js';
import type { Logger } from './logger.js';

const KINDS: DriftKind[] = ['VirtualService', 'DestinationRule', 'Service'];

/** resourceVersions per `cluster/kind`, kept across runs. */
export type WatchMemory = Map<string, string>;

/** Counters one run adds to. */
export interface WatchCounters {
  changes: number;
  driftEvents: number;
  relists: number;
  errors: number;
}

/** What {@link watchReferencedObjects} needs. */
export interface WatchOptions {
  cluster: string;
  gateway: KubeGateway;
  /** Value of the controller-instance-id label on the Rollouts whose references count. */
  instanceId: string;
  memory: WatchMemory;
  /** Epoch ms at which to stop (default: never). */
  stopAt?: number;
  /** Stops the watch when aborted. */
  signal?: AbortSignal;
  /** Receives the changed referenced objects (one entry per object per flush). */
  onDrift: (drifted: DriftDetail[]) => Promise<void>;
  /** Expired watches at debug, drift reported at info, failing watches at warn. */
  log: Logger;
  counters: WatchCounters;
  /**
   * How long changes are gathered after the first one before they are reported (default 50 ms): short, so a drift
   * is put right within moments, yet a burst of writes (a `kubectl apply` of several objects) is one report.
   */
  flushMs?: number;
  /** How long the list of referenced objects is reused before it is read again (default 60 s). */
  refsTtlMs?: number;
}

/** Sleeps `ms`, or less when the signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}

class ClusterWatch {
  private refs = new Set<string>();
  private refsAt = 0;
  private readonly changed = new Map<string, DriftDetail>();
  private readonly stopAt: number;
  /** Wakes the flush loop when the first change of a batch arrives. */
  private wake: (() => void) | undefined;

  constructor(private readonly o: WatchOptions) {
    this.stopAt = o.stopAt ?? Number.POSITIVE_INFINITY;
  }

  private stopped(): boolean {
    return Date.now() >= this.stopAt || this.o.signal?.aborted === true;
  }

  private left(): number {
    return Math.min(this.stopAt - Date.now(), 2 ** 31 - 1);
  }

  async run(): Promise<void> {
    await this.refreshRefs();
    const loops = KINDS.map((kind) => this.watchKind(kind));
    await Promise.all([...loops, this.flushLoop()]);
    await this.flush();
  }

  private async refreshRefs(): Promise<void> {
    const selector = `${LABELS.instanceId}=${this.o.instanceId}`;
    const { items } = await this.o.gateway.list('rollouts', undefined, { labelSelector: selector });
    this.refs = new Set((items as Rollout[]).flatMap(referencedObjects).map(refKey));
    this.refsAt = Date.now();
  }

  private note(kind: DriftKind, object: KubeObject): void {
    const { namespace = '', name, resourceVersion = '' } = object.metadata;
    const detail: DriftDetail = { cluster: this.o.cluster, namespace, kind, name, resourceVersion };
    this.changed.set(refKey(detail), detail);
    this.wake?.();
  }

  /** Lists the kind afresh; every referenced object counts as changed (a change may have been missed). */
  private async relist(kind: DriftKind): Promise<string> {
    this.o.counters.relists++;
    const list = await this.o.gateway.list(DRIFT_RESOURCES[kind], undefined);
    for (const item of list.items) this.note(kind, item);
    this.o.memory.set(`${this.o.cluster}/${kind}`, list.resourceVersion);
    return list.resourceVersion;
  }

  private async watchKind(kind: DriftKind): Promise<void> {
    const key = `${this.o.cluster}/${kind}`;
    while (!this.stopped()) {
      try {
        const from = this.o.memory.get(key) ?? (await this.relist(kind));
        if (this.stopped()) return;
        const handle = this.o.gateway.watch(DRIFT_RESOURCES[kind], undefined, from, (event: WatchEvent) => {
          const rv = event.object?.metadata?.resourceVersion;
          if (rv && event.type !== 'ERROR') this.o.memory.set(key, rv);
          if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') {
            this.o.counters.changes++;
            this.note(kind, event.object);
          }
        });
        const stopped = sleep(this.left(), this.o.signal).then(() => 'stop' as const);
        const ended = await Promise.race([handle.done.then(() => 'ended' as const), stopped]);
        if (ended === 'stop') handle.stop();
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 410) {
          this.o.log.debug('watch expired, relisting', { cluster: this.o.cluster, kind });
          this.o.memory.delete(key);
          continue;
        }
        this.o.counters.errors++;
        this.o.log.warn('watch failed, retrying', { cluster: this.o.cluster, kind, error: err });
        await sleep(Math.min(2000, this.left()), this.o.signal);
      }
    }
  }

  /** Reports changes `flushMs` after the first of a batch arrives (event-driven, not a fixed period). */
  private async flushLoop(): Promise<void> {
    while (!this.stopped()) {
      if (this.changed.size === 0) {
        const woken = new Promise<void>((resolve) => (this.wake = resolve));
        await Promise.race([woken, sleep(Math.min(1000, this.left()), this.o.signal)]);
        this.wake = undefined;
        continue;
      }
      await sleep(Math.min(this.o.flushMs ?? 50, this.left()), this.o.signal);
      await this.flush();
    }
  }

  private async flush(): Promise<void> {
    if (this.changed.size === 0) return;
    try {
      if (Date.now() - this.refsAt > (this.o.refsTtlMs ?? 60_000)) await this.refreshRefs();
    } catch (err) {
      this.o.log.warn('could not refresh rollout references, using the previous ones', { error: err });
    }
    const drifted = [...this.changed.values()].filter((d) => this.refs.has(refKey(d)));
    this.changed.clear();
    if (drifted.length === 0) return;
    await this.o.onDrift(drifted);
    this.o.counters.driftEvents += drifted.length;
    for (const d of drifted) this.o.log.info('drift reported', { ...d });
  }
}

/**
 * Watches one cluster until `stopAt` or `signal`, calling `onDrift` with the changed objects that sluice
 * Rollouts reference. A watch that fails is retried after 2 s; a 410 Gone relists. Rejects only when the first
 * list of Rollouts fails, or when `onDrift` rejects.
 *
 * @example
 * await watchReferencedObjects({ cluster: 'prod', gateway, instanceId: 'sluice', memory: new Map(),
 *   signal: controller.signal, onDrift: async (d) => queue.push(...d), log, counters });
 */
export async function watchReferencedObjects(options: WatchOptions): Promise<void> {
  await new ClusterWatch(options).run();
}
