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
