/**
 * `schedule` (EventBridge rule, every minute): for each registered cluster, ONE list of sluice's Rollouts
 * (instance-id label), then one `sluice.step` event per Rollout with work due (shared/engine/due.ts), carrying
 * the Rollout's current step index as `expectedStep`.
 * A Rollout with nothing due costs nothing. A cluster that cannot be listed is logged and skipped; the next
 * minute tries again.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { dueReason } from '../../shared/engine/due.js';
import { LABELS, type Rollout } from '../../shared/rollout/types.js';
import { stepEvent, type BusEvent } from '../../shared/lambda/bus.js';
import type { DepsProvider } from '../../shared/lambda/deps.js';
import type { MiddyfiedHandler } from '@middy/core';
import { lambdaHandler, type HandlerOptions } from '../../shared/lambda/middleware.js';
import { defaultDeps } from '../../shared/lambda/wiring.js';

/** What one scheduled run did. */
export interface ScheduleResult {
  clusters: number;
  rollouts: number;
  due: number;
  failedClusters: string[];
}

/** The schedule function over the given dependencies. */
export function createScheduleHandler(
  deps: DepsProvider,
  options: Partial<HandlerOptions> = {},
): MiddyfiedHandler<ScheduledEvent, ScheduleResult> {
  return lambdaHandler<ScheduledEvent, ScheduleResult>(
    { ...options, name: 'schedule' },
    async (_event, { log }) => {
      const { config, clusters, bus, now } = await deps();
      const selector = `${LABELS.instanceId}=${config.instanceId}`;
      const result: ScheduleResult = { clusters: 0, rollouts: 0, due: 0, failedClusters: [] };
      for (const cluster of clusters.names()) {
        result.clusters++;
        try {
          const gateway = await clusters.gateway(cluster);
          if (!gateway) throw new Error(`cluster ${cluster} has no gateway`);
          const { items } = await gateway.list('rollouts', undefined, { labelSelector: selector });
          const at = now();
          const events: BusEvent[] = [];
          for (const rollout of items as Rollout[]) {
            const reason = dueReason(rollout, at);
            if (!reason) continue;
            const { namespace, name } = rollout.metadata;
            log.info('rollout due', { cluster, rollout: `${namespace}/${name}`, reason });
            // Pinned to the step seen here: a duplicate delivery finds the rollout moved on and makes no transition.
            const step = rollout.status?.currentStepIndex;
            events.push(
              stepEvent({
                cluster,
                namespace,
                rollout: name,
                ...(step === undefined ? {} : { expectedStep: step }),
              }),
            );
          }
          result.rollouts += items.length;
          result.due += events.length;
          if (events.length > 0) await bus.send(events);
        } catch (err) {
          result.failedClusters.push(cluster);
          log.error('cluster skipped', { cluster, error: err });
        }
      }
      log.info('schedule done', { ...result });
      return result;
    },
  );
}

export const handler = createScheduleHandler(defaultDeps);
