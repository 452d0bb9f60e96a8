/**
 * The physical limit of a pass: the reads and writes a sluice pass made, issued again as raw HTTPS requests
 * (node:https with the admin client certificate, keep-alive, JSON parsed) in the same shape: the Rollout GET,
 * then the other reads in parallel, then the writes in order. JSON Patch `test` ops on the resourceVersion get the
 * resourceVersion this replay read, so the writes land on restored objects exactly as sluice's did.
 */
import { kubeRequest } from '../../tools/test-cluster/kube-http.js';
import { RESOURCES, type JsonPatchOp, type ResourceName } from '../../shared/core/engine/types.js';
import type { BenchCluster } from './cluster.js';
import type { RecordedRead, RecordedWrite } from './recorder.js';

/** REST path of a collection or object (optionally its status subresource). */
export function restPath(resource: ResourceName, namespace?: string, name?: string, sub?: string): string {
  const t = RESOURCES[resource];
  const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  const coll = namespace ? `${base}/namespaces/${namespace}/${t.plural}` : `${base}/${t.plural}`;
  return `${coll}${name ? `/${name}` : ''}${sub ? `/${sub}` : ''}`;
}

type Obj = { metadata?: { name?: string; resourceVersion?: string } };

async function read(c: BenchCluster, r: RecordedRead, rvs: Map<string, string>): Promise<void> {
  const res = await kubeRequest(c.conn, 'GET', restPath(r.resource, r.namespace, r.name));
  if (res.status !== 200) return;
  if (r.verb === 'get') {
    const o = res.body as Obj;
    rvs.set(`${r.resource}/${r.name}`, o.metadata?.resourceVersion ?? '');
  } else {
    for (const o of (res.body as { items: Obj[] }).items) {
      rvs.set(`${r.resource}/${o.metadata?.name}`, o.metadata?.resourceVersion ?? '');
    }
  }
}

function withRv(ops: JsonPatchOp[], rv: string | undefined): JsonPatchOp[] {
  return ops.map((op) =>
    op.op === 'test' && op.path === '/metadata/resourceVersion' && rv !== undefined
      ? { ...op, value: rv }
      : op,
  );
}

/**
 * Replays `reads` then `writes`; returns the HTTP statuses of the writes (all 2xx when the replay is faithful).
 * `suffix` makes created objects' names unique (Events).
 */
export async function replay(
  c: BenchCluster,
  reads: RecordedRead[],
  writes: RecordedWrite[],
  suffix: string,
): Promise<number[]> {
  const rvs = new Map<string, string>();
  const [first, ...rest] = reads;
  if (first) await read(c, first, rvs);
  await Promise.all(rest.map((r) => read(c, r, rvs)));
  const statuses: number[] = [];
  for (const w of writes) {
    if (w.kind === 'create') {
      const body = structuredClone(w.body);
      body.metadata.name = `${body.metadata.name}-${suffix}`;
      const res = await kubeRequest(c.conn, 'POST', restPath(w.resource, w.namespace), body);
      statuses.push(res.status);
      continue;
    }
    const t = w.target;
    const p = restPath(t.resource, t.namespace, t.name, t.subresource);
    const res =
      w.kind === 'patch'
        ? await kubeRequest(
            c.conn,
            'PATCH',
            p,
            withRv(w.ops, rvs.get(`${t.resource}/${t.name}`)),
            'application/json-patch+json',
          )
        : await kubeRequest(c.conn, 'PATCH', p, w.body, 'application/merge-patch+json');
    statuses.push(res.status);
  }
  return statuses;
}
