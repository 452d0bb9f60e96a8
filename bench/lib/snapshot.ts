/**
 * Snapshot and restore of one namespace's Rollout-related objects, so the same pass can be timed many times: the
 * restore writes back (as admin, untimed) every object whose resourceVersion moved since the snapshot.
 */
import { kubeRequest } from '../../tools/test-cluster/kube-http.js';
import type { ResourceName } from '../../shared/core/engine/types.js';
import { admin, type BenchCluster } from './cluster.js';
import { restPath } from './raw.js';

interface Obj {
  metadata: { name: string; resourceVersion: string; labels?: unknown; annotations?: unknown };
  spec?: Record<string, unknown>;
  status?: unknown;
}

const KINDS: ResourceName[] = ['rollouts', 'replicasets', 'services', 'virtualservices', 'destinationrules'];

/** Objects by `resource/name`. */
export type Snapshot = Map<string, Obj>;

async function listAll(c: BenchCluster, ns: string): Promise<Snapshot> {
  const out: Snapshot = new Map();
  await Promise.all(
    KINDS.map(async (k) => {
      const body = (await admin(c, 'GET', restPath(k, ns))) as { items: Obj[] };
      for (const o of body.items) out.set(`${k}/${o.metadata.name}`, o);
    }),
  );
  return out;
}

/** Reads every Rollout, ReplicaSet, Service, VirtualService and DestinationRule in `ns`. */
export const snapshot = listAll;

async function jsonPatch(c: BenchCluster, p: string, ops: unknown[]): Promise<void> {
  await admin(c, 'PATCH', p, ops, 'application/json-patch+json');
}

async function restoreOne(
  c: BenchCluster,
  ns: string,
  kind: ResourceName,
  name: string,
  was: Obj,
): Promise<void> {
  const p = restPath(kind, ns, name);
  const meta = [
    { op: 'add', path: '/metadata/labels', value: was.metadata.labels ?? {} },
    { op: 'add', path: '/metadata/annotations', value: was.metadata.annotations ?? {} },
  ];
  const status = [{ op: 'add', path: '/status', value: was.status ?? {} }];
  if (kind === 'rollouts') return jsonPatch(c, `${p}/status`, status);
  if (kind === 'replicasets') {
    await jsonPatch(c, p, [...meta, { op: 'add', path: '/spec/replicas', value: was.spec?.replicas ?? 0 }]);
    return jsonPatch(c, `${p}/status`, status);
  }
  if (kind === 'services') {
    return jsonPatch(c, p, [...meta, { op: 'add', path: '/spec/selector', value: was.spec?.selector ?? {} }]);
  }
  return jsonPatch(c, p, [...meta, { op: 'add', path: '/spec', value: was.spec ?? {} }]);
}

/** Puts `ns` back as it was in `snap`; deletes ReplicaSets created since. */
export async function restore(c: BenchCluster, ns: string, snap: Snapshot): Promise<void> {
  const now = await listAll(c, ns);
  await Promise.all(
    [...now].map(async ([key, cur]) => {
      const [kind, name] = key.split('/') as [ResourceName, string];
      const was = snap.get(key);
      if (!was) {
        if (kind === 'replicasets') await kubeRequest(c.conn, 'DELETE', restPath(kind, ns, name));
        return;
      }
      if (was.metadata.resourceVersion !== cur.metadata.resourceVersion)
        await restoreOne(c, ns, kind, name, was);
    }),
  );
}
