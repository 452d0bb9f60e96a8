/**
 * `schedule` (EventBridge rule, every minute): for each registered cluster, ONE list of sluice's Rollouts
 * (instance-id label), then one `sluice.step` event per Rollout with work due (shared/core/engine/due.ts), carrying
 * the Rollout's current step index as `expectedStep`.
 * A Rollout with nothing due costs nothing. A cluster that cannot be listed is logged and skipped; the next
 * minute tries again.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { dueReason } from '../../shared/core/engine/due.js';
import { LABELS, type Rollout } from '../../shared/core/model/types.js';
import { stepEvent, type BusEvent } from '../../shared/app/contract.js';
import type { DepsProvider } from '../../shared/runtimes/lambda/deps.js';
import type { Logger } from '../../shared/app/logger.js';
import type { MiddyfiedHandler } from '@middy/core';
import { lambdaHandler, type HandlerOptions } from '../../shared/runtimes/lambda/middleware.js';
import { defaultDeps } from '../../shared/runtimes/lambda/wiring.js';

/** What one scheduled run did. */
export interface ScheduleResult {
  clusters: number;
  rollouts: number;
  due: number;
  failedClusters: string[];
}

/** One `sluice.step` event per due Rollout, pinned to the step seen here (a duplicate delivery then finds the
 * rollout moved on and makes no transition). */
function dueEvents(cluster: string, rollouts: Rollout[], at: Date, log: Logger): BusEvent[] {
  const events: BusEvent[] = [];
  for (const rollout of rollouts) {
    const reason = dueReason(rollout, at);
    if (!reason) continue;
    const { namespace, name } = rollout.metadata;
    log.info('rollout due', { cluster, rollout: `${namespace}/${name}`, reason });
    const step = rollout.status?.currentStepIndex;
    events.push(
      stepEvent({ cluster, namespace, rollout: name, ...(step === undefined ? {} : { expectedStep: step }) }),
    );
  }
  return events;
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
      // Clusters are ticked in parallel: one slow or unreachable cluster does not delay the others.
      const ticks = await Promise.all(
        clusters.names().map(async (cluster) => {
          try {
            const gateway = await clusters.gateway(cluster);
            if (!gateway) throw new Error(`cluster ${cluster} has no gateway`);
            const { items } = await gateway.list('rollouts', undefined, { labelSelector: selector });
            const events = dueEvents(cluster, items as Rollout[], now(), log);
            if (events.length > 0) await bus.send(events);
            return { cluster, rollouts: items.length, due: events.length };
          } catch (err) {
            log.error('cluster skipped', { cluster, error: err });
            return { cluster, failed: true as const };
          }
        }),
      );
      for (const t of ticks) {
        result.clusters++;
        if ('failed' in t) result.failedClusters.push(t.cluster);
        else {
          result.rollouts += t.rollouts;
          result.due += t.due;
        }
      }
      log.info('schedule done', { ...result });
      return result;
    },
  );
}

export const handler = createScheduleHandler(defaultDeps);
