/**
 * `npm run bench`: starts its own test cluster(s) (tools/test-cluster, as the jest global setup does), runs the
 * eight measurements, the dashboard's and the request bound's (section 9), prints one table, writes
 * bench/results.json, and stops every cluster it started.
 *
 * Flags: --runs N (step passes per case, default 50), --drift N (drift trials, default 50),
 * --sizes 100,1000,5000 (fleet sizes), --no-multi (skip the 3-cluster fleet case), --dashboard-only (only the
 * dashboard's page weight and time to first render: no test cluster, results in bench/dashboard.json),
 * --only measurement (section 8 alone: one cluster and a Prometheus, about a minute), --only reaction (section 7
 * alone: the reaction rows the README quotes, for the AWS shape, `sluice run` and Argo's controller, about 3-4
 * minutes), --only cold (section 3 alone: the bundles' size, contents and cold start, about a minute), --only bound
 * [--rollouts N] (the peak request rate one cluster sees with N Rollouts due at once, default 500, against the
 * configured bound; about 2 minutes per 100; also the last section of a full run, which `--no-bound` leaves out).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { benchBound, boundRows } from './bound.js';
import { benchCold } from './cold.js';
import { benchDrift } from './drift.js';
import { benchFleet } from './fleet.js';
import { startBenchCluster, stopBenchClusters, repoRoot, type BenchCluster } from './lib/cluster.js';
import { table, type Row } from './lib/stats.js';
import { benchMeasurement } from './measurement.js';
import { benchOverhead } from './overhead.js';
import { benchStepMode, diagnoseDispatcher, seedSettled } from './step.js';
import { coldRows, measurementRows, reactionRows, rowsFor } from './rows.js';
import { benchReaction } from './reaction.js';
import { benchDashboard, dashboardRows } from './dashboard.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const log = (m: string): void => void process.stderr.write(`[bench] ${m}\n`);

function machine(): Record<string, unknown> {
  const sh = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return 'n/a';
    }
  };
  return {
    nproc: sh('nproc', []),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memory: sh('free', ['-h']),
    loadAverage: os.loadavg(),
    node: process.version,
    kernel: os.release(),
  };
}

/** `--dashboard-only`: the dashboard's figures alone. */
async function dashboardOnly(): Promise<void> {
  log('dashboard: page weight and first render in headless Chromium');
  const dashboard = await benchDashboard();
  writeFileSync(
    path.join(repoRoot, 'bench', 'dashboard.json'),
    `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), dashboard }, null, 2)}\n`,
  );
  process.stdout.write(`\n${table(dashboardRows(dashboard))}\n\nresults in bench/dashboard.json\n`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--dashboard-only')) return dashboardOnly();
  const runs = Number(flag('--runs', '50'));
  const driftTrials = Number(flag('--drift', '50'));
  const sizes = flag('--sizes', '100,1000,5000').split(',').map(Number);
  const multi = !process.argv.includes('--no-multi');
  const t0 = performance.now();
  const stamp = (): string => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
  const onSignal = (): void => {
    void stopBenchClusters().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const before = machine();
  try {
    log('starting the test cluster');
    const main = await startBenchCluster('a');
    log(`cluster a ready in ${main.startSeconds} s (${stamp()})`);
    const only = flag('--only', '');
    if (only === 'measurement') {
      const measurement = await benchMeasurement(main, runs);
      process.stdout.write(`\n${table(measurementRows(measurement))}\n${JSON.stringify(measurement)}\n`);
      return;
    }
    if (only === 'cold') {
      const cold = await benchCold(main, await seedSettled(main, 'subset', 'bench-cold'));
      process.stdout.write(
        `\n${table(coldRows(cold))}\n${JSON.stringify({ loadAverage: os.loadavg(), cold })}\n`,
      );
      return;
    }
    if (only === 'bound') {
      const bound = await benchBound(main, Number(flag('--rollouts', '500')), log);
      process.stdout.write(`\n${table(boundRows(bound))}\n${JSON.stringify(bound)}\n`);
      return;
    }
    if (only === 'reaction') {
      const reaction = await benchReaction(main);
      process.stdout.write(`\n${table(reactionRows(reaction))}\n${JSON.stringify(reaction)}\n`);
      return;
    }
    const step = [
      ...(await benchStepMode(main, 'host', runs)),
      ...(await benchStepMode(main, 'subset', runs)),
    ];
    const dispatcher = await diagnoseDispatcher(main, runs);
    log(`step latency done (${stamp()})`);
    const overhead = await benchOverhead(main, 5);
    log(`rollout overhead done (${stamp()})`);
    const measurement = await benchMeasurement(main, runs);
    log(`measurement pass done (${stamp()})`);
    const drift = await benchDrift(main, driftTrials);
    log(`drift reaction done (${stamp()})`);
    const cold = await benchCold(main, { namespace: 'bench-step-subset', name: 'app' });
    log(`cold start done (${stamp()})`);
    const reaction = await benchReaction(main);
    log(`reaction done (${stamp()})`);
    const extras: Promise<BenchCluster>[] = multi ? [startBenchCluster('b'), startBenchCluster('c')] : [];
    // The 5,000-Rollout creation overlaps the two extra clusters' start.
    const fleet = await benchFleet(main, [], sizes, log);
    const extra = await Promise.all(extras);
    const fleet3 = multi ? await benchFleet3(main, extra) : undefined;
    log(`fleet done (${stamp()})`);
    const dashboard = await benchDashboard();
    log(`dashboard done (${stamp()})`);
    const bound = process.argv.includes('--no-bound')
      ? undefined
      : await benchBound(main, Number(flag('--rollouts', '500')), log);
    if (bound) log(`bound done (${stamp()})`);
    const results = {
      date: new Date().toISOString(),
      wallSeconds: Math.round((performance.now() - t0) / 100) / 10,
      machine: { ...before, loadAverageAfter: os.loadavg() },
      clusterStartSeconds: [main.startSeconds, ...extra.map((c) => c.startSeconds)],
      step,
      dispatcher,
      cold,
      fleet: [...fleet.ticks, ...(fleet3?.ticks ?? [])],
      drift,
      overhead,
      reaction,
      dashboard,
      measurement,
      ...(bound ? { bound } : {}),
    };
    writeFileSync(path.join(repoRoot, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const rows: Row[] = [
      ...rowsFor(results),
      ...dashboardRows(dashboard),
      ...(bound ? boundRows(bound) : []),
    ];
    process.stdout.write(`\n${table(rows)}\n\n`);
    process.stdout.write(
      `machine: ${String(before.nproc)} cores (${String(before.cpuModel)}), node ${process.version}, load ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}; wall ${results.wallSeconds} s; results in bench/results.json\n`,
    );
  } finally {
    await stopBenchClusters();
  }
}

async function benchFleet3(main: BenchCluster, extra: BenchCluster[]): ReturnType<typeof benchFleet> {
  return benchFleet(main, extra, [], log);
}

await main();
process.exit(0);
