/**
 * Section 4: the `schedule` function's tick (createScheduleHandler, the code Lambda runs) over many Rollouts:
 * 100, 1,000 and 5,000 in one cluster and 1,000 across 3 clusters, nothing due and 10 % due. Requests are counted
 * on the gateway; events go through the real EventBridge client to a loopback endpoint that counts them.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createScheduleHandler } from '../functions/schedule/handler.js';
import { putEvents } from '../shared/adapters/aws/events.js';
import { readConfig } from '../shared/runtimes/lambda/config.js';
import type { FunctionDeps } from '../shared/runtimes/lambda/deps.js';
import type { KubeGateway } from '../shared/app/kube-port/gateway.js';
import { LABELS } from '../shared/core/model/types.js';
import {
  admin,
  benchGateway,
  ensureNamespace,
  pool,
  RequestCounter,
  type BenchCluster,
} from './lib/cluster.js';
import { fakeAwsEnv, startFakeAws, type FakeAws } from './lib/fake-aws.js';
import { collection, rollout } from './lib/fixtures.js';
import { median } from './lib/stats.js';

/** One tick's figures (median wall time of `ticks` runs). */
export interface FleetTick {
  scenario: string;
  clusters: number;
  rollouts: number;
  dueFraction: number;
  wallMs: number;
  wallRunsMs: number[];
  requests: Record<string, number>;
  listsPerCluster: number;
  events: number;
  putEventsCalls: number;
  goalMet?: boolean;
}

const IN_FLIGHT = 20;
const idleStatus = {
  phase: 'Healthy',
  observedGeneration: '1',
  currentStepIndex: 1,
  currentPodHash: 'bench',
  stableRS: 'bench',
  replicas: 2,
};
const dueStatus = { ...idleStatus, observedGeneration: '0' };

const name = (i: number): string => `r${String(i).padStart(5, '0')}`;

async function setStatus(c: BenchCluster, ns: string, i: number, due: boolean): Promise<void> {
  await admin(c, 'PATCH', `${collection('Rollout', ns)}/${name(i)}/status`, {
    status: due ? dueStatus : idleStatus,
  });
}

/** Creates Rollouts `from..to-1` in `ns` (20 in flight), each with an idle status. */
async function createRollouts(
  c: BenchCluster,
  ns: string,
  instance: string,
  range: [number, number],
): Promise<void> {
  const [from, to] = range;
  const idx = Array.from({ length: to - from }, (_, k) => from + k);
  await pool(idx, IN_FLIGHT, async (i) => {
    const body = rollout('host', name(i), [{ setWeight: 50 }], { labels: { [LABELS.instanceId]: instance } });
    await admin(c, 'POST', collection('Rollout', ns), body);
    await setStatus(c, ns, i, false);
  });
}

async function markDue(c: BenchCluster, ns: string, n: number, due: boolean): Promise<void> {
  const idx = Array.from({ length: n }, (_, i) => i).filter((i) => i % 10 === 0);
  await pool(idx, IN_FLIGHT, (i) => setStatus(c, ns, i, due));
}

class Ticker {
  private readonly counter = new RequestCounter();
  private readonly gateways = new Map<string, KubeGateway>();
  constructor(
    private readonly fake: FakeAws,
    clusters: BenchCluster[],
    private readonly instance: string,
  ) {
    // Production gateway defaults (20 qps, burst 40): a tick makes one request per cluster.
    for (const c of clusters) this.gateways.set(c.name, benchGateway(c, this.counter, 20));
  }

  async tick(scenario: string, rollouts: number, dueFraction: number, runs = 3): Promise<FleetTick> {
    const env = fakeAwsEnv(this.fake);
    const config = readConfig({
      SLUICE_CLUSTERS: '[]',
      SLUICE_EVENT_BUS: 'sluice-bench',
      SLUICE_INSTANCE_ID: this.instance,
      SLUICE_WEBHOOK_SECRET_ID: 'unused',
      LOG_LEVEL: 'error',
    });
    const client = new EventBridgeClient({
      region: env.AWS_REGION,
      endpoint: this.fake.url,
      credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
    });
    const deps: FunctionDeps = {
      config,
      clusters: { names: () => [...this.gateways.keys()], gateway: async (n) => this.gateways.get(n) },
      bus: { send: (events) => putEvents(client, config.eventBusName, events) },
      now: () => new Date(),
      webhookSecrets: async () => [],
    };
    const handler = createScheduleHandler(async () => deps, { sink: () => undefined });
    const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
    const wall: number[] = [];
    let last: Pick<FleetTick, 'requests' | 'events' | 'putEventsCalls'> = {
      requests: {},
      events: 0,
      putEventsCalls: 0,
    };
    for (let i = 0; i < runs; i++) {
      this.counter.reset();
      this.fake.reset();
      const t0 = performance.now();
      const r = await handler({} as ScheduledEvent, context);
      wall.push(performance.now() - t0);
      if (r.rollouts !== rollouts || r.failedClusters.length > 0) {
        throw new Error(
          `${scenario}: the tick saw ${r.rollouts} Rollouts (want ${rollouts}), failed: ${r.failedClusters.join(',')}`,
        );
      }
      last = {
        requests: this.counter.snapshot(),
        events: this.fake.entries,
        putEventsCalls: this.fake.putEventsCalls,
      };
    }
    client.destroy();
    const clusters = this.gateways.size;
    const lists = Object.entries(last.requests)
      .filter(([k]) => k.startsWith('list'))
      .reduce((s, [, v]) => s + v, 0);
    return {
      scenario,
      clusters,
      rollouts,
      dueFraction,
      wallMs: median(wall),
      wallRunsMs: wall,
      ...last,
      listsPerCluster: lists / clusters,
    };
  }
}

/** Runs the fleet scenarios. `extra` are the 2 other clusters for the 3-cluster case. */
export async function benchFleet(
  main: BenchCluster,
  extra: BenchCluster[],
  sizes = [100, 1000, 5000],
  log: (m: string) => void = () => undefined,
): Promise<{ ticks: FleetTick[]; setupSeconds: number }> {
  const fake = await startFakeAws();
  const t0 = performance.now();
  const ticks: FleetTick[] = [];
  const ns = 'bench-fleet';
  await ensureNamespace(main, ns);
  const one = new Ticker(fake, [main], 'bench-fleet');
  try {
    let have = 0;
    for (const n of sizes) {
      log(`fleet: creating Rollouts ${have}..${n - 1}`);
      await createRollouts(main, ns, 'bench-fleet', [have, n]);
      have = n;
      ticks.push(await one.tick(`${n} in 1 cluster, nothing due`, n, 0));
      await markDue(main, ns, n, true);
      ticks.push(await one.tick(`${n} in 1 cluster, 10 % due`, n, 0.1));
      await markDue(main, ns, n, false);
    }
    if (extra.length > 0) {
      const all = [main, ...extra];
      const per = Math.floor(1000 / all.length);
      log(`fleet: creating 1000 Rollouts across ${all.length} clusters`);
      const counts = all.map((_, k) => (k === 0 ? 1000 - per * (all.length - 1) : per));
      await Promise.all(
        all.map(async (c, k) => {
          await ensureNamespace(c, 'bench-fleet3');
          await createRollouts(c, 'bench-fleet3', 'bench-fleet3', [0, counts[k] ?? 0]);
        }),
      );
      const multi = new Ticker(fake, all, 'bench-fleet3');
      ticks.push(await multi.tick(`1000 across ${all.length} clusters, nothing due`, 1000, 0));
      await Promise.all(all.map((c, k) => markDue(c, 'bench-fleet3', counts[k] ?? 0, true)));
      ticks.push(await multi.tick(`1000 across ${all.length} clusters, 10 % due`, 1000, 0.1));
    }
  } finally {
    await fake.close();
  }
  for (const t of ticks) {
    if (t.rollouts === 5000 && t.dueFraction === 0) t.goalMet = t.wallMs <= 2000 && t.listsPerCluster === 1;
  }
  return {
    ticks,
    setupSeconds:
      (performance.now() - t0) / 1000 -
      ticks.reduce((s, t) => s + t.wallRunsMs.reduce((a, b) => a + b, 0), 0) / 1000,
  };
}
