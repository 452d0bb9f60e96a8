/**
 * The stand-in ReplicaSet controller + kubelet with pods, for the tests that opt in (restarts): each ReplicaSet gets
 * `spec.replicas` pods created from its template (controller ownerReference to it, its template's labels), made
 * Ready through `/status`, extras deleted (newest first), a pod that is gone (evicted, deleted) replaced; the
 * ReplicaSet's status then counts its pods. The pods have no `nodeName`, so the API server deletes an evicted or
 * deleted pod at once (no kubelet has to confirm it). The other tests keep the faster pod-less stand-in.
 */
import type { AdminRequest } from './journey-backends.js';

interface Meta {
  name: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  ownerReferences?: { uid: string }[];
}
interface Rs {
  metadata: Meta;
  spec: { replicas?: number; template?: { metadata?: { labels?: Record<string, string> }; spec?: unknown } };
  status?: Record<string, number | undefined>;
}
interface Pod {
  metadata: Meta;
  status?: { conditions?: { type: string; status: string }[] };
}

const ready = (p: Pod): boolean =>
  (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

async function must(
  what: string,
  res: Promise<{ status: number; body: unknown }>,
  ok: number[],
): Promise<unknown> {
  const r = await res;
  if (!ok.includes(r.status))
    throw new Error(`pod kubelet: ${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Marks a pod Running and Ready now (its `/status`). */
async function markReady(request: AdminRequest, ns: string, name: string): Promise<void> {
  const status = {
    phase: 'Running',
    conditions: [
      { type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
    ],
  };
  await must(
    `mark pod ${ns}/${name} ready`,
    request('PATCH', `/api/v1/namespaces/${ns}/pods/${name}/status`, { status }),
    [200, 404],
  );
}

async function createPod(request: AdminRequest, ns: string, rs: Rs): Promise<void> {
  const body = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name}-`,
      labels: rs.spec.template?.metadata?.labels ?? {},
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: rs.spec.template?.spec ?? {},
  };
  const created = (await must(
    `create pod of ${ns}/${rs.metadata.name}`,
    request('POST', `/api/v1/namespaces/${ns}/pods`, body),
    [201],
  )) as Pod;
  await markReady(request, ns, created.metadata.name);
}

/** Brings one ReplicaSet's pods to its spec.replicas, then its status to its pods; returns how many writes. */
async function syncReplicaSet(request: AdminRequest, ns: string, rs: Rs, pods: Pod[]): Promise<number> {
  const owned = pods.filter((p) => p.metadata.ownerReferences?.some((o) => o.uid === rs.metadata.uid));
  const live = owned.filter((p) => p.metadata.deletionTimestamp === undefined);
  const want = rs.spec.replicas ?? 1;
  let writes = 0;
  for (let i = live.length; i < want; i++, writes++) await createPod(request, ns, rs);
  const extras = [...live]
    .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))
    .slice(0, Math.max(0, live.length - want));
  for (const p of extras) {
    await must(
      `delete pod ${ns}/${p.metadata.name}`,
      request('DELETE', `/api/v1/namespaces/${ns}/pods/${p.metadata.name}`),
      [200, 404],
    );
    writes++;
  }
  for (const p of live.filter((x) => !ready(x) && !extras.includes(x))) {
    await markReady(request, ns, p.metadata.name);
    writes++;
  }
  return writes;
}

function statusOf(rs: Rs, pods: Pod[]): Record<string, number> {
  const owned = pods.filter((p) => p.metadata.ownerReferences?.some((o) => o.uid === rs.metadata.uid));
  const readyCount = owned.filter(ready).length;
  return {
    replicas: owned.length,
    fullyLabeledReplicas: owned.length,
    readyReplicas: readyCount,
    availableReplicas: readyCount,
    observedGeneration: rs.metadata.generation ?? 1,
  };
}

/**
 * One pass over the namespace: pods first (created, made Ready, extras deleted), then each ReplicaSet's status from
 * the pods as they are after that. Returns how many writes it made.
 */
export async function syncPods(request: AdminRequest, ns: string): Promise<number> {
  const rsList = (await must(
    `list ReplicaSets in ${ns}`,
    request('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`),
    [200],
  )) as { items: Rs[] };
  const listPods = async (): Promise<Pod[]> =>
    (
      (await must(`list pods in ${ns}`, request('GET', `/api/v1/namespaces/${ns}/pods`), [200])) as {
        items: Pod[];
      }
    ).items;
  let writes = 0;
  const before = await listPods();
  for (const rs of rsList.items) writes += await syncReplicaSet(request, ns, rs, before);
  const pods = writes > 0 ? await listPods() : before;
  for (const rs of rsList.items) {
    const want = statusOf(rs, pods);
    if (Object.entries(want).every(([k, v]) => (rs.status?.[k] ?? 0) === v)) continue;
    await must(
      `status of ReplicaSet ${ns}/${rs.metadata.name}`,
      request('PATCH', `/apis/apps/v1/namespaces/${ns}/replicasets/${rs.metadata.name}/status`, {
        status: want,
      }),
      [200, 404],
    );
    writes++;
  }
  return writes;
}

/** A running pod kubelet: `sync()` makes one pass now; unless `manual`, a pass runs every 50 ms. */
export function startPodKubelet(
  request: AdminRequest,
  ns: string,
  manual: boolean,
): { sync(): Promise<number>; stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const sync = (): Promise<number> => {
    const next = running.then(() => syncPods(request, ns));
    running = next.catch(() => undefined);
    return next;
  };
  if (manual) return { sync, stop: async () => void (await running) };
  const timer = setInterval(() => void sync().catch(() => undefined), 50);
  return {
    sync,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
