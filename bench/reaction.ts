/**
 * Section 7: reaction in the AWS shape. The functions' own code runs in process against the test API server: the
 * control loop's watch (what the `watch` function runs), the `step` handler for `sluice.step` events and for
 * SQS timer batches. Only the network hops between them are modelled, with fixed delays:
 * - EventBridge: PutEvents → rule → asynchronous Lambda invocation, {@link EVENTBRIDGE_MS};
 * - SQS timers: the real per-message delay (`delaySeconds`, whole seconds, rounded down) plus the Lambda SQS poller's
 *   pick-up, {@link SQS_PICKUP_MS}.
 * No schedule tick runs: everything measured here comes from the watch, the follow-ups and the timers.
 *
 * Figures: a new image → the first pass committed (the new revision), p50 of {@link TRIALS}; the canary
 * ReplicaSet becoming available → the next step committed, p50; a `pause: {duration: 30s}` → its actual length as
 * seen from outside; a 6-step rollout with 0 s pauses, image change → Healthy, with an instant stand-in kubelet.
 */
import type { Context, EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { createStepHandler } from '../functions/step/handler.js';
import { delaySeconds } from '../shared/adapters/aws/timers.js';
import { watchCluster } from '../shared/app/control-loop.js';
import type { BusEvent, StepDetail } from '../shared/app/contract.js';
import { silentLogger } from '../shared/app/logger.js';
import { runStep } from '../shared/app/step.js';
import type { TimerMessage } from '../shared/app/timers.js';
import type { WatchCounters } from '../shared/app/watch.js';
import { LABELS, type CanaryStep, type Rollout } from '../shared/core/model/types.js';
import { readConfig } from '../shared/runtimes/lambda/config.js';
import { loopDeps, type FunctionDeps } from '../shared/runtimes/lambda/deps.js';
import { admin, benchGateway, ensureNamespace, type BenchCluster } from './lib/cluster.js';
import { markAllReady, readRollout, setImage } from './lib/drive.js';
import { collection, referenced, rollout } from './lib/fixtures.js';
import { percentile } from './lib/stats.js';

/** Modelled EventBridge delivery (PutEvents to a warm Lambda's invocation). */
export const EVENTBRIDGE_MS = 400;
/** Modelled SQS pick-up after a delayed message becomes visible (Lambda's long-polling event source). */
export const SQS_PICKUP_MS = 300;
const TRIALS = 5;
const INSTANCE = 'bench-reaction';
// Unique per run, so a cluster that already ran it (a shared test cluster) is fine too.
const NS = `bench-reaction-${Date.now().toString(36)}`;

/** Reaction figures (milliseconds). */
export interface ReactionResult {
  eventBridgeMs: number;
  sqsPickupMs: number;
  imageToPass: { p50: number; samples: number[] };
  availableToStep: { p50: number; samples: number[] };
  pause30ActualMs: number;
  sixStepMs: number;
  stepInvocations: number;
  timersArmed: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`reaction bench: timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The AWS transport, modelled: events and timers reach the real step handler after their delays. */
function awsShape(c: BenchCluster): { fdeps: FunctionDeps; stats: { steps: number; timers: number } } {
  const gw = benchGateway(c, undefined, 40);
  const stats = { steps: 0, timers: 0 };
  const ctx = (): Context =>
    ({ awsRequestId: 'bench', getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;
  const invoke = (event: EventBridgeEvent<string, unknown> | SQSEvent): void => {
    stats.steps++;
    void Promise.resolve(step(event, ctx())).catch(() => undefined);
  };
  const fdeps: FunctionDeps = {
    config: readConfig({
      SLUICE_CLUSTERS: '[]',
      SLUICE_EVENT_BUS: 'sluice-bench',
      SLUICE_INSTANCE_ID: INSTANCE,
      SLUICE_WEBHOOK_SECRET_ID: 'unused',
      LOG_LEVEL: 'error',
    }),
    clusters: { names: () => ['bench'], gateway: async (n) => (n === 'bench' ? gw : undefined) },
    bus: {
      async send(events: BusEvent[]) {
        for (const e of events.filter((x) => x.detailType === 'sluice.step')) {
          const event = { id: 'bench', 'detail-type': e.detailType, detail: e.detail };
          setTimeout(() => invoke(event as EventBridgeEvent<string, unknown>), EVENTBRIDGE_MS);
        }
      },
    },
    timers: {
      async at(detail: StepDetail, at: Date, reason: string) {
        stats.timers++;
        const body = JSON.stringify({ detail, at: at.toISOString(), reason } satisfies TimerMessage);
        const record = { messageId: `t${stats.timers}`, body, eventSource: 'aws:sqs' };
        const wait = delaySeconds(at, new Date()) * 1000 + SQS_PICKUP_MS;
        setTimeout(() => invoke({ Records: [record] } as unknown as SQSEvent), wait);
      },
    },
    now: () => new Date(),
    webhookSecrets: async () => [],
  };
  const step = createStepHandler(async () => fdeps, { sink: () => undefined });
  return { fdeps, stats };
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

/** True once the Rollout's current ReplicaSet asks for pods that are not all available yet. */
async function canaryScaled(c: BenchCluster, name: string): Promise<true | undefined> {
  const r = await readRollout(c, NS, name);
  const hash = r.status?.currentPodHash;
  if (!hash || !observed(r)) return undefined;
  const list = (await admin(c, 'GET', `/apis/apps/v1/namespaces/${NS}/replicasets`)) as {
    items: {
      metadata: { labels?: Record<string, string> };
      spec: { replicas?: number };
      status?: { availableReplicas?: number };
    }[];
  };
  const rs = list.items.find((x) => x.metadata.labels?.['rollouts-pod-template-hash'] === hash);
  const want = rs?.spec.replicas ?? 0;
  return want > 0 && (rs?.status?.availableReplicas ?? 0) < want ? true : undefined;
}

const observed = (r: Rollout): boolean => Number(r.status?.observedGeneration) === r.metadata.generation;

export async function benchReaction(c: BenchCluster): Promise<ReactionResult> {
  await ensureNamespace(c, NS);
  await prepare(c, 'gate', [{ setWeight: 20 }, { pause: {} }]);
  await prepare(c, 'timed', [{ setWeight: 20 }, { pause: { duration: '30s' } }, { setWeight: 50 }]);
  const six: CanaryStep[] = [20, 40, 60].flatMap((w) => [{ setWeight: w }, { pause: { duration: '0s' } }]);
  await prepare(c, 'six', six);

  const { fdeps, stats } = awsShape(c);
  const abort = new AbortController();
  const counters: WatchCounters = { changes: 0, driftEvents: 0, stepEvents: 0, relists: 0, errors: 0 };
  const run = { memory: new Map<string, string>(), counters, log: silentLogger, signal: abort.signal };
  const watching = watchCluster(loopDeps(fdeps), 'bench', run);
  await sleep(1000); // lists and connects

  const imageToPass: number[] = [];
  const availableToStep: number[] = [];
  // Before each measured change, pending follow-ups (delivered EVENTBRIDGE_MS late) must have run: a quiet
  // second, so a reaction is the watch's and not a follow-up that happened to arrive just after the change.
  const quiet = (): Promise<void> => sleep(EVENTBRIDGE_MS + 1000);
  for (let i = 0; i < TRIALS; i++) {
    await quiet();
    const t0 = performance.now();
    await setImage(c, NS, 'gate', `registry.example/app:t${i}`);
    await until('the new revision', async () =>
      observed(await readRollout(c, NS, 'gate')) ? true : undefined,
    );
    imageToPass.push(performance.now() - t0);
    await until('the canary ReplicaSet scaled up', () => canaryScaled(c, 'gate'));
    await quiet();
    const t1 = performance.now();
    await markAllReady(c, NS);
    await until('step 0 committed', async () => {
      const r = await readRollout(c, NS, 'gate');
      return (r.status?.currentStepIndex ?? 0) >= 1 ? true : undefined;
    });
    availableToStep.push(performance.now() - t1);
  }

  // The timed pause: from the moment the pause is seen until the next step is seen (20 ms polls).
  await setImage(c, NS, 'timed', 'registry.example/app:v2');
  const kubelet = setInterval(() => void markAllReady(c, NS).catch(() => undefined), 100);
  const pausedAt = await until('the 30 s pause', async () => {
    const r = await readRollout(c, NS, 'timed');
    return r.status?.currentStepIndex === 1 && (r.status.pauseConditions ?? []).length > 0
      ? performance.now()
      : undefined;
  });
  const pauseEnd = await until('the step after the pause', async () => {
    const r = await readRollout(c, NS, 'timed');
    return (r.status?.currentStepIndex ?? 0) >= 2 ? performance.now() : undefined;
  });

  const s0 = performance.now();
  await setImage(c, NS, 'six', 'registry.example/app:v2');
  await until('the 6-step rollout Healthy', async () => {
    const r = await readRollout(c, NS, 'six');
    return observed(r) && r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash
      ? true
      : undefined;
  });
  const sixStepMs = performance.now() - s0;
  clearInterval(kubelet);
  abort.abort();
  await watching;
  return {
    eventBridgeMs: EVENTBRIDGE_MS,
    sqsPickupMs: SQS_PICKUP_MS,
    imageToPass: { p50: percentile(imageToPass, 50), samples: imageToPass },
    availableToStep: { p50: percentile(availableToStep, 50), samples: availableToStep },
    pause30ActualMs: pauseEnd - pausedAt,
    sixStepMs,
    stepInvocations: stats.steps,
    timersArmed: stats.timers,
  };
}
