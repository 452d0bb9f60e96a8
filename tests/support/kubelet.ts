/**
 * Stand-in for the ReplicaSet controller + kubelets (the test cluster runs no controller-manager):
 * writes ReplicaSet status through the /status subresource as admin.
 */
import { adminRequest } from './cluster.js';

const rsPath = (ns: string, name?: string): string =>
  `/apis/apps/v1/namespaces/${ns}/replicasets${name ? `/${name}` : ''}`;

/** Options of `markReplicaSetReady`. */
export interface ReadyOptions {
  /** Pods that are ready and available (default: all of spec.replicas; capped at spec.replicas). */
  ready?: number;
}

interface Rs {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number };
  status?: Record<string, number | undefined>;
}

function wantedStatus(rs: Rs, opts: ReadyOptions = {}): Record<string, number> {
  const replicas = rs.spec.replicas ?? 1;
  const ready = Math.min(opts.ready ?? replicas, replicas);
  return {
    replicas,
    fullyLabeledReplicas: replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: rs.metadata.generation ?? 1,
  };
}

function inStep(rs: Rs): boolean {
  const want = wantedStatus(rs);
  return Object.entries(want).every(([k, v]) => (rs.status?.[k] ?? 0) === v);
}

/**
 * Sets status.replicas/fullyLabeledReplicas/readyReplicas/availableReplicas to spec.replicas (or `opts.ready`
 * ready pods) and observedGeneration to metadata.generation. Returns the updated ReplicaSet.
 */
export async function markReplicaSetReady(ns: string, name: string, opts: ReadyOptions = {}): Promise<Rs> {
  const got = await adminRequest('GET', rsPath(ns, name));
  if (got.status !== 200) throw new Error(`mark ReplicaSet ${ns}/${name} ready: GET gave HTTP ${got.status}`);
  const res = await adminRequest('PATCH', `${rsPath(ns, name)}/status`, {
    status: wantedStatus(got.body, opts),
  });
  if (res.status !== 200) {
    throw new Error(
      `mark ReplicaSet ${ns}/${name} ready: status patch gave HTTP ${res.status} ${res.body?.message ?? ''}`,
    );
  }
  return res.body as Rs;
}

/** A running stand-in kubelet. */
export interface Kubelet {
  stop(): Promise<void>;
}

/**
 * Keeps the status of every ReplicaSet in `ns` in step with spec.replicas, `delayMs` (default 0) after it
 * sees a change. Polls every 100 ms. Call `stop()` when done (e.g. in afterEach).
 */
export function startKubelet(ns: string, opts: { delayMs?: number } = {}): Kubelet {
  const delayMs = opts.delayMs ?? 0;
  const pending = new Map<string, NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;

  const schedule = (rs: Rs): void => {
    const key = `${rs.metadata.name}@${rs.metadata.generation}/${rs.spec.replicas}`;
    if (pending.has(key)) return;
    const t = setTimeout(() => {
      if (stopped) return;
      const p = markReplicaSetReady(ns, rs.metadata.name)
        .catch(() => undefined) // deleted meanwhile: nothing to do
        .finally(() => {
          inFlight.delete(p);
          pending.delete(key);
        });
      inFlight.add(p);
    }, delayMs);
    pending.set(key, t);
  };

  const tick = async (): Promise<void> => {
    const list = await adminRequest('GET', rsPath(ns));
    if (list.status !== 200 || stopped) return;
    for (const rs of list.body.items as Rs[]) if (!inStep(rs)) schedule(rs);
  };

  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(tick).catch(() => undefined);
  }, 100);

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const t of pending.values()) clearTimeout(t);
      await running;
      await Promise.all([...inFlight]);
    },
  };
}
