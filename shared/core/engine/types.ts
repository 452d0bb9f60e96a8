/**
 * The engine's contract: what it observes, and the plan it returns.
 *
 * `plan(observed)` is pure: the same observation always yields the same plan. The I/O layer
 * (`shared/app`) reads an {@link Observed}, applies {@link Plan.effects} in order, then commits
 * {@link Plan.status} with one conditional write (resourceVersion precondition). Effects are derived from the
 * committed status only, so a re-run after a crash converges and duplicates make no extra transition.
 */
import type { KubeObject, ReplicaSet, Rollout, RolloutStatus, Service } from '../model/types.js';
import type { EventRecord, ObjectKey, Write } from '../model/resources.js';
import type { ObservedAnalysis } from './analysis.js';
import type { RestartPod } from './restart.js';

export type {
  DeletePreconditions,
  EventRecord,
  JsonPatchOp,
  ObjectKey,
  ResourceName,
  ResourceType,
  Target,
  Write,
} from '../model/resources.js';
export { RESOURCES } from '../model/resources.js';

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
  /**
   * The time asked for by the timer that started this pass (a delivered requeue); undefined when something else
   * started it (a schedule tick, a watch event, an operator action, a follow-up).
   */
  wokenAt?: Date;
  /** The Rollout's AnalysisRuns and the templates it can name; read only when the Rollout uses analysis. */
  analysis?: ObservedAnalysis;
  /**
   * The pods the Rollout's selector lists in its namespace, in list order; read only while a restart is due
   * (`needsRestart` in `./restart.ts`).
   */
  pods?: RestartPod[];
  /**
   * The Deployment `spec.workloadRef` names, read only when the Rollout has one (`object` undefined when not
   * found); `generation` is set once the engine resolved the Rollout's template from it (`./workload.ts`).
   */
  workload?: { object?: KubeObject; generation?: number };
}

/** What the traffic planner (`planTraffic`) and the DestinationRule switch needs: the observation, with the Rollout's status as this pass sees it. */
export interface TrafficInput {
  observed: Observed;
  /** The Rollout with the effective status of this pass (promoteFull/abort adjustments applied). */
  rollout: Rollout;
  newHash: string;
  stableHash: string;
  /** Whether the canary and stable ReplicaSets are at their desired counts (`AtDesiredReplicaCountsForCanary`). */
  atDesiredCounts: boolean;
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
  /**
   * Events of the status transition (step completed, paused, promoted, aborted, ...) and of no write, recorded on
   * the Rollout after the commit succeeded (or when there is no commit). The Events that describe an effect ride
   * that effect (`Write.events`) and are recorded as soon as it lands: a commit that then loses its race does not
   * lose them, and the re-planned pass, which finds the object in place, plans them no second time.
   */
  events: EventRecord[];
  /** One readable sentence: why this plan (also for "nothing to do"). */
  reason: string;
  /** When the engine wants to run again (pause expiry, scale-down deadline); undefined = only on change. */
  requeueAfterSeconds?: number;
  /**
   * The same wake-up as an exact ISO time (millisecond precision): the end of a timed pause as Argo Rollouts
   * requeues it (from the start the pass that begins the pause saw; one second past the recorded, second-precision
   * end for any later pass), or `now` plus a relative wait. Undefined when `requeueAfterSeconds` is.
   */
  wakeAt?: string;
  /**
   * True when `wakeAt` is timed from this pass's clock reading (a pause it starts, a wait for pods): the caller
   * times it from when the pass's writes landed instead. Absent when it is an absolute time (a recorded pause end,
   * a deadline, `spec.restartAt`, a run's expiry), which stays as it is.
   */
  wakeFromCommit?: true;
}
