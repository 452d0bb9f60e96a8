/**
 * Section 5: drift reaction through the functions' code paths, in process: the `watch` handler holds its watches
 * on the test API server and its drift events are delivered at once (EventBridge latency not included) to the
 * `drift-check` handler, which runs the engine pass that restores the VirtualService. A foreign write sets the
 * weights back to stable 100 mid-rollout; the time is from that write's response until a watch of our own sees the
 * weights restored.
 */
import type { Context, EventBridgeEvent, ScheduledEvent } from 'aws-lambda';
import { createDriftCheckHandler } from '../functions/drift-check/handler.js';
import { createWatchHandler, type WatchMemory } from '../functions/watch/handler.js';
import { readConfig } from '../shared/runtimes/lambda/config.js';
import type { FunctionDeps } from '../shared/runtimes/lambda/deps.js';
import type { BusEvent } from '../shared/app/contract.js';
import { runStep, type StepDeps } from '../shared/app/step.js';
import { LABELS } from '../shared/core/model/types.js';
import { kubeStream } from '../tools/test-cluster/kube-http.js';
import { admin, benchGateway, ensureNamespace, type BenchCluster } from './lib/cluster.js';
import { markAllReady } from './lib/drive.js';
import { collection, referenced, rollout } from './lib/fixtures.js';
import { percentile } from './lib/stats.js';

/** Drift figures. */
export interface DriftResult {
  trials: number;
  p50: number;
  p99: number;
  max: number;
  samplesMs: number[];
  driftEvents: number;
  /** Median time the drift-check handler took per event (the rest is the watch's flush wait and delivery). */
  driftCheckMedianMs: number;
  goalMet: boolean;
}

const NS = 'bench-drift';
const NAME = 'app';
const INSTANCE = 'bench-drift';
const WINDOW_MS = 15_000;

type Route = { destination: { host: string }; weight: number };
const weights = (vs: { spec?: { http?: { route?: Route[] }[] } }): number[] =>
  (vs.spec?.http?.[0]?.route ?? []).map((r) => r.weight);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function benchDrift(c: BenchCluster, trials = 50): Promise<DriftResult> {
  await ensureNamespace(c, NS);
  for (const o of referenced('host', NAME))
    await admin(c, 'POST', collection((o as { kind: string }).kind, NS), o);
  const labels = { [LABELS.instanceId]: INSTANCE };
  await admin(
    c,
    'POST',
    collection('Rollout', NS),
    rollout('host', NAME, [{ setWeight: 30 }, { pause: {} }], { labels }),
  );
  const gw = benchGateway(c);
  const deps: StepDeps = { gateway: gw, now: () => new Date() };
  const image = '/spec/template/spec/containers/0/image';
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 30; i++) {
      await markAllReady(c, NS);
      const r = await runStep(deps, { namespace: NS, name: NAME });
      if (r.writes === 0 && !r.followUp) return;
    }
  };
  await settle();
  await admin(
    c,
    'PATCH',
    `${collection('Rollout', NS)}/${NAME}`,
    [{ op: 'replace', path: image, value: 'registry.example/reviews:v2' }],
    'application/json-patch+json',
  );
  await settle();
  const vsPath = `${collection('VirtualService', NS)}/${NAME}`;
  const wanted = weights(await admin(c, 'GET', vsPath)).join('/');
  if (wanted !== '70/30') throw new Error(`drift bench: expected weights 70/30 mid-rollout, got ${wanted}`);

  let driftEvents = 0;
  const checkMs: number[] = [];
  const config = readConfig({
    SLUICE_CLUSTERS: '[]',
    SLUICE_EVENT_BUS: 'sluice-bench',
    SLUICE_INSTANCE_ID: INSTANCE,
    SLUICE_WEBHOOK_SECRET_ID: 'unused',
    SLUICE_WATCH_STOP_BEFORE_SECONDS: '1',
    LOG_LEVEL: 'error',
  });
  const silent = { sink: () => undefined };
  const handlers: { drift?: ReturnType<typeof createDriftCheckHandler> } = {};
  const fdeps: FunctionDeps = {
    config,
    clusters: { names: () => ['bench'], gateway: async (n) => (n === 'bench' ? gw : undefined) },
    bus: {
      // EventBridge delivery replaced by a direct call: only sluice's own latency is measured.
      async send(events: BusEvent[]) {
        for (const e of events) {
          if (e.detailType !== 'sluice.drift') continue;
          driftEvents++;
          const t = performance.now();
          await handlers.drift?.(
            { id: 'bench', detail: e.detail } as EventBridgeEvent<string, unknown>,
            ctx(60_000),
          );
          checkMs.push(performance.now() - t);
        }
      },
    },
    now: () => new Date(),
    webhookSecrets: async () => [],
  };
  handlers.drift = createDriftCheckHandler(async () => fdeps, silent);
  const memory: WatchMemory = new Map();
  const watch = createWatchHandler(async () => fdeps, silent, memory);
  const ctx = (ms: number): Context => {
    const until = Date.now() + ms;
    return {
      awsRequestId: 'bench',
      getRemainingTimeInMillis: () => until - Date.now(),
    } as unknown as Context;
  };

  const samples: number[] = [];
  let windowEnds = 0;
  let running: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < trials + 2; i++) {
    if (windowEnds - Date.now() < 3000) {
      await running;
      windowEnds = Date.now() + WINDOW_MS;
      running = watch({} as ScheduledEvent, ctx(WINDOW_MS + 1000));
      await sleep(300); // the watch lists and connects
    }
    // A foreign write lands at a random point of the watch flush period (about 1.1 s), not just after a flush.
    await sleep(100 + Math.random() * 1100);
    const t0 = performance.now();
    const w = await admin(
      c,
      'PATCH',
      vsPath,
      [
        { op: 'replace', path: '/spec/http/0/route/0/weight', value: 100 },
        { op: 'replace', path: '/spec/http/0/route/1/weight', value: 0 },
      ],
      'application/json-patch+json',
    );
    const seen = await kubeStream(
      c.conn,
      `${vsPath.replace(/\/[^/]+$/, '')}?watch=1&fieldSelector=metadata.name%3D${NAME}&resourceVersion=${w.metadata.resourceVersion}`,
      (events) => events.some((e) => weights(e.object ?? {}).join('/') === wanted),
      10_000,
    );
    const dt = performance.now() - t0;
    if (seen.timedOut) throw new Error(`drift trial ${i}: weights not restored within 10 s`);
    if (i >= 2) samples.push(dt);
  }
  await running;
  const p99 = percentile(samples, 99);
  return {
    trials: samples.length,
    p50: percentile(samples, 50),
    p99,
    max: Math.max(...samples),
    samplesMs: samples,
    driftEvents,
    driftCheckMedianMs: percentile(checkMs, 50),
    goalMet: p99 <= 250,
  };
}
