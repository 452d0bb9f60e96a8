/**
 * The engine's contract: what it observes, and the plan it returns.
 *
 * `plan(observed)` is pure: the same observation always yields the same plan. The I/O layer
 * (`shared/app`) reads an {@link Observed}, applies {@link Plan.effects} in order, then commits
 * {@link Plan.status} with one conditional write (resourceVersion precondition). Effects are derived from the
 * committed status only, so a re-run after a crash converges and duplicates make no extra transition.
 */
import type { KubeObject, ReplicaSet, Rollout, RolloutStatus, Service } from '../model/types.js';

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
  events: { group: '', version: 'v1', plural: 'events', kind: 'Event' },
  secrets: { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' },
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

/**
 * One write. Patches are JSON Patches whose first op is
 * `{op:'test', path:'/metadata/resourceVersion', value:<as read>}`, so a concurrent change gives 409/422
 * and the caller re-reads and re-plans (never resends).
 */
export type Write =
  | { op: 'create'; target: Target; body: KubeObject; reason: string }
  | { op: 'patch'; target: Target; patch: JsonPatchOp[]; reason: string };

/** A Kubernetes Event to record on the Rollout (reason and message as Argo Rollouts writes them). */
export interface EventRecord {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** A VirtualService the Rollout references, as located (`name.namespace` parsed), and what was found. */
export interface ObservedVirtualService {
  key: ObjectKey;
  /** Index into the Rollout's `virtualService`/`virtualServices` list. */
  index: number;
  /** Undefined when not found. */
  object?: KubeObject;
}

/** Everything the engine looks at for one Rollout, read in one pass. */
export interface Observed {
  rollout: Rollout;
  /** ReplicaSets in the Rollout's namespace owned by it (ownerReference uid). */
  replicaSets: ReplicaSet[];
  /** Services the Rollout references, by name; undefined when not found. */
  services: Record<string, Service | undefined>;
  virtualServices: ObservedVirtualService[];
  /** The DestinationRule when one is referenced; undefined when not found or not referenced. */
  destinationRule?: KubeObject;
  /** Current time (injected: the engine never reads a clock). */
  now: Date;
}

/** Kinds of transition that are committed (one conditional status write each). */
export type TransitionKind =
  | 'initialized'
  | 'new-revision'
  | 'step-completed'
  | 'paused'
  | 'promoted'
  | 'aborted'
  | 'fast-rollback'
  | 'invalid-spec'
  | 'status-only';

/** The engine's decision for one pass. */
export interface Plan {
  /** Writes to ReplicaSets, Services, DestinationRule, VirtualServices, in the order to apply them. */
  effects: Write[];
  /**
   * The complete new `status` to commit, or undefined when it equals the observed status (no write).
   * Committed after every effect succeeded, with the resourceVersion precondition.
   */
  status?: RolloutStatus;
  /** What the status commit means; undefined when there is none. */
  transition?: TransitionKind;
  /** Events to record on the Rollout after the commit succeeded. */
  events: EventRecord[];
  /** One readable sentence: why this plan (also for "nothing to do"). */
  reason: string;
  /** When the engine wants to run again (pause expiry, scale-down deadline); undefined = only on change. */
  requeueAfterSeconds?: number;
}
