/**
 * `step` (EventBridge `sluice.step`, and the SQS timer queue): exactly one engine pass for the Rollout named in the
 * detail, with its transition notice, its follow-up step and the timer it asks for (the control loop's `step`,
 * shared with `sluice run`). VirtualServices and DestinationRules go through the Istio primary cluster's gateway
 * when the cluster has one. A malformed detail, an unknown cluster or a misconfigured primary-cluster Secret is
 * logged and dropped, with the reason in the result and nothing written (a retry cannot fix it); a Kubernetes or
 * EventBridge failure fails the invocation so EventBridge's retry runs the (idempotent) pass again. A batch of
 * timers from SQS runs one pass per due timer (an early one is armed again) and reports the failed records back.
 * With the step queue configured (`SLUICE_STEP_QUEUE_URL`), events and timers are forwarded to it and passes run
 * only from its batches: one Rollout at a time, at most the queue's maximum concurrency at once
 * (shared/runtimes/lambda/step-queue-batch.ts).
 */
import type { EventBridgeEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { MiddyfiedHandler } from '@middy/core';
import { step, type StepOutcome } from '../../shared/app/control-loop.js';
import { parseStepDetail } from '../../shared/app/contract.js';
import { loopDeps, type DepsProvider } from '../../shared/runtimes/lambda/deps.js';
import { lambdaHandler, type HandlerOptions } from '../../shared/runtimes/lambda/middleware.js';
import { isSqsEvent } from '../../shared/runtimes/lambda/timer-batch.js';
import { forwardStep, runSqsBatch } from '../../shared/runtimes/lambda/step-queue-batch.js';
import { defaultDeps } from '../../shared/runtimes/lambda/wiring.js';

export type { StepOutcome };

/** What the step function receives: a bus event, or a batch of timers. */
export type StepEvent = EventBridgeEvent<string, unknown> | SQSEvent;

/** What the step function answers: a pass's outcome, a forwarded event's id, or a batch's failed records. */
export type StepResponse = StepOutcome | { queued: string } | SQSBatchResponse;

/** The step function over the given dependencies. */
export function createStepHandler(
  deps: DepsProvider,
  options: Partial<HandlerOptions> = {},
): MiddyfiedHandler<StepEvent, StepResponse> {
  return lambdaHandler<StepEvent, StepResponse>({ ...options, name: 'step' }, async (event, { log }) => {
    const fd = await deps();
    const d = loopDeps(fd);
    if (isSqsEvent(event)) return runSqsBatch(fd.stepQueue, d, event, log);
    let detail;
    try {
      detail = parseStepDetail(event.detail);
    } catch (err) {
      log.error('event dropped', { error: err, eventId: event.id });
      return { skipped: (err as Error).message };
    }
    return fd.stepQueue ? forwardStep(fd.stepQueue, event, detail) : step(d, detail, log);
  });
}

export const handler = createStepHandler(defaultDeps);
