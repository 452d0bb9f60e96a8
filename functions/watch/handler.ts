/**
 * `watch` (scheduled, every 15 minutes, timeout 15 minutes): holds watches on VirtualServices, DestinationRules
 * and Services of every registered cluster until ~30 s before Lambda's limit, and turns each change to an object a
 * sluice Rollout references into a `sluice.drift` event (coalesced per object, reported about 50 ms after the first change).
 * VirtualServices and DestinationRules are watched in the cluster's Istio primary when it has one.
 *
 * It resumes from the last resourceVersion it saw (kept in the warm container); a cold start or a 410 Gone lists
 * afresh and reports every referenced object once, so a change made while nothing was watching is not missed.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { driftEvent } from '../../shared/app/contract.js';
import type { DepsProvider } from '../../shared/runtimes/lambda/deps.js';
import type { MiddyfiedHandler } from '@middy/core';
import { clusterGateways, istioRouted } from '../../shared/app/gateways.js';
import { lambdaHandler, type HandlerOptions } from '../../shared/runtimes/lambda/middleware.js';
import { watchReferencedObjects, type WatchMemory as UseCaseWatchMemory } from '../../shared/app/watch.js';
import { defaultDeps } from '../../shared/runtimes/lambda/wiring.js';

/** resourceVersions per `cluster/kind`, kept across invocations of a warm container. */
export type WatchMemory = UseCaseWatchMemory;
const memory: WatchMemory = new Map();

/** What one watch invocation did. */
export interface WatchResult {
  clusters: number;
  changes: number;
  driftEvents: number;
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
    const remaining = inv.context.getRemainingTimeInMillis();
    const stopAt = Date.now() + remaining - d.config.watchStopBeforeSeconds * 1000;
    const result: WatchResult = { clusters: 0, changes: 0, driftEvents: 0, relists: 0, errors: 0 };
    const runs = d.clusters.names().map(async (cluster) => {
      let gateways;
      try {
        gateways = await clusterGateways(d.clusters, cluster);
      } catch (err) {
        result.errors++;
        inv.log.error('cluster watch failed', { cluster, error: err });
        return;
      }
      if ('skipped' in gateways) {
        result.errors++;
        inv.log.error('cluster not watched', { cluster, reason: gateways.skipped });
        return;
      }
      result.clusters++;
      try {
        await watchReferencedObjects({
          cluster,
          // VirtualServices and DestinationRules are watched in the Istio primary when the cluster has one.
          gateway: istioRouted(gateways),
          instanceId: d.config.instanceId,
          memory: rvMemory,
          stopAt,
          onDrift: (drifted) => d.bus.send(drifted.map(driftEvent)),
          log: inv.log,
          counters: result,
        });
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
