/**
 * One resource watched with the discipline every watch of sluice keeps: resume from the last resourceVersion seen
 * (kept in the caller's memory), list afresh when there is none or after a 410 Gone, retry a failing watch after
 * 2 s, and stop at a time or on a signal. Used by the drift watch (`watch.ts`) and the Rollout/ReplicaSet watch
 * (`watch-rollouts.ts`).
 */
import type { KubeGateway, WatchEvent } from './kube-port/gateway.js';
import { KubeApiError } from './kube-port/errors.js';
import type { ResourceName } from '../core/engine/types.js';
import type { Logger } from './logger.js';
import type { NamespaceScope } from './scope.js';

/** resourceVersions per `cluster/kind`, kept across runs (and small per-object facts a watch keeps, by key). */
export type WatchMemory = Map<string, string>;

/** What every watch of one cluster needs: where, whose Rollouts, the memory kept across runs, and when to stop. */
export interface ClusterWatchOptions {
  cluster: string;
  gateway: KubeGateway;
  /** Value of the controller-instance-id label on the Rollouts this instance drives. */
  instanceId: string;
  /** Only these namespaces (a namespace-scoped install: one list and watch per kind and namespace); default all. */
  namespaces?: NamespaceScope;
  /** resourceVersions (and what else a watch keeps) across runs, keyed by cluster and kind (`/<ns>` when scoped). */
  memory: WatchMemory;
  /** Epoch ms at which to stop (default: never). */
  stopAt?: number;
  /** Stops the watch when aborted. */
  signal?: AbortSignal;
  log: Logger;
}

/** Sleeps `ms`, or less when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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

/** When a watch stops: at an epoch ms and/or on a signal. */
export class StopClock {
  private readonly stopAt: number;
  constructor(
    stopAt: number | undefined,
    readonly signal: AbortSignal | undefined,
  ) {
    this.stopAt = stopAt ?? Number.POSITIVE_INFINITY;
  }

  /** True once the time is up or the signal aborted. */
  stopped(): boolean {
    return Date.now() >= this.stopAt || this.signal?.aborted === true;
  }

  /** Milliseconds left (capped to what setTimeout accepts). */
  left(): number {
    return Math.min(this.stopAt - Date.now(), 2 ** 31 - 1);
  }
}

/** What {@link watchStream} needs. */
export interface StreamOptions {
  gateway: KubeGateway;
  resource: ResourceName;
  /** Only this namespace (a namespace-scoped install); default every namespace. */
  namespace?: string;
  /** Key of the resourceVersion in `memory` (`cluster/Kind`). */
  key: string;
  memory: WatchMemory;
  /** Lists afresh (handling every item) and returns the list's resourceVersion. */
  relist: () => Promise<string>;
  /** Each ADDED, MODIFIED or DELETED event. */
  onChange: (event: WatchEvent) => void;
  clock: StopClock;
  /** Expired watches at debug, failing watches at warn. */
  log: Logger;
  counters: { relists: number; errors: number };
  /** Fields of the log lines (cluster, kind). */
  fields: Record<string, string>;
}

/** Lists, records the resourceVersion, counts the relist. */
async function relisted(o: StreamOptions): Promise<string> {
  o.counters.relists++;
  const rv = await o.relist();
  o.memory.set(o.key, rv);
  return rv;
}

/**
 * Watches `resource` until the clock stops it. Never rejects: a 410 Gone relists, any other failure is logged,
 * counted and retried after 2 s.
 */
export async function watchStream(o: StreamOptions): Promise<void> {
  while (!o.clock.stopped()) {
    try {
      const from = o.memory.get(o.key) ?? (await relisted(o));
      if (o.clock.stopped()) return;
      const handle = o.gateway.watch(o.resource, o.namespace, from, (event: WatchEvent) => {
        const rv = event.object?.metadata?.resourceVersion;
        if (rv && event.type !== 'ERROR') o.memory.set(o.key, rv);
        if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED')
          o.onChange(event);
      });
      const stopped = sleep(o.clock.left(), o.clock.signal).then(() => 'stop' as const);
      const ended = await Promise.race([handle.done.then(() => 'ended' as const), stopped]);
      if (ended === 'stop') {
        // The budget is spent. Return instead of asking the clock again: a timer may fire a millisecond before
        // Date.now() reaches the stop time, and the loop would open one more watch for nothing.
        handle.stop();
        return;
      }
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 410) {
        o.log.debug('watch expired, relisting', o.fields);
        o.memory.delete(o.key);
        continue;
      }
      o.counters.errors++;
      o.log.warn('watch failed, retrying', { ...o.fields, error: err });
      await sleep(Math.min(2000, o.clock.left()), o.clock.signal);
    }
  }
}
