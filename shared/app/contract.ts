/**
 * The events sluice puts on its EventBridge bus (`source: sluice`): `sluice.step` (run one engine pass),
 * `sluice.drift` (an object a Rollout references changed) and one per committed transition (for notifications).
 * Every detail names the cluster, namespace and rollout (or object).
 */
import type { StepResult } from './step.js';

/** The `source` of every sluice event. */
export const EVENT_SOURCE = 'sluice';
/** Detail-type of the event that runs one step. */
export const STEP_DETAIL_TYPE = 'sluice.step';
/** Detail-type of a drift notification. */
export const DRIFT_DETAIL_TYPE = 'sluice.drift';

/** One event to put on the bus. */
export interface BusEvent {
  detailType: string;
  detail: Record<string, unknown>;
  /** Why it was sent (`due: ...`, `follow-up`, `operator action`), for readable lines; never put on EventBridge. */
  reason?: string;
}

/** Where events go: EventBridge in Lambda, an array in tests. Resolves only when every event was accepted. */
export interface EventSink {
  send(events: BusEvent[]): Promise<void>;
}

/** Detail of `sluice.step`. */
export interface StepDetail {
  cluster: string;
  namespace: string;
  rollout: string;
  /** The step index the sender saw; a stale event then makes no transition. */
  expectedStep?: number;
}

/** Detail of `sluice.drift`. */
export interface DriftDetail {
  cluster: string;
  namespace: string;
  kind: 'VirtualService' | 'DestinationRule' | 'Service';
  name: string;
  resourceVersion: string;
}

/** A `sluice.step` event. */
export function stepEvent(detail: StepDetail): BusEvent {
  const { expectedStep, ...rest } = detail;
  return {
    detailType: STEP_DETAIL_TYPE,
    detail: expectedStep === undefined ? { ...rest } : { ...rest, expectedStep },
  };
}

/** A `sluice.drift` event. */
export function driftEvent(detail: DriftDetail): BusEvent {
  return { detailType: DRIFT_DETAIL_TYPE, detail: { ...detail } };
}

/**
 * The notification event for a step's committed transition (`sluice.step-completed`, `sluice.paused`,
 * `sluice.promoted`, `sluice.aborted`, ...), or undefined when nothing was committed or only status fields moved.
 */
export function transitionEvent(
  cluster: string,
  namespace: string,
  result: StepResult,
): BusEvent | undefined {
  if (!result.transition || result.transition === 'status-only') return undefined;
  const detail: Record<string, unknown> = {
    cluster,
    namespace,
    rollout: result.rollout,
    transition: result.transition,
    reason: result.reason,
  };
  if (result.stepBefore !== undefined) detail.stepBefore = result.stepBefore;
  if (result.stepAfter !== undefined) detail.stepAfter = result.stepAfter;
  if (result.phase !== undefined) detail.phase = result.phase;
  if (result.weights !== undefined) detail.weights = result.weights;
  return { detailType: `sluice.${result.transition}`, detail };
}

/** Reads and checks a `sluice.step` detail; throws naming the bad field. */
export function parseStepDetail(detail: unknown): StepDetail {
  const d = (detail ?? {}) as Record<string, unknown>;
  for (const key of ['cluster', 'namespace', 'rollout'] as const) {
    if (typeof d[key] !== 'string' || d[key] === '')
      throw new Error(`sluice.step detail: ${key} must be a string`);
  }
  const out: StepDetail = {
    cluster: d.cluster as string,
    namespace: d.namespace as string,
    rollout: d.rollout as string,
  };
  if (d.expectedStep !== undefined) {
    if (!Number.isInteger(d.expectedStep) || (d.expectedStep as number) < 0) {
      throw new Error('sluice.step detail: expectedStep must be an integer >= 0');
    }
    out.expectedStep = d.expectedStep as number;
  }
  return out;
}

const DRIFT_KINDS = new Set(['VirtualService', 'DestinationRule', 'Service']);

/** Reads and checks a `sluice.drift` detail; throws naming the bad field. */
export function parseDriftDetail(detail: unknown): DriftDetail {
  const d = (detail ?? {}) as Record<string, unknown>;
  for (const key of ['cluster', 'namespace', 'kind', 'name'] as const) {
    if (typeof d[key] !== 'string' || d[key] === '')
      throw new Error(`sluice.drift detail: ${key} must be a string`);
  }
  if (!DRIFT_KINDS.has(d.kind as string))
    throw new Error(`sluice.drift detail: unknown kind ${String(d.kind)}`);
  return {
    cluster: d.cluster as string,
    namespace: d.namespace as string,
    kind: d.kind as DriftDetail['kind'],
    name: d.name as string,
    resourceVersion: typeof d.resourceVersion === 'string' ? d.resourceVersion : '',
  };
}
