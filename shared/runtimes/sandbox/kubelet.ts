/**
 * A simulated kubelet + ReplicaSet controller for the sandbox: a ReplicaSet's status follows its spec.replicas
 * after a short delay (pods "start"), written through the status subresource like the real controller does.
 */
import { SERVED, type ServedResource } from './resources.js';
import type { ObjectStore, StoredObject } from './store.js';

/** Options for {@link startKubelet}. */
export interface KubeletOptions {
  /** How long pods take to become ready after spec.replicas changes (default 1000 ms). */
  readyDelayMs?: number;
  /** How often ReplicaSets are checked (default 100 ms). */
  pollMs?: number;
  /** Clock (ms), injectable for tests. */
  now?: () => number;
}

/** A running simulated kubelet. */
export interface Kubelet {
  /** One reconcile pass over every ReplicaSet (what the timer calls). Returns how many statuses were written. */
  reconcile(): number;
  stop(): void;
}

const REPLICASETS = SERVED.find((r) => r.plural === 'replicasets') as ServedResource;

function desiredStatus(rs: StoredObject): Record<string, unknown> {
  const spec = (rs.spec ?? {}) as { replicas?: number };
  const replicas = spec.replicas ?? 1;
  const status: Record<string, unknown> = { replicas };
  if (replicas > 0) {
    status.fullyLabeledReplicas = replicas;
    status.readyReplicas = replicas;
    status.availableReplicas = replicas;
  }
  status.observedGeneration = rs.metadata.generation;
  return status;
}

function upToDate(rs: StoredObject): boolean {
  return JSON.stringify(rs.status ?? {}) === JSON.stringify(desiredStatus(rs));
}

/**
 * Starts the simulated kubelet on a store.
 * @example const kubelet = startKubelet(api.store, { readyDelayMs: 500 }); // ... kubelet.stop();
 */
export function startKubelet(store: ObjectStore, opts: KubeletOptions = {}): Kubelet {
  const delay = opts.readyDelayMs ?? 1000;
  const now = opts.now ?? Date.now;
  /** When each out-of-date ReplicaSet (uid/generation) was first seen. */
  const pendingSince = new Map<string, number>();
  const reconcile = (): number => {
    let written = 0;
    const seen = new Set<string>();
    for (const rs of store.list(REPLICASETS, undefined)) {
      if (upToDate(rs)) continue;
      const key = `${String(rs.metadata.uid)}/${String(rs.metadata.generation)}`;
      seen.add(key);
      const since = pendingSince.get(key) ?? now();
      pendingSince.set(key, since);
      if (now() - since < delay) continue;
      store.update(
        REPLICASETS,
        rs.metadata.namespace ?? '',
        { ...rs, status: desiredStatus(rs) },
        {
          subresource: 'status',
          preconditionChecked: true,
        },
      );
      written += 1;
    }
    for (const key of pendingSince.keys()) if (!seen.has(key)) pendingSince.delete(key);
    return written;
  };
  const timer = setInterval(reconcile, opts.pollMs ?? 100);
  timer.unref();
  return { reconcile, stop: () => clearInterval(timer) };
}
