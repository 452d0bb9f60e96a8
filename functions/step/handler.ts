/**
 * `step` (EventBridge `sluice.step`, and the SQS timer queue): exactly one engine pass for the Rollout named in the
 * detail, with its transition notice, its follow-up step and the timer it asks for (the control loop's `step`,
 * shared with `sluice run`). VirtualServices and DestinationRules go through the Istio primary cluster's gateway
 * when the cluster has one. A malformed detail, an unknown cluster or a misconfigured primary-cluster Secret is
 * logged and dropped, with the reason in the result and nothing written (a retry cannot fix it); a Kubernetes or
 * EventBridge failure fails the invocation so EventBridge's retry runs the (idempotent) pass again. A batch of
 * timers from SQS runs one pass per due timer (an early one is armed again) and reports the failed records back.
 */
import type { EventBridgeEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { MiddyfiedHandler } from '@middy/core';
import { step, type StepOutcome } from '../../shared/app/control-loop.js';
import { parseStepDetail } from '../../shared/app/contract.js';
import { loopDeps, type DepsProvider } from '../../shared/runtimes/lambda/deps.js';
import { lambdaHandler, type HandlerOptions } from '../../shared/runtimes/lambda/middleware.js';
import { isSqsEvent, runTimerBatch } from '../../shared/runtimes/lambda/timer-batch.js';
import { defaultDeps } from '../../shared/runtimes/lambda/wiring.js';

export type { StepOutcome };

/** What the step function receives: a bus event, or a batch of timers. */
export type StepEvent = EventBridgeEvent<string, unknown> | SQSEvent;

/** The step function over the given dependencies. */
export function createStepHandler(
  deps: DepsProvider,
  options: Partial<HandlerOptions> = {},
): MiddyfiedHandler<StepEvent, StepOutcome | SQSBatchResponse> {
  return lambdaHandler<StepEvent, StepOutcome | SQSBatchResponse>(
    { ...options, name: 'step' },
    async (event, { log }) => {
      const d = loopDeps(await deps());
      if (isSqsEvent(event)) return runTimerBatch(d, event, log);
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
