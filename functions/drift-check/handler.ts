/**
 * `drift-check` (EventBridge `sluice.drift`): finds the sluice Rollouts that reference the changed object and runs
 * one engine pass for each. The engine derives weights, subset labels and selectors from the committed status, so
 * the pass re-asserts them; when the object's managed fields were put back, a `DriftCorrected` Event is recorded on
 * the Rollout naming the object and what changed (before → after). Nothing drifted: nothing written, no Event.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import type { KubeGateway } from '../../shared/kube/gateway.js';
import { recordEvent } from '../../shared/kube/events.js';
import { LABELS, type KubeObject, type Rollout } from '../../shared/rollout/types.js';
import { runStep } from '../../shared/usecases/step.js';
import {
  parseDriftDetail,
  stepEvent,
  transitionEvent,
  type BusEvent,
  type DriftDetail,
} from '../../shared/lambda/bus.js';
import type { DepsProvider, FunctionDeps } from '../../shared/lambda/deps.js';
import { useCaseLog, type Logger } from '../../shared/lambda/logger.js';
import type { MiddyfiedHandler } from '@middy/core';
import { lambdaHandler, type HandlerOptions } from '../../shared/lambda/middleware.js';
import { DRIFT_RESOURCES, managedSummary, references } from '../../shared/lambda/references.js';
import { defaultDeps } from '../../shared/lambda/wiring.js';

/** One Rollout's outcome. */
export interface DriftCheckEntry {
  rollout: string;
  writes: number;
  corrected: boolean;
  before?: string;
  after?: string;
}

/** What one drift-check did; `skipped` explains a dropped event. */
export type DriftCheckResult = { skipped: string } | { checked: DriftCheckEntry[] };

async function affectedRollouts(
  gateway: KubeGateway,
  instanceId: string,
  d: DriftDetail,
): Promise<Rollout[]> {
  // A VirtualService may be referenced from another namespace (`name.namespace`); Services and DRs may not.
  const namespace = d.kind === 'VirtualService' ? undefined : d.namespace;
  const { items } = await gateway.list('rollouts', namespace, {
    labelSelector: `${LABELS.instanceId}=${instanceId}`,
  });
  return (items as Rollout[]).filter((r) => references(r, d));
}

async function checkOne(
  deps: FunctionDeps,
  gateways: { gateway: KubeGateway; istioGateway?: KubeGateway },
  d: DriftDetail,
  rollout: Rollout,
  out: { events: BusEvent[]; log: Logger },
): Promise<DriftCheckEntry> {
  const { namespace, name } = rollout.metadata;
  const objectGateway = d.kind === 'Service' ? gateways.gateway : (gateways.istioGateway ?? gateways.gateway);
  const read = (): Promise<KubeObject | undefined> =>
    objectGateway.get(DRIFT_RESOURCES[d.kind], d.namespace, d.name);
  const before = managedSummary(d.kind, await read());
  const result = await runStep(
    { ...gateways, now: deps.now, log: useCaseLog(out.log) },
    {
      namespace,
      name,
      ...(rollout.status?.currentStepIndex === undefined
        ? {}
        : { expectedStep: rollout.status.currentStepIndex }),
    },
  );
  const entry: DriftCheckEntry = { rollout: `${namespace}/${name}`, writes: result.writes, corrected: false };
  const notice = transitionEvent(d.cluster, namespace, result);
  if (notice) out.events.push(notice);
  if (result.followUp) {
    const expected = result.stepAfter === undefined ? {} : { expectedStep: result.stepAfter };
    out.events.push(stepEvent({ cluster: d.cluster, namespace, rollout: name, ...expected }));
  }
  if (result.writes === 0) return entry;
  const after = managedSummary(d.kind, await read());
  if (after === before) return entry;
  const message = `${d.kind} ${d.namespace}/${d.name} drifted from the committed step; restored: ${before} -> ${after}`;
  Object.assign(entry, { corrected: true, before, after });
  try {
    await recordEvent(
      gateways.gateway,
      rollout,
      { type: 'Normal', reason: 'DriftCorrected', message },
      deps.now(),
    );
  } catch (err) {
    out.log.warn('DriftCorrected event not recorded', { rollout: entry.rollout, error: err });
  }
  out.log.info('drift corrected', {
    cluster: d.cluster,
    rollout: entry.rollout,
    kind: d.kind,
    before,
    after,
  });
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
      const gateway = await d.clusters.gateway(detail.cluster);
      if (!gateway) {
        log.error('event dropped: unknown cluster', { cluster: detail.cluster });
        return { skipped: `unknown cluster ${detail.cluster}` };
      }
      const istioGateway = await d.clusters.istioGateway?.(detail.cluster);
      const gateways = { gateway, ...(istioGateway ? { istioGateway } : {}) };
      const rollouts = await affectedRollouts(gateway, d.config.instanceId, detail);
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
