#!/usr/bin/env node
// `npm run cost`: the monthly AWS cost of a sluice deployment for three fleet sizes, as the markdown table that
// docs/deploy.md ("Cost") shows (tests/functions/cost.test.ts checks the doc's table equals this output).
//
// Memory sizes, the watch function's timeout and the number of alarms are read from the stack's own files
// (serverless.yml, deploy/aws/resources.yml). Per-invocation durations are the figures of the `npm run bench` run
// that docs/performance.md reports (BENCH below); `--results bench/results.json` takes them from a newer run.
// Everything else is an assumption, named in ASSUMPTIONS and printed under the table.
//
//   npm run cost                                   the table for the committed bench figures
//   npm run cost -- --results bench/results.json   the same from a fresh `npm run bench`
//   npm run cost -- --serverless other.yml         memory sizes from another serverless.yml
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';

/** AWS list prices, us-east-1, arm64, in USD, as published in June 2026 (not fetched at run time). */
export const PRICES = {
  asOf: '2026-06',
  lambdaPerRequest: 0.2 / 1e6,
  lambdaPerGbSecond: 0.0000133334, // arm64, first 7.5 billion GB-s a month
  eventBridgeCustomEvent: 1.0 / 1e6, // per event up to 64 KB; scheduled rule events (AWS-generated) are free
  sqsPerRequest: 0.4 / 1e6, // standard queue, per 64 KB chunk
  sqsFifoPerRequest: 0.5 / 1e6, // FIFO queue, per 64 KB chunk
  httpApiPerRequest: 1.0 / 1e6, // HTTP API, first 300 million a month
  secretPerMonth: 0.4,
  secretsPer10kCalls: 0.05,
  ssmStandardGetParameter: 0, // Standard parameters at standard throughput: no charge
  logsPerGbIngested: 0.5,
  alarmPerMonth: 0.1, // standard resolution, one metric
};

/**
 * Per-invocation durations (ms) of the bench run in docs/performance.md ("Latest figures"). Rows: 1 step pass with a
 * weight change (p50), 3 promote's first response (cold, the only promote figure), 4 fleet tick by fleet size
 * (nothing due), 5 drift-check handler (median), 7 six-step rollout (step invocations, timers armed).
 */
export const BENCH = {
  stepPassMs: 115.8,
  promoteMs: 87,
  scheduleTickMs: { 100: 51, 1000: 213, 5000: 428 },
  driftCheckMs: 35.2,
  sixSteps: { stepInvocations: 78, timersArmed: 16 },
};

/** What is assumed, not measured: printed under the table. */
export const ASSUMPTIONS = {
  hoursPerMonth: 730,
  /** One update = a new revision through 6 steps, as bench row 7 drives it. */
  stepsPerUpdate: 6,
  /** Notices per update: new revision, one per step, promotion. */
  noticesPerUpdate: 8,
  /** Drift reports per update: the watch sees sluice's own VirtualService and Service writes too. */
  driftReportsPerUpdate: 8,
  /** HTTP API requests per update: one promote, two reads. */
  apiRequestsPerUpdate: 3,
  /** A timer arrives up to 1 s early (SQS delays are whole seconds) and the step function waits: 0.5 s on average. */
  timerWaitMs: 500,
  /** SQS requests per timer: send, receive, delete. */
  sqsRequestsPerTimer: 3,
  /** Lambda's poller on the timer queue: 5 long polls of 20 s at all times (empty receives are billed). */
  idlePollers: 5,
  /** The step queue (FIFO): every pass is forwarded to it by a short `step` invocation (one SendMessage). */
  forwardMs: 30,
  /** SQS requests per pass on the step queue: send (the forward), receive, delete. */
  sqsRequestsPerPass: 3,
  /** Lambda's poller on the step queue: as on the timer queue, 5 long polls of 20 s at all times. */
  stepQueueIdlePollers: 5,
  /** Log bytes per invocation (Lambda's START/END/REPORT lines and sluice's info lines); per watch run. */
  logBytesPerInvocation: 1000,
  logBytesPerWatchRun: 20000,
  logBytesPerApiRequest: 500,
  /** Secrets: the generated webhook key; EKS clusters need no kubeconfig secret. Reads: cached 5 min per container. */
  secrets: 1,
  secretReadsPerUpdate: 1,
  /** One warm container per function, each re-reading a `secret` cluster's kubeconfig every 5 minutes. */
  warmContainers: 5,
  /** The watch stops this long before its timeout (SLUICE_WATCH_STOP_BEFORE_SECONDS, default 30). */
  watchStopBeforeSeconds: 30,
};

/** The fleets of the table. */
export const FLEETS = [
  { rollouts: 10, clusters: 1, updatesPerDay: 2 },
  { rollouts: 100, clusters: 3, updatesPerDay: 20 },
  { rollouts: 1000, clusters: 10, updatesPerDay: 200 },
];

function flag(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Memory (MB) per function, the watch timeout (s) and the alarm count, from the stack's files. */
export function stackFacts(serverlessPath = 'serverless.yml', resourcesPath = 'deploy/aws/resources.yml') {
  const sls = parse(readFileSync(serverlessPath, 'utf8'));
  const memory = {};
  for (const [name, fn] of Object.entries(sls.functions)) {
    if (typeof fn.memorySize !== 'number')
      throw new Error(`${serverlessPath}: function ${name} has no memorySize`);
    memory[name] = fn.memorySize;
  }
  const watchTimeout = sls.functions.watch?.timeout;
  if (typeof watchTimeout !== 'number') throw new Error(`${serverlessPath}: function watch has no timeout`);
  const resources = parse(readFileSync(resourcesPath, 'utf8')).Resources;
  const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length;
  return { memory, watchTimeout, alarms };
}

/** The bench figures from a `npm run bench` results file. */
export function benchFrom(path) {
  const r = JSON.parse(readFileSync(path, 'utf8'));
  const stepCase = r.step.find((s) => s.mode === 'host' && s.case === 'weight-change');
  const ticks = {};
  for (const t of r.fleet.filter((f) => f.clusters === 1 && f.dueFraction === 0))
    ticks[t.rollouts] = t.wallMs;
  const promote = r.cold.find((c) => c.fn === 'promote');
  if (!stepCase || !promote || Object.keys(ticks).length === 0 || !r.drift || !r.reaction)
    throw new Error(`${path}: not a full bench run (step, cold, fleet, drift and reaction sections needed)`);
  const ms = (n) => Math.round(n * 10) / 10;
  for (const size of Object.keys(ticks)) ticks[size] = ms(ticks[size]);
  return {
    stepPassMs: ms(stepCase.sluiceMs.p50),
    promoteMs: ms(promote.handlerMs),
    scheduleTickMs: ticks,
    driftCheckMs: ms(r.drift.driftCheckMedianMs),
    sixSteps: { stepInvocations: r.reaction.stepInvocations, timersArmed: r.reaction.timersArmed },
  };
}

/** The tick time for `n` Rollouts per cluster: the smallest measured fleet at least that large (else the largest). */
function tickMs(bench, n) {
  const sizes = Object.keys(bench.scheduleTickMs)
    .map(Number)
    .sort((a, b) => a - b);
  const size = sizes.find((s) => s >= n) ?? sizes.at(-1);
  return bench.scheduleTickMs[size];
}

/** One fleet's monthly quantities and dollars, line by line. */
export function monthly(fleet, facts, bench, a = ASSUMPTIONS, p = PRICES) {
  const updates = (fleet.updatesPerDay * a.hoursPerMonth) / 24;
  const gb = (fn) => facts.memory[fn] / 1024;
  const ticks = a.hoursPerMonth * 60;
  const watchRuns = a.hoursPerMonth * 4;
  const timers = updates * bench.sixSteps.timersArmed;
  const steps = updates * bench.sixSteps.stepInvocations;
  const drifts = updates * a.driftReportsPerUpdate;
  const api = updates * a.apiRequestsPerUpdate;
  // Every pass on AWS runs from the step queue: one more short `step` invocation per pass forwards it there.
  const forwards = steps;
  const requests = ticks + watchRuns + steps + forwards + drifts + api;
  const gbs = {
    schedule: ticks * gb('schedule') * (tickMs(bench, fleet.rollouts / fleet.clusters) / 1000),
    watch: watchRuns * gb('watch') * (facts.watchTimeout - a.watchStopBeforeSeconds),
    others:
      steps * gb('step') * (bench.stepPassMs / 1000) +
      timers * gb('step') * (a.timerWaitMs / 1000) +
      forwards * gb('step') * (a.forwardMs / 1000) +
      drifts * gb('drift-check') * (bench.driftCheckMs / 1000) +
      api * gb('promote') * (bench.promoteMs / 1000),
  };
  const events = steps - timers + updates * a.noticesPerUpdate + drifts;
  const idlePolls = (a.idlePollers * a.hoursPerMonth * 3600) / 20;
  const sqs = timers * a.sqsRequestsPerTimer + idlePolls;
  const fifo = steps * a.sqsRequestsPerPass + (a.stepQueueIdlePollers * a.hoursPerMonth * 3600) / 20;
  const secretCalls = updates * a.secretReadsPerUpdate;
  const logBytes =
    (ticks + steps + forwards + drifts + api) * a.logBytesPerInvocation +
    watchRuns * a.logBytesPerWatchRun +
    api * a.logBytesPerApiRequest;
  const logGb = logBytes / 1024 ** 3;
  const lines = [
    ['Lambda requests', requests, requests * p.lambdaPerRequest],
    ['Lambda GB-s, `schedule` (every minute)', gbs.schedule, gbs.schedule * p.lambdaPerGbSecond],
    ['Lambda GB-s, `watch` (always running)', gbs.watch, gbs.watch * p.lambdaPerGbSecond],
    ['Lambda GB-s, `step`, `drift-check`, `promote`', gbs.others, gbs.others * p.lambdaPerGbSecond],
    ['EventBridge custom events', events, events * p.eventBridgeCustomEvent],
    ['SQS requests (timers, idle polling)', sqs, sqs * p.sqsPerRequest],
    ['SQS FIFO requests (step queue, idle polling)', fifo, fifo * p.sqsFifoPerRequest],
    ['API Gateway HTTP API requests', api, api * p.httpApiPerRequest],
    [
      'Secrets Manager (secrets + reads)',
      secretCalls,
      a.secrets * p.secretPerMonth + (secretCalls / 1e4) * p.secretsPer10kCalls,
    ],
    ['CloudWatch Logs ingested (GB)', logGb, logGb * p.logsPerGbIngested],
    [`CloudWatch alarms (${facts.alarms})`, facts.alarms, facts.alarms * p.alarmPerMonth],
  ];
  return { lines, total: lines.reduce((s, l) => s + l[2], 0) };
}

const count = (n) =>
  n >= 10 ? Math.round(n).toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
const usd = (n) => `$${n.toFixed(2)}`;

/** The markdown table and its notes. */
export function costTable(facts, bench, fleets = FLEETS) {
  const runs = fleets.map((f) => monthly(f, facts, bench));
  const head = fleets.map(
    (f) =>
      `${f.rollouts.toLocaleString('en-US')} Rollouts, ${f.clusters} cluster${f.clusters > 1 ? 's' : ''}, ${f.updatesPerDay} updates/day`,
  );
  const rows = [
    `| per month | ${head.join(' | ')} |`,
    `|---|${fleets.map(() => '---:').join('|')}|`,
    ...runs[0].lines.map(
      (l, i) =>
        `| ${l[0]} | ${runs.map((r) => `${count(r.lines[i][1])} = ${usd(r.lines[i][2])}`).join(' | ')} |`,
    ),
    `| **total** | ${runs.map((r) => `**${usd(r.total)}**`).join(' | ')} |`,
  ];
  const mem = Object.entries(facts.memory)
    .map(([fn, mb]) => `${fn} ${mb} MB`)
    .join(', ');
  const a = ASSUMPTIONS;
  const reads = a.warmContainers * 12 * a.hoursPerMonth;
  const perSecretCluster = PRICES.secretPerMonth + (reads / 1e4) * PRICES.secretsPer10kCalls;
  const notes = [
    '',
    `Each cluster registered as \`secret\` instead of \`eks\` adds its secret and up to ${count(reads)} reads: ${usd(perSecretCluster)}.`,
    `Prices: us-east-1, arm64, list prices of ${PRICES.asOf}, no free tier. Memory (serverless.yml): ${mem}.`,
    `Durations (ms, bench): step pass ${bench.stepPassMs}, promote ${bench.promoteMs}, drift-check ${bench.driftCheckMs}, ` +
      `schedule tick ${Object.entries(bench.scheduleTickMs)
        .map(([n, ms]) => `${n}: ${ms}`)
        .join(
          ' / ',
        )}; per update ${bench.sixSteps.stepInvocations} step invocations, ${bench.sixSteps.timersArmed} timers.`,
  ];
  return `${rows.join('\n')}\n${notes.join('\n')}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const facts = stackFacts(flag('--serverless') ?? 'serverless.yml');
  const results = flag('--results');
  process.stdout.write(costTable(facts, results ? benchFrom(results) : BENCH));
}
