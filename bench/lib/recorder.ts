/**
 * A KubeGateway wrapper that records every write it passes on (target, patch body), so the bench can replay the
 * same writes as raw HTTPS requests and restore the objects a pass changed.
 */
import type { KubeObject } from '../../shared/core/model/types.js';
import type { JsonPatchOp, ResourceName, Target } from '../../shared/core/engine/types.js';
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';
import { decorateGateway, type GatewayRequest } from '../../shared/app/kube-port/decorate.js';

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
  const note = (request: GatewayRequest): void => {
    const { resource, namespace } = request;
    switch (request.method) {
      case 'get':
        reads.push({ verb: 'get', resource, namespace, name: request.name });
        return;
      case 'list':
        reads.push({ verb: 'list', resource, ...(namespace ? { namespace } : {}) });
        return;
      case 'create':
        writes.push({
          kind: 'create',
          resource,
          namespace: namespace ?? '',
          body: structuredClone(request.body),
        });
        return;
      case 'patch':
        writes.push({ kind: 'patch', target: { ...request.target }, ops: structuredClone(request.body) });
        return;
      case 'mergePatch':
        writes.push({ kind: 'merge', target: { ...request.target }, body: structuredClone(request.body) });
    }
  };
  const gateway = decorateGateway(gw, {
    around: (request, send) => {
      note(request);
      return send(gw);
    },
  });
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
