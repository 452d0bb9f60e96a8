/**
 * Watches VirtualServices, DestinationRules and Services of one cluster and reports each change to an object a
 * sluice Rollout references (coalesced per object, reported about 50 ms after the first change). Used by the watch function (until just
 * before Lambda's limit) and by `sluice run` (until stopped).
 *
 * It resumes from the last resourceVersion it saw (kept in `memory`); with none, or after a 410 Gone, it lists
 * afresh and reports every referenced object once, so a change made while nothing was watching is not missed.
 */
import { LABELS, type KubeObject, type Rollout } from '../core/model/types.js';
import type { DriftDetail } from './contract.js';
import { DRIFT_RESOURCES, referencedObjects, refKey, type DriftKind } from './references.js';
import { sleep, StopClock, watchStream, type ClusterWatchOptions, type WatchMemory } from './watch-stream.js';
import { listInScope, scopeNamespaces } from './scope.js';

export type { WatchMemory };

const KINDS: DriftKind[] = ['VirtualService', 'DestinationRule', 'Service'];

/** Counters one run adds to. */
export interface WatchCounters {
  changes: number;
  driftEvents: number;
  /** `sluice.step` requests from the Rollout and ReplicaSet watch (`watch-rollouts.ts`). */
  stepEvents: number;
  relists: number;
  errors: number;
}

/** What {@link watchReferencedObjects} needs (its Rollouts' instance id decides which references count). */
export interface WatchOptions extends ClusterWatchOptions {
  /** Receives the changed referenced objects (one entry per object per flush). */
  onDrift: (drifted: DriftDetail[]) => Promise<void>;
  counters: WatchCounters;
  /**
   * How long changes are gathered after the first one before they are reported (default 50 ms): short, so a drift
   * is put right within moments, yet a burst of writes (a `kubectl apply` of several objects) is one report.
   */
  flushMs?: number;
  /** How long the list of referenced objects is reused before it is read again (default 60 s). */
  refsTtlMs?: number;
}

class ClusterWatch {
  private refs = new Set<string>();
  private refsAt = 0;
  private readonly changed = new Map<string, DriftDetail>();
  private readonly clock: StopClock;
  /** Wakes the flush loop when the first change of a batch arrives. */
  private wake: (() => void) | undefined;

  constructor(private readonly o: WatchOptions) {
    this.clock = new StopClock(o.stopAt, o.signal);
  }

  private stopped(): boolean {
    return this.clock.stopped();
  }

  private left(): number {
    return this.clock.left();
  }

  async run(): Promise<void> {
    await this.refreshRefs();
    const loops = KINDS.flatMap((kind) =>
      scopeNamespaces(this.o.namespaces).map((ns) => this.watchKind(kind, ns)),
    );
    await Promise.all([...loops, this.flushLoop()]);
    await this.flush();
  }

  private async refreshRefs(): Promise<void> {
    const selector = `${LABELS.instanceId}=${this.o.instanceId}`;
    const items = await listInScope(this.o.gateway, 'rollouts', this.o.namespaces, {
      labelSelector: selector,
    });
    this.refs = new Set((items as Rollout[]).flatMap(referencedObjects).map(refKey));
    this.refsAt = Date.now();
  }

  private note(kind: DriftKind, object: KubeObject): void {
    const { namespace = '', name, resourceVersion = '' } = object.metadata;
    const detail: DriftDetail = { cluster: this.o.cluster, namespace, kind, name, resourceVersion };
    this.changed.set(refKey(detail), detail);
    this.wake?.();
  }

  /**
   * Watches one kind in `ns` (undefined: every namespace); on a relist every referenced object counts as changed
   * (a change may have been missed). Memory key `cluster/kind`, or `cluster/kind/ns` when namespace-scoped.
   */
  private watchKind(kind: DriftKind, ns: string | undefined): Promise<void> {
    return watchStream({
      gateway: this.o.gateway,
      resource: DRIFT_RESOURCES[kind],
      ...(ns === undefined ? {} : { namespace: ns }),
      key: `${this.o.cluster}/${kind}${ns === undefined ? '' : `/${ns}`}`,
      memory: this.o.memory,
      relist: async () => {
        const list = await this.o.gateway.list(DRIFT_RESOURCES[kind], ns);
        for (const item of list.items) this.note(kind, item);
        return list.resourceVersion;
      },
      onChange: (event) => {
        this.o.counters.changes++;
        this.note(kind, event.object);
      },
      clock: this.clock,
      log: this.o.log,
      counters: this.o.counters,
      fields: { cluster: this.o.cluster, kind, ...(ns === undefined ? {} : { namespace: ns }) },
    });
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
