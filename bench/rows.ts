/** The printed table: one row per figure, with its goal and its ratio to the limit measured in the same run. */
import type { ColdStart } from './cold.js';
import type { DriftResult } from './drift.js';
import type { FleetTick } from './fleet.js';
import type { MeasurementResult } from './measurement.js';
import type { OverheadResult } from './overhead.js';
import type { ReactionResult } from './reaction.js';
import { reactionRowsAll } from './reaction-rows.js';
import type { StepCase } from './step.js';
import { ms, times, type Row } from './lib/stats.js';

const KIB = 1024;
const MIB = 1024 * 1024;

export interface Results {
  step: StepCase[];
  dispatcher: { perRequestP50: number; cachedP50: number; savedPerRequestMs: number };
  cold: ColdStart[];
  fleet: FleetTick[];
  drift: DriftResult;
  overhead: OverheadResult;
  reaction: ReactionResult;
  measurement?: MeasurementResult;
}

/** Section 8: the measurement pass against the provider's own round trip. */
export function measurementRows(m: MeasurementResult): Row[] {
  return [
    {
      section: '8 measurement',
      metric: `provider call p50/p95, n=${m.runs}`,
      value: `${ms(m.providerMs.p50)} / ${ms(m.providerMs.p95)}`,
      limit: `query round trip ${ms(m.roundTripMs.p50)} / ${ms(m.roundTripMs.p95)}`,
      ratio: times(m.providerMs.p50 / m.roundTripMs.p50),
    },
    {
      section: '8 measurement',
      metric: `whole pass (templates, Secret, measure) p50/p95, n=${m.runs}`,
      value: `${ms(m.passMs.p50)} / ${ms(m.passMs.p95)}`,
      limit: reqs(m.passRequests),
      ratio: times(m.passMs.p50 / m.roundTripMs.p50),
    },
    {
      section: '8 measurement',
      metric: `engine pass (measure, run status write, Events) p50/p95, n=${m.runs}`,
      value: `${ms(m.enginePassMs.p50)} / ${ms(m.enginePassMs.p95)}`,
      limit: reqs(m.enginePassRequests),
      ratio: times(m.enginePassMs.p50 / m.roundTripMs.p50),
    },
  ];
}

const reqs = (r: Record<string, number>): string =>
  Object.entries(r)
    .map(([k, v]) => `${v} ${k.replace(/\.(argoproj|networking\.istio|apps)\.io$|\.apps$/, '')}`)
    .join(', ');

/** Section 3's rows: per function, bundle size and contents, cold import (wall and CPU), first response, RSS. */
export function coldRows(cold: ColdStart[]): Row[] {
  const rows: Row[] = [];
  for (const c of cold) {
    const top = c.packages
      .slice(0, 4)
      .map(([p, b]) => `${p} ${(b / KIB).toFixed(0)}K`)
      .join(', ');
    rows.push({
      section: `3 cold ${c.fn}`,
      metric: `bundle (${top})`,
      value: `${(c.bundleBytes / KIB).toFixed(0)} KiB`,
      goal: '≤ 600 KiB',
      met: c.bundleBytes <= 600 * KIB,
    });
    rows.push({
      section: `3 cold ${c.fn}`,
      metric: 'cold import, median of 10',
      value: ms(c.importMedianMs),
      limit: `CPU ${ms(c.importCpuMedianMs)}; node boot ${ms(c.bootMedianMs)}`,
      goal: '≤ 100 ms',
      met: c.importMedianMs <= 100,
    });
    rows.push({
      section: `3 cold ${c.fn}`,
      metric: 'process start → first response (the first invocation loads the AWS SDK clients)',
      value: ms(c.firstResponseMs),
      limit: `first invocation ${ms(c.handlerMs)}, CPU ${ms(c.handlerCpuMs)}; import + invocation CPU ${ms(c.importCpuMedianMs + c.handlerCpuMs)}`,
    });
    rows.push({
      section: `3 cold ${c.fn}`,
      metric: 'peak RSS',
      value: `${(c.maxRssBytes / MIB).toFixed(1)} MiB`,
      goal: '≤ 128 MiB',
      met: c.maxRssBytes <= 128 * MIB,
    });
  }
  return rows;
}

export function rowsFor(r: Results): Row[] {
  const rows: Row[] = [];
  for (const s of r.step) {
    const section = `1 step ${s.mode}`;
    rows.push({
      section,
      metric: `${s.case} (${s.transition}) p50/p95, n=${s.runs}`,
      value: `${ms(s.sluiceMs.p50)} / ${ms(s.sluiceMs.p95)}`,
      limit: `${ms(s.rawMs.p50)} / ${ms(s.rawMs.p95)}`,
      ratio: times(s.ratio),
      goal: 'p50 ≤ 2× limit',
      met: s.ratio <= 2,
    });
  }
  rows.push({
    section: '1 diagnosis',
    metric: 'nothing-due host p50, one reused TLS dispatcher',
    value: ms(r.dispatcher.cachedP50),
    limit: ms(r.dispatcher.perRequestP50),
    ratio: times(r.dispatcher.cachedP50 / r.dispatcher.perRequestP50),
    goal: '(as shipped = limit column)',
  });
  for (const s of r.step) {
    rows.push({
      section: `2 requests ${s.mode}`,
      metric: s.case,
      value: reqs(s.requests),
      goal: s.case === 'nothing-due' ? 'reads only' : '1 VS + 1 status (+DR/Svc on label change), no PUT',
      met: s.goalMet,
    });
  }
  rows.push(...coldRows(r.cold));
  for (const f of r.fleet) {
    rows.push({
      section: '4 fleet tick',
      metric: f.scenario,
      value: ms(f.wallMs),
      limit: `${reqs(f.requests)}; ${f.events} events in ${f.putEventsCalls} PutEvents`,
      ...(f.goalMet === undefined ? {} : { goal: '≤ 2 s, 1 LIST/cluster', met: f.goalMet }),
    });
  }
  rows.push({
    section: '5 drift',
    metric: `reaction p50 / p99 (n=${r.drift.trials})`,
    value: `${ms(r.drift.p50)} / ${ms(r.drift.p99)}`,
    limit: `drift-check ${ms(r.drift.driftCheckMedianMs)}`,
    goal: 'p99 ≤ 250 ms',
    met: r.drift.goalMet,
  });
  rows.push({
    section: '6 overhead',
    metric: `4-step rollout, 0 s pauses (median of ${r.overhead.runs})`,
    value: ms(r.overhead.totalMedianMs - r.overhead.requiredMs),
    limit: `${r.overhead.passesMedian} passes ${ms(r.overhead.passMsMedian)}, kubelet ${ms(r.overhead.kubeletMsMedian)}`,
  });
  rows.push(...reactionRows(r.reaction));
  if (r.measurement) rows.push(...measurementRows(r.measurement));
  return rows;
}

/** Section 7's rows (reaction: the AWS shape, `sluice run`, Argo's controller), each with its goal. */
export function reactionRows(x: ReactionResult): Row[] {
  return reactionRowsAll(x);
}
