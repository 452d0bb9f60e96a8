/**
 * The port through which all Kubernetes I/O goes. `shared/adapters/kube/client-gateway.ts` implements it on
 * `@kubernetes/client-node` (the only importer of that package). Wrappers (Istio routing, 401 handling, fault
 * injection, counting) are built with `decorateGateway` (`./decorate.ts`), never by forwarding each method by hand.
 */
import type { KubeObject } from '../../core/model/types.js';
import type { DeletePreconditions, JsonPatchOp, ResourceName, Target } from '../../core/model/resources.js';

/** Options for list calls. */
export interface ListOptions {
  labelSelector?: string;
  limit?: number;
}

/** Options for writes. */
export interface WriteOptions {
  /** Send with `dryRun=All`: validated by the server, nothing persisted. */
  dryRun?: boolean;
}

/** Options for deletes. */
export interface DeleteOptions extends WriteOptions {
  /** Delete only the object with this uid and resourceVersion (409 Conflict otherwise). */
  preconditions?: DeletePreconditions;
}

/** A watch event as the API server sends it. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject;
}

/** A running watch. */
export interface WatchHandle {
  stop(): void;
  /** Resolves when the stream ends (server closed, error, or stop()). Rejects with a KubeApiError on 410 Gone. */
  done: Promise<void>;
}

/** All Kubernetes calls sluice makes. Every method throws {@link KubeApiError} (`./errors.ts`) on failure. */
export interface KubeGateway {
  /** GET one object; undefined on 404. */
  get(resource: ResourceName, namespace: string, name: string): Promise<KubeObject | undefined>;
  /** LIST in one namespace, or all namespaces when namespace is undefined. */
  list(
    resource: ResourceName,
    namespace: string | undefined,
    options?: ListOptions,
  ): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  create(
    resource: ResourceName,
    namespace: string,
    body: KubeObject,
    options?: WriteOptions,
  ): Promise<KubeObject>;
  /** JSON Patch (application/json-patch+json) of the object or its status subresource. */
  patch(target: Target, ops: JsonPatchOp[], options?: WriteOptions): Promise<KubeObject>;
  /** Merge patch (application/merge-patch+json) of the object or its status subresource. */
  mergePatch(target: Target, body: unknown, options?: WriteOptions): Promise<KubeObject>;
  /** DELETE one object (the target's `subresource` is not used); a 404 is thrown as a KubeApiError like any other. */
  delete(target: Target, options?: DeleteOptions): Promise<void>;
  /**
   * Evict one pod (`POST pods/<name>/eviction`, a policy/v1 Eviction): the API server deletes it unless a
   * PodDisruptionBudget forbids it, which is answered with a 429 (thrown as a KubeApiError with code 429, never
   * retried). A 404 is thrown like any other error.
   */
  evict(namespace: string, name: string, options?: WriteOptions): Promise<void>;
  /** Watch from a resourceVersion, with bookmarks. */
  watch(
    resource: ResourceName,
    namespace: string | undefined,
    resourceVersion: string,
    onEvent: (event: WatchEvent) => void,
  ): WatchHandle;
}
