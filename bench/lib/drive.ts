/**
 * Driving a Rollout without a controller-manager: an instant stand-in kubelet (every ReplicaSet's status set to its
 * spec.replicas as soon as it is looked at) and a loop of engine passes.
 */
import type { Rollout } from '../../shared/core/model/types.js';
import { admin, type BenchCluster } from './cluster.js';
import { collection, referenced, rollout, type Mode } from './fixtures.js';
import type { CanaryStep } from '../../shared/core/model/types.js';

interface Rs {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number };
  status?: Record<string, number | undefined>;
}

const rsPath = (ns: string): string => `/apis/apps/v1/namespaces/${ns}/replicasets`;

/** Sets every ReplicaSet's status in `ns` to all-ready for its spec.replicas; returns how many it changed. */
export async function markAllReady(c: BenchCluster, ns: string): Promise<number> {
  const list = (await admin(c, 'GET', rsPath(ns))) as { items: Rs[] };
  let changed = 0;
  await Promise.all(
    list.items.map(async (rs) => {
      const n = rs.spec.replicas ?? 1;
      const want = {
        replicas: n,
        fullyLabeledReplicas: n,
        readyReplicas: n,
        availableReplicas: n,
        observedGeneration: rs.metadata.generation ?? 1,
      };
      if (Object.entries(want).every(([k, v]) => (rs.status?.[k] ?? 0) === v)) return;
      changed++;
      await admin(c, 'PATCH', `${rsPath(ns)}/${rs.metadata.name}/status`, { status: want });
    }),
  );
  return changed;
}

/** Creates the referenced objects and the Rollout in `ns`. */
export async function seed(
  c: BenchCluster,
  ns: string,
  mode: Mode,
  name: string,
  steps: CanaryStep[],
): Promise<void> {
  for (const o of [...referenced(mode, name), rollout(mode, name, steps)]) {
    const kind = (o as { kind: string }).kind;
    await admin(c, 'POST', collection(kind, ns), o);
  }
}

/** Reads the Rollout. */
export async function readRollout(c: BenchCluster, ns: string, name: string): Promise<Rollout> {
  return (await admin(c, 'GET', `${collection('Rollout', ns)}/${name}`)) as Rollout;
}

/** Sets the Rollout's image (a new revision). */
export async function setImage(c: BenchCluster, ns: string, name: string, image: string): Promise<void> {
  await admin(
    c,
    'PATCH',
    `${collection('Rollout', ns)}/${name}`,
    [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }],
    'application/json-patch+json',
  );
}
