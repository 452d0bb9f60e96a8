/**
 * `drift-check` (EventBridge `sluice.drift`): the control loop's drift report (shared with `sluice run`): the
 * sluice Rollouts that reference the changed object each get one engine pass. The engine derives weights, subset
 * labels and selectors from the committed status, so the pass re-asserts them; when the object's managed fields were
 * put back, a `DriftCorrected` Event is recorded on the Rollout naming the object and what changed (before →
 * after). Nothing drifted: nothing written, no Event.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import type { MiddyfiedHandler } from '@middy/core';
import { driftReport, type DriftReport } from '../../shared/app/control-loop.js';
import { parseDriftDetail } from '../../shared/app/contract.js';
import type { DriftCheckEntry } from '../../shared/app/drift.js';
import { loopDeps, type DepsProvider } from '../../shared/runtimes/lambda/deps.js';
import { lambdaHandler, type HandlerOptions } from '../../shared/runtimes/lambda/middleware.js';
import { defaultDeps } from '../../shared/runtimes/lambda/wiring.js';

/** One Rollout's outcome. */
export type { DriftCheckEntry };

/** What one drift-check did; `skipped` explains a dropped event. */
export type DriftCheckResult = DriftReport;

/** The drift-check function over the given dependencies. */
export function createDriftCheckHandler(
  deps: DepsProvider,
  options: Partial<HandlerOptions> = {},
): MiddyfiedHandler<EventBridgeEvent<string, unknown>, DriftCheckResult> {
  return lambdaHandler<EventBridgeEvent<string, unknown>, DriftCheckResult>(
    { ...options, name: 'drift-check' },
    async (event, { log }) => {
      const d = loopDeps(await deps());
      let detail;
      try {
        detail = parseDriftDetail(event.detail);
      } catch (err) {
        log.error('event dropped', { error: err, eventId: event.id });
        return { skipped: (err as Error).message };
      }
      return driftReport(d, detail, log);
    },
  );
}

export const handler = createDriftCheckHandler(defaultDeps);
