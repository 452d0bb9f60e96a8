/**
 * `step` (EventBridge `sluice.step`): exactly one engine pass (`runStep`) for the Rollout named in the detail.
 * Emits the transition's notification event, and another `sluice.step` pinned to the new step when more work is
 * due now. VirtualServices and DestinationRules go through the Istio primary cluster's gateway when the cluster has
 * one. A malformed detail, an unknown cluster or a misconfigured primary-cluster Secret is logged and dropped,
 * with the reason in the result and nothing written (a retry cannot fix it); a Kubernetes
 * or EventBridge failure fails the invocation so EventBridge's retry runs the (idempotent) pass again.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { runStep, type StepResult } from '../../shared/app/step.js';
import { parseStepDetail, stepEvent, transitionEvent, type BusEvent } from '../../shared/app/contract.js';
import type { DepsProvider } from '../../shared/runtimes/lambda/deps.js';
import { clusterGateways } from '../../shared/app/gateways.js';
import type { MiddyfiedHandler } from '@middy/core';
import { lambdaHandler, type HandlerOptions } from '../../shared/runtimes/lambda/middleware.js';
import { defaultDeps } from '../../shared/runtimes/lambda/wiring.js';

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
      const gateways = await clusterGateways(clusters, cluster);
      if ('skipped' in gateways) {
        log.error('event dropped', { cluster, rollout: `${namespace}/${rollout}`, reason: gateways.skipped });
        return gateways;
      }
      const result = await runStep(
        { ...gateways, now, log: log.child({ cluster }) },
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
