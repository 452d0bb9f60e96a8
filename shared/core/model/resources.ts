/**
 * Shared vocabulary of every layer: object keys, the resource types sluice reads and writes (REST group, version,
 * plural, kind), write targets, JSON Patch operations, writes and Event records. It lives in the model so the Istio
 * edits, the engine and the Kubernetes adapter all depend downward on it. Pure module: no I/O.
 */
import type { KubeObject } from './types.js';

/** Namespace + name of an object. */
export interface ObjectKey {
  namespace: string;
  name: string;
}

/** A resource type the engine reads or writes. */
export interface ResourceType {
  /** `''` for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** The resource types sluice touches, keyed by a short name. */
export const RESOURCES = {
  rollouts: { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts', kind: 'Rollout' },
  replicasets: { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet' },
  services: { group: '', version: 'v1', plural: 'services', kind: 'Service' },
  /** Read only for a Rollout's `spec.workloadRef`; only its `spec.replicas` is written (workloadRef scaleDown). */
  deployments: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' },
  events: { group: '', version: 'v1', plural: 'events', kind: 'Event' },
  secrets: { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' },
  /** Read only while a restart (`spec.restartAt`) is pending; written only through `KubeGateway.evict`. */
  pods: { group: '', version: 'v1', plural: 'pods', kind: 'Pod' },
  virtualservices: {
    group: 'networking.istio.io',
    version: 'v1',
    plural: 'virtualservices',
    kind: 'VirtualService',
  },
  destinationrules: {
    group: 'networking.istio.io',
    version: 'v1',
    plural: 'destinationrules',
    kind: 'DestinationRule',
  },
  analysisruns: { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysisruns', kind: 'AnalysisRun' },
  analysistemplates: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'analysistemplates',
    kind: 'AnalysisTemplate',
  },
  /** Cluster-scoped: read with namespace `''` (get) or undefined (list). */
  clusteranalysistemplates: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'clusteranalysistemplates',
    kind: 'ClusterAnalysisTemplate',
  },
} as const satisfies Record<string, ResourceType>;

/** Short name of a resource type in {@link RESOURCES}. */
export type ResourceName = keyof typeof RESOURCES;

/** One object a write targets. `subresource: 'status'` writes `.../status`. */
export interface Target extends ObjectKey {
  resource: ResourceName;
  subresource?: 'status';
}

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

/** What a delete requires of the object as it is when the API server deletes it (`DeleteOptions.preconditions`). */
export interface DeletePreconditions {
  uid: string;
  resourceVersion: string;
}

/**
 * One write. Patches are JSON Patches whose first op is
 * `{op:'test', path:'/metadata/resourceVersion', value:<as read>}`, and deletes carry the uid and resourceVersion
 * as read as preconditions, so a concurrent change gives 409/422 and the caller re-reads and re-plans (never
 * resends).
 *
 * `events` are the Events that describe this write (a Service switched, a subset updated, a ReplicaSet scaled):
 * they are recorded as soon as the write lands, whatever happens to the status commit after it, and not at all
 * when the write finds its object already in place.
 */
export type Write =
  | { op: 'create'; target: Target; body: KubeObject; reason: string; events?: EventRecord[] }
  | { op: 'patch'; target: Target; patch: JsonPatchOp[]; reason: string; events?: EventRecord[] }
  | {
      op: 'delete';
      target: Target;
      preconditions: DeletePreconditions;
      reason: string;
      events?: EventRecord[];
    };

/** A Kubernetes Event to record on the Rollout (reason and message as Argo Rollouts writes them). */
export interface EventRecord {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}
