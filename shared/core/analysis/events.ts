/**
 * The catalogue of the Kubernetes Events analysis records, with Argo Rollouts' reasons and messages: one per metric
 * and one per run that completes. Nothing else in `core/analysis` builds an Event's reason or message. Pure module.
 */
import type { AnalysisPhase } from './types.js';

/** An Event to emit for a change, as Argo emits it. */
export interface AnalysisEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Argo's event type for a completed phase: Warning for Failed and Error, Normal otherwise. */
function eventType(phase: AnalysisPhase): AnalysisEvent['type'] {
  return phase === 'Failed' || phase === 'Error' ? 'Warning' : 'Normal';
}

/** `Metric<Phase>` "Metric '<name>' Completed. Result: <Phase>". */
export const metricCompleted = (metric: string, phase: AnalysisPhase): AnalysisEvent => ({
  type: eventType(phase),
  reason: `Metric${phase}`,
  message: `Metric '${metric}' Completed. Result: ${phase}`,
});

/** `AnalysisRun<Phase>` "Analysis Completed. Result: <Phase>". */
export const runCompleted = (phase: AnalysisPhase): AnalysisEvent => ({
  type: eventType(phase),
  reason: `AnalysisRun${phase}`,
  message: `Analysis Completed. Result: ${phase}`,
});

/**
 * The Rollout's `AnalysisRun<Phase>` "<Step|Background> Analysis Run '<name>' Status New: '<phase>' Previous:
 * '<prev>'" when a current run's phase changes (`NoPreviousStatus` when none was recorded).
 */
export const runPhaseChanged = (
  kind: string,
  name: string,
  phase: AnalysisPhase,
  previous: AnalysisPhase | undefined,
): AnalysisEvent => ({
  type: eventType(phase),
  reason: `AnalysisRun${phase}`,
  message: `${kind} Analysis Run '${name}' Status New: '${phase}' Previous: '${previous ?? 'NoPreviousStatus'}'`,
});

/** The Rollout's Warning `RolloutAborted` "Rollout aborted update to revision N: <analysis message>". */
export const analysisAborted = (revision: number | string, message: string): AnalysisEvent => ({
  type: 'Warning',
  reason: 'RolloutAborted',
  message: `Rollout aborted update to revision ${revision}: ${message}`,
});
