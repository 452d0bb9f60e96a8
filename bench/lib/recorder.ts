/**
 * A KubeGateway wrapper that records every write it passes on (target, patch body), so the bench can replay the
 * same writes as raw HTTPS requests and restore the objects a pass changed.
 */
import type { KubeObject } from '../../shared/core/model/types.js';
import type { JsonPatchOp, ResourceName, Target } from '../../shared/core/engine/types.js';
import type { KubeGateway } from '../../shared/adapters/kube/gateway.js';

/** One recorded write. */
export type RecordedWrite =
  | { kind: 'patch'; target: Target; ops: JsonPatchOp[] }
  | { kind: 'merge'; target: Target; body: unknown }
  | { kind: 'create'; resource: ResourceName; namespace: string; body: KubeObject };

/** One recorded read. */
export interface RecordedRead {
  verb: 'get' | 'list';
  resource: ResourceName;
  namespace?: string;
  name?: string;
}

/** A recording gateway and what it recorded so far. */
export interface Recording {
  gateway: KubeGateway;
  reads: RecordedRead[];
  writes: RecordedWrite[];
  clear(): void;
}

/** Wraps `gw`; `reads` and `writes` fill as calls are made (in call order). */
export function recording(gw: KubeGateway): Recording {
  const writes: RecordedWrite[] = [];
  const reads: RecordedRead[] = [];
  const gateway: KubeGateway = {
    get(resource, namespace, name) {
      reads.push({ verb: 'get', resource, namespace, name });
      return gw.get(resource, namespace, name);
    },
    list(resource, namespace, o) {
      reads.push({ verb: 'list', resource, ...(namespace ? { namespace } : {}) });
      return gw.list(resource, namespace, o);
    },
    watch: (r, ns, rv, on) => gw.watch(r, ns, rv, on),
    create(resource, namespace, body, o) {
      writes.push({ kind: 'create', resource, namespace, body: structuredClone(body) });
      return gw.create(resource, namespace, body, o);
    },
    patch(target, ops, o) {
      writes.push({ kind: 'patch', target: { ...target }, ops: structuredClone(ops) });
      return gw.patch(target, ops, o);
    },
    mergePatch(target, body, o) {
      writes.push({ kind: 'merge', target: { ...target }, body: structuredClone(body) });
      return gw.mergePatch(target, body, o);
    },
  };
  return {
    gateway,
    reads,
    writes,
    clear() {
      reads.length = 0;
      writes.length = 0;
    },
  };
}
