/**
 * `step` (EventBridge `sluice.step`): exactly one engine pass (`runStep`) for the Rollout named in the detail.
 * Emits the transition's notification event, and another `sluice.step` pinned to the new step when more work is
 * due now. A malformed detail or an unknown cluster is logged and dropped (a retry cannot fix it); a Kubernetes
 * or EventBridge failure fails the invocation so EventBridge's retry runs the (idempotent) pass again.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { runStep, type StepResult } from '../../shared/usecases/step.js';
import { parseStepDetail, stepEvent, transitionEvent, type BusEvent } from '../../shared/lambda/bus.js';
import type { DepsProvider } from '../../shared/lambda/deps.js';
import { useCaseLog } from '../../shared/lambda/logger.js';
import type { MiddyfiedHandler } from '@middy/core';
import { lambdaHandler, type HandlerOptions } from '../../shared/lambda/middleware.js';
import { defaultDeps } from '../../shared/lambda/wiring.js';

/** What one step invocation did; `skipped` explains a dropped event. */
export type StepOutcome = { skipped: string } | StepResult;

/** The step function over the given dependencies. */
export function createStepHandler(
  deps: DepsProvider,
  options: Partial<HandlerOptions> = {},
): MiddyfiedHandler<EventBridgeEvent<string, unknown>, StepOutcome> {
  return lambdaHandler<EventBridgeEvent<string, unknown>, StepOutcome>(
    { ...options, name: 'step' },
    async (event, { log }) => {
      const { clusters, bus, now } = await deps();
      let detail;
      try {
        detail = parseStepDetail(event.detail);
      } catch (err) {
        log.error('event dropped', { error: err, eventId: event.id });
        return { skipped: (err as Error).message };
      }
      const { cluster, namespace, rollout, expectedStep } = detail;
      const gateway = await clusters.gateway(cluster);
      if (!gateway) {
        log.error('event dropped: unknown cluster', { cluster, rollout: `${namespace}/${rollout}` });
        return { skipped: `unknown cluster ${cluster}` };
      }
      const istioGateway = await clusters.istioGateway?.(cluster);
      const result = await runStep(
        { gateway, now, log: useCaseLog(log.child({ cluster })), ...(istioGateway ? { istioGateway } : {}) },
        { namespace, name: rollout, ...(expectedStep === undefined ? {} : { expectedStep }) },
      );
      const events: BusEvent[] = [];
      const notice = transitionEvent(cluster, namespace, result);
      if (notice) events.push(notice);
      if (result.followUp) {
        events.push(
          stepEvent({
            cluster,
            namespace,
            rollout,
            ...(result.stepAfter === undefined ? {} : { expectedStep: result.stepAfter }),
          }),
        );
      }
      if (events.length > 0) await bus.send(events);
      log.info('step done', { cluster, ...result });
      return result;
    },
  );
}

export const handler = createStepHandler(defaultDeps);
