/**
 * Section 7: reaction in the AWS shape. The functions' own code runs in process against the test API server: the
 * control loop's watch (what the `watch` function runs) and the `step` handler, deployed as on AWS with the step
 * queue: a `sluice.step` event or a due timer reaching the step function is forwarded to the FIFO step queue, and
 * the passes run from its batches, one Rollout at a time, at most `SLUICE_STEP_MAX_CONCURRENCY` (default 2) at once,
 * each container with its own client and its share of the cluster bound. Only the network hops are modelled, with
 * fixed delays:
 * - EventBridge: PutEvents → rule → asynchronous Lambda invocation, {@link EVENTBRIDGE_MS};
 * - SQS timers: the real per-message delay (`delaySeconds`, whole seconds, rounded down) plus the Lambda SQS poller's
 *   pick-up, {@link SQS_PICKUP_MS};
 * - the step queue: the same pick-up after each forward (bench/lib/step-queue-model.ts).
 * No schedule tick runs: everything measured here comes from the watch, the follow-ups and the timers.
 *
 * Figures: a new image → the first pass committed (the new revision), p50 of {@link TRIALS}; the canary
 * ReplicaSet becoming available → the next step committed, p50; a `pause: {duration: 30s}` → its actual length as
 * seen from outside; a 6-step rollout with 0 s pauses, image change → Healthy, with an instant stand-in kubelet.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Context, EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { createStepHandler } from '../functions/step/handler.js';
import { delaySeconds } from '../shared/adapters/aws/timers.js';
import { clientShare } from '../shared/adapters/kube/cluster-bound.js';
import { watchCluster } from '../shared/app/control-loop.js';
import type { BusEvent, StepDetail } from '../shared/app/contract.js';
import { silentLogger } from '../shared/app/logger.js';
import { runStep } from '../shared/app/step.js';
import type { TimerMessage } from '../shared/app/timers.js';
import type { WatchCounters } from '../shared/app/watch.js';
import { LABELS, type CanaryStep } from '../shared/core/model/types.js';
import { readConfig } from '../shared/runtimes/lambda/config.js';
import { loopDeps, type FunctionDeps } from '../shared/runtimes/lambda/deps.js';
import { admin, benchGateway, ensureNamespace, type BenchCluster } from './lib/cluster.js';
import { markAllReady } from './lib/drive.js';
import { StepQueueModel, type StepQueueStats } from './lib/step-queue-model.js';
import { collection, referenced, rollout } from './lib/fixtures.js';
import { measureFigures, REACTION_STEPS, settle, sleep, type Figures } from './reaction-measure.js';
import { startArgoRuntime, startSluiceRun, type Runtime } from './reaction-runtimes.js';

/** Modelled EventBridge delivery (PutEvents to a warm Lambda's invocation). */
export const EVENTBRIDGE_MS = 400;
/** Modelled SQS pick-up after a delayed message becomes visible (Lambda's long-polling event source). */
export const SQS_PICKUP_MS = 300;
const INSTANCE = 'bench-reaction';
// Unique per run, so a cluster that already ran it (a shared test cluster) is fine too.
const NS = `bench-reaction-${Date.now().toString(36)}`;

/** A runtime's figures, or why it could not be measured. */
export type Measured = Figures | { error: string };

/** Reaction figures (milliseconds): the AWS shape's at the top level, `sluice run`'s and Argo's beside them. */
export interface ReactionResult extends Figures {
  eventBridgeMs: number;
  sqsPickupMs: number;
  stepInvocations: number;
  /** The modelled step queue's counts (messages, duplicates dropped, invocations, most at once). */
  stepQueue: StepQueueStats;
  timersArmed: number;
  run: Measured;
  argo: Measured;
  loadAverage: number[];
}

/** The AWS transport, modelled: events and timers reach the step queue after their delays, passes run from it. */
function awsShape(c: BenchCluster): {
  fdeps: FunctionDeps;
  stats: { steps: number; timers: number };
  queue: StepQueueModel;
} {
  const stats = { steps: 0, timers: 0 };
  const ctx = (): Context =>
    ({ awsRequestId: 'bench', getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;
  const config = readConfig({
    SLUICE_CLUSTERS: '[]',
    SLUICE_EVENT_BUS: 'sluice-bench',
    SLUICE_INSTANCE_ID: INSTANCE,
    SLUICE_WEBHOOK_SECRET_ID: 'unused',
    SLUICE_STEP_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/sluice-bench-steps.fifo',
    LOG_LEVEL: 'error',
  });
  const share = clientShare(config.clusterBound);
  // One function container per concurrent step-queue invocation, each with its own client and its share of the
  // cluster bound (as production wiring gives it); forwards (EventBridge events, timers) run in any container.
  const containers: FunctionDeps[] = [];
  const handlers: ReturnType<typeof createStepHandler>[] = [];
  const queue = new StepQueueModel(
    (event, slot) => (handlers[slot] as (typeof handlers)[number])(event, ctx()),
    config.clusterBound.concurrency,
    SQS_PICKUP_MS,
  );
  for (let i = 0; i < config.clusterBound.concurrency; i++) {
    const gw = benchGateway(c, undefined, share.qps);
    containers.push({
      config,
      clusters: { names: () => ['bench'], gateway: async (n) => (n === 'bench' ? gw : undefined) },
      bus: {
        async send(events: BusEvent[]) {
          for (const e of events.filter((x) => x.detailType === 'sluice.step')) {
            const event = { id: randomUUID(), 'detail-type': e.detailType, detail: e.detail };
            setTimeout(() => forward(event as EventBridgeEvent<string, unknown>), EVENTBRIDGE_MS);
          }
        },
      },
      timers: {
        async at(detail: StepDetail, at: Date, reason: string) {
          stats.timers++;
          const body = JSON.stringify({ detail, at: at.toISOString(), reason } satisfies TimerMessage);
          const record = { messageId: `t${stats.timers}`, body, eventSource: 'aws:sqs' };
          const wait = delaySeconds(at, new Date()) * 1000 + SQS_PICKUP_MS;
          setTimeout(() => forward({ Records: [record] } as unknown as SQSEvent), wait);
        },
      },
      stepQueue: queue,
      now: () => new Date(),
      webhookSecrets: async () => [],
    });
    handlers.push(createStepHandler(async () => containers[i] as FunctionDeps, { sink: () => undefined }));
  }
  const forward = (event: EventBridgeEvent<string, unknown> | SQSEvent): void => {
    stats.steps++;
    void Promise.resolve((handlers[0] as (typeof handlers)[number])(event, ctx())).catch(() => undefined);
  };
  return { fdeps: containers[0] as FunctionDeps, stats, queue };
}

/** Creates a Rollout with `steps` and drives it to Healthy at v1 (no watch running yet). */
async function prepare(c: BenchCluster, name: string, steps: CanaryStep[]): Promise<void> {
  for (const o of referenced('host', name))
    await admin(c, 'POST', collection((o as { kind: string }).kind, NS), o);
  const labels = { [LABELS.instanceId]: INSTANCE };
  await admin(c, 'POST', collection('Rollout', NS), rollout('host', name, steps, { labels }));
  const deps = { gateway: benchGateway(c), now: () => new Date() };
  for (let i = 0; i < 30; i++) {
    await markAllReady(c, NS);
    const r = await runStep(deps, { namespace: NS, name });
    if (r.writes === 0 && !r.followUp) return;
  }
}

/** The AWS shape: v1 installed by direct passes, then the watch, EventBridge and SQS modelled. */
async function awsFigures(c: BenchCluster): Promise<Omit<ReactionResult, 'run' | 'argo' | 'loadAverage'>> {
  await ensureNamespace(c, NS);
  for (const [name, steps] of Object.entries(REACTION_STEPS)) await prepare(c, name, steps);
  const { fdeps, stats, queue } = awsShape(c);
  const abort = new AbortController();
  const counters: WatchCounters = { changes: 0, driftEvents: 0, stepEvents: 0, relists: 0, errors: 0 };
  const run = { memory: new Map<string, string>(), counters, log: silentLogger, signal: abort.signal };
  const watching = watchCluster(loopDeps(fdeps), 'bench', run);
  await sleep(1000); // lists and connects
  try {
    // Pending follow-ups (delivered EVENTBRIDGE_MS, then the step queue's pick-up, late) must have run before each
    // measured change.
    const figures = await measureFigures(c, NS, EVENTBRIDGE_MS + SQS_PICKUP_MS + 1000);
    return {
      ...figures,
      eventBridgeMs: EVENTBRIDGE_MS,
      sqsPickupMs: SQS_PICKUP_MS,
      stepInvocations: stats.steps + queue.stats.invocations,
      stepQueue: queue.stats,
      timersArmed: stats.timers,
    };
  } finally {
    queue.close();
    abort.abort();
    await watching;
  }
}

/**
 * One runtime on its own namespace: the Rollouts created at v1 (labelled `labels`), the runtime started, v1
 * installed by it with the stand-in kubelet, then the figures; a failure becomes the row's reason.
 */
async function other(
  c: BenchCluster,
  ns: string,
  labels: Record<string, string>,
  start: () => Promise<Runtime>,
): Promise<Measured> {
  await ensureNamespace(c, ns);
  for (const [name, steps] of Object.entries(REACTION_STEPS)) {
    for (const o of referenced('host', name))
      await admin(c, 'POST', collection((o as { kind: string }).kind, ns), o);
    await admin(c, 'POST', collection('Rollout', ns), rollout('host', name, steps, { labels }));
  }
  let runtime: Runtime | undefined;
  try {
    runtime = await start();
    await settle(c, ns, Object.keys(REACTION_STEPS));
    return await measureFigures(c, ns, 1000);
  } catch (e) {
    const tail = runtime?.tail() ?? '';
    return { error: `${(e as Error).message}${tail ? `\n${tail}` : ''}` };
  } finally {
    await runtime?.stop();
  }
}

/** Section 7 for the three runtimes, one after another on the same cluster (so API request windows do not mix). */
export async function benchReaction(c: BenchCluster): Promise<ReactionResult> {
  const aws = await awsFigures(c);
  const runId = `${INSTANCE}-run`;
  const run = await other(c, `${NS}-run`, { [LABELS.instanceId]: runId }, () => startSluiceRun(c, runId));
  const argo = await other(c, `${NS}-argo`, {}, () => startArgoRuntime(c, `${NS}-argo`));
  return { ...aws, run, argo, loadAverage: os.loadavg() };
}
