/**
 * `watch` (scheduled, every 15 minutes, timeout 15 minutes): the control loop's watch (shared with `sluice run`)
 * on every registered cluster, until ~30 s before Lambda's limit. Each change to an object a sluice Rollout
 * references (VirtualService, DestinationRule, Service) becomes a `sluice.drift` event (coalesced per object); each
 * change that makes a Rollout's work due (spec change, `kubectl argo rollouts` action, an owned ReplicaSet
 * available) becomes a `sluice.step` event (coalesced per Rollout); both about 50 ms after the first change.
 * VirtualServices and DestinationRules are watched in the cluster's Istio primary when it has one.
 *
 * It resumes from the last resourceVersion it saw (kept in the warm container); a cold start or a 410 Gone lists
 * afresh and reports every referenced object once, so a change made while nothing was watching is not missed.
 */
import type { ScheduledEvent } from 'aws-lambda';
import type { MiddyfiedHandler } from '@middy/core';
import { watchCluster } from '../../shared/app/control-loop.js';
import type { WatchMemory as UseCaseWatchMemory } from '../../shared/app/watch.js';
import { loopDeps, type DepsProvider } from '../../shared/runtimes/lambda/deps.js';
import { lambdaHandler, type HandlerOptions } from '../../shared/runtimes/lambda/middleware.js';
import { defaultDeps } from '../../shared/runtimes/lambda/wiring.js';

/** resourceVersions per `cluster/kind`, kept across invocations of a warm container. */
export type WatchMemory = UseCaseWatchMemory;
const memory: WatchMemory = new Map();

/** What one watch invocation did. */
export interface WatchResult {
  clusters: number;
  changes: number;
  driftEvents: number;
  stepEvents: number;
  relists: number;
  errors: number;
}

/** The watch function over the given dependencies (and resourceVersion memory, for tests). */
export function createWatchHandler(
  deps: DepsProvider,
  options: Partial<HandlerOptions> = {},
  rvMemory: WatchMemory = memory,
): MiddyfiedHandler<ScheduledEvent, WatchResult> {
  return lambdaHandler<ScheduledEvent, WatchResult>({ ...options, name: 'watch' }, async (_event, inv) => {
    const d = await deps();
    const stopAt =
      Date.now() + inv.context.getRemainingTimeInMillis() - d.config.watchStopBeforeSeconds * 1000;
    const result: WatchResult = {
      clusters: 0,
      changes: 0,
      driftEvents: 0,
      stepEvents: 0,
      relists: 0,
      errors: 0,
    };
    const run = { memory: rvMemory, counters: result, log: inv.log, stopAt };
    const runs = d.clusters.names().map(async (cluster) => {
      try {
        const skipped = await watchCluster(loopDeps(d), cluster, run, () => result.clusters++);
        if (skipped) {
          result.errors++;
          inv.log.error('cluster not watched', { cluster, reason: skipped.skipped });
        }
      } catch (err) {
        result.errors++;
        inv.log.error('cluster watch failed', { cluster, error: err });
      }
    });
    await Promise.all(runs);
    inv.log.info('watch done', { ...result });
    return result;
  });
}

export const handler = createWatchHandler(defaultDeps);
