/**
 * `drift-check` (EventBridge `sluice.drift`): finds the sluice Rollouts that reference the changed object and runs
 * one engine pass for each. The engine derives weights, subset labels and selectors from the committed status, so
 * the pass re-asserts them; when the object's managed fields were put back, a `DriftCorrected` Event is recorded on
 * the Rollout naming the object and what changed (before → after). Nothing drifted: nothing written, no Event.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import type { Rollout } from '../../shared/core/model/types.js';
import { affectedRollouts, correctDrift, type DriftCheckEntry } from '../../shared/app/drift.js';
import {
  parseDriftDetail,
  stepEvent,
  transitionEvent,
  type BusEvent,
  type DriftDetail,
} from '../../shared/app/contract.js';
import type { DepsProvider, FunctionDeps } from '../../shared/runtimes/lambda/deps.js';
import { clusterGateways, type ClusterGateways } from '../../shared/app/gateways.js';
import type { Logger } from '../../shared/app/logger.js';
import type { MiddyfiedHandler } from '@middy/core';
import { lambdaHandler, type HandlerOptions } from '../../shared/runtimes/lambda/middleware.js';
import { defaultDeps } from '../../shared/runtimes/lambda/wiring.js';

/** One Rollout's outcome. */
export type { DriftCheckEntry };

/** What one drift-check did; `skipped` explains a dropped event. */
export type DriftCheckResult = { skipped: string } | { checked: DriftCheckEntry[] };

async function checkOne(
  deps: FunctionDeps,
  gateways: ClusterGateways,
  d: DriftDetail,
  rollout: Rollout,
  out: { events: BusEvent[]; log: Logger },
): Promise<DriftCheckEntry> {
  const { namespace, name } = rollout.metadata;
  const { entry, result } = await correctDrift({ ...gateways, now: deps.now, log: out.log }, d, rollout);
  const notice = transitionEvent(d.cluster, namespace, result);
  if (notice) out.events.push(notice);
  if (result.followUp) {
    const expected = result.stepAfter === undefined ? {} : { expectedStep: result.stepAfter };
    out.events.push(stepEvent({ cluster: d.cluster, namespace, rollout: name, ...expected }));
  }
  return entry;
}

/** The drift-check function over the given dependencies. */
export function createDriftCheckHandler(
  deps: DepsProvider,
  options: Partial<HandlerOptions> = {},
): MiddyfiedHandler<EventBridgeEvent<string, unknown>, DriftCheckResult> {
  return lambdaHandler<EventBridgeEvent<string, unknown>, DriftCheckResult>(
    { ...options, name: 'drift-check' },
    async (event, { log }) => {
      const d = await deps();
      let detail: DriftDetail;
      try {
        detail = parseDriftDetail(event.detail);
      } catch (err) {
        log.error('event dropped', { error: err, eventId: event.id });
        return { skipped: (err as Error).message };
      }
      const gateways = await clusterGateways(d.clusters, detail.cluster);
      if ('skipped' in gateways) {
        log.error('event dropped', { cluster: detail.cluster, reason: gateways.skipped });
        return gateways;
      }
      const rollouts = await affectedRollouts(gateways.gateway, d.config.instanceId, detail);
      const out = { events: [] as BusEvent[], log: log.child({ cluster: detail.cluster }) };
      const checked: DriftCheckEntry[] = [];
      for (const rollout of rollouts) checked.push(await checkOne(d, gateways, detail, rollout, out));
      if (out.events.length > 0) await d.bus.send(out.events);
      log.info('drift check done', {
        ...detail,
        rollouts: checked.length,
        corrected: checked.filter((c) => c.corrected).length,
      });
      return { checked };
    },
  );
}

export const handler = createDriftCheckHandler(defaultDeps);
