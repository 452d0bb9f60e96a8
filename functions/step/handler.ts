/**
 * `step` (EventBridge `sluice.step`): exactly one engine pass for the Rollout named in the detail, with its
 * transition notice and follow-up step (the control loop's `step`, shared with `sluice run`). VirtualServices and
 * DestinationRules go through the Istio primary cluster's gateway when the cluster has one. A malformed detail, an
 * unknown cluster or a misconfigured primary-cluster Secret is logged and dropped, with the reason in the result and
 * nothing written (a retry cannot fix it); a Kubernetes or EventBridge failure fails the invocation so
 * EventBridge's retry runs the (idempotent) pass again.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import type { MiddyfiedHandler } from '@middy/core';
import { step, type StepOutcome } from '../../shared/app/control-loop.js';
import { parseStepDetail } from '../../shared/app/contract.js';
import { loopDeps, type DepsProvider } from '../../shared/runtimes/lambda/deps.js';
import { lambdaHandler, type HandlerOptions } from '../../shared/runtimes/lambda/middleware.js';
import { defaultDeps } from '../../shared/runtimes/lambda/wiring.js';

export type { StepOutcome };

/** The step function over the given dependencies. */
export function createStepHandler(
  deps: DepsProvider,
  options: Partial<HandlerOptions> = {},
): MiddyfiedHandler<EventBridgeEvent<string, unknown>, StepOutcome> {
  return lambdaHandler<EventBridgeEvent<string, unknown>, StepOutcome>(
    { ...options, name: 'step' },
    async (event, { log }) => {
      const d = loopDeps(await deps());
      let detail;
      try {
        detail = parseStepDetail(event.detail);
      } catch (err) {
        log.error('event dropped', { error: err, eventId: event.id });
        return { skipped: (err as Error).message };
      }
      return step(d, detail, log);
    },
  );
}

export const handler = createStepHandler(defaultDeps);
