/**
 * `schedule` (EventBridge rule, every minute): the control loop's tick (shared with `sluice run`): for each
 * registered cluster, in parallel, ONE list of sluice's Rollouts (instance-id label), then one `sluice.step` event per
 * Rollout with work due (shared/core/engine/due.ts), carrying the Rollout's current step index as `expectedStep`.
 * A Rollout with nothing due costs nothing. A cluster that cannot be listed is logged and skipped; the next
 * minute tries again.
 */
import type { ScheduledEvent } from 'aws-lambda';
import type { MiddyfiedHandler } from '@middy/core';
import { tick } from '../../shared/app/control-loop.js';
import { loopDeps, type DepsProvider } from '../../shared/runtimes/lambda/deps.js';
import { lambdaHandler, type HandlerOptions } from '../../shared/runtimes/lambda/middleware.js';
import { defaultDeps } from '../../shared/runtimes/lambda/wiring.js';

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
      const { clusters, rollouts, due, failedClusters } = await tick(loopDeps(await deps()), log);
      return { clusters, rollouts, due, failedClusters };
    },
  );
}

export const handler = createScheduleHandler(defaultDeps);
