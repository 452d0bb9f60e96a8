/**
 * Sections 1 and 2: warm `runStep` latency and API requests per pass, for (a) nothing due, (b) a weight change,
 * (c) a promotion, host-level and subset-level; each timed pass is followed by the same reads and writes as raw
 * HTTPS requests from the same restored state (the physical limit).
 */
import { runStep, type StepDeps, type StepResult } from '../shared/app/step.js';
import type { Rollout } from '../shared/core/model/types.js';
import { benchGateway, ensureNamespace, RequestCounter, type BenchCluster } from './lib/cluster.js';
import { markAllReady, seed, setImage } from './lib/drive.js';
import type { Mode } from './lib/fixtures.js';
import { replay } from './lib/raw.js';
import { recording, type RecordedWrite, type Recording } from './lib/recorder.js';
import { restore, snapshot, type Snapshot } from './lib/snapshot.js';
import { percentile } from './lib/stats.js';

/** One case's figures. */
export interface StepCase {
  mode: Mode;
  case: 'nothing-due' | 'weight-change' | 'promotion';
  runs: number;
  transition: string;
  sluiceMs: { p50: number; p95: number };
  rawMs: { p50: number; p95: number };
  /** sluice p50 ÷ raw p50. */
  ratio: number;
  /** Requests per pass by `verb resource` (onRequest hook). */
  requests: Record<string, number>;
  /** The writes of one pass, `verb resource[/status] name: paths`. */
  writes: string[];
  objectWrites: number;
  eventWrites: number;
  fullPuts: number;
  goalMet: boolean;
  goalNote: string;
}

const NAME = 'app';
const STEPS = [{ setWeight: 20 }, { setWeight: 50 }];

function describe(w: RecordedWrite): string {
  if (w.kind === 'create') return `create ${w.resource} ${w.body.metadata.name}`;
  const t = w.target;
  const what = `${t.resource}${t.subresource ? '/status' : ''} ${t.name}`;
  if (w.kind === 'merge') return `merge-patch ${what}`;
  const paths = w.ops.filter((o) => o.op !== 'test').map((o) => o.path);
  return `patch ${what}: ${paths.join(', ')}`;
}

/** Goal 2 for one pass. */
function judge(
  kind: StepCase['case'],
  writes: RecordedWrite[],
  verbs: string[],
): { met: boolean; note: string } {
  const fullPuts = verbs.filter((v) => v.startsWith('update') || v.startsWith('replace')).length;
  const objects = writes.filter((w) => !(w.kind === 'create' && w.resource === 'events'));
  if (kind === 'nothing-due') return { met: writes.length === 0, note: `${writes.length} writes (goal 0)` };
  const vs = objects.filter((w) => w.kind !== 'create' && w.target.resource === 'virtualservices').length;
  const status = objects.filter((w) => w.kind !== 'create' && w.target.subresource === 'status').length;
  const selectorOnly = objects
    .filter((w) => w.kind === 'patch' && ['services', 'destinationrules'].includes(w.target.resource))
    .every(
      (w) =>
        w.kind === 'patch' &&
        w.ops.every((o) => o.op === 'test' || /selector|\/subsets\/\d+\/labels/.test(o.path)),
    );
  const others = objects.length - vs - status;
  const extra = objects.filter(
    (w) =>
      w.kind === 'create' ||
      !['services', 'destinationrules', 'virtualservices', 'rollouts'].includes(w.target.resource),
  ).length;
  const met = vs === 1 && status === 1 && selectorOnly && extra === 0 && fullPuts === 0;
  return {
    met,
    note: `${vs} VS + ${status} status + ${others} DR/Service/other (selector/labels only: ${selectorOnly}), ${fullPuts} PUT`,
  };
}

/** Seeds a Rollout (`app`, steps setWeight 20/50) in `ns` and runs passes until it has nothing left to do. */
export async function seedSettled(
  c: BenchCluster,
  mode: Mode,
  ns: string,
): Promise<{ namespace: string; name: string }> {
  await ensureNamespace(c, ns);
  await seed(c, ns, mode, NAME, STEPS);
  await settle(c, { gateway: benchGateway(c), now: () => new Date() }, ns);
  return { namespace: ns, name: NAME };
}

async function settle(c: BenchCluster, deps: StepDeps, ns: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await markAllReady(c, ns);
    const r = await runStep(deps, { namespace: ns, name: NAME });
    if (r.writes === 0 && !r.followUp) return;
  }
  throw new Error(`rollout ${ns}/${NAME} did not settle in 40 passes`);
}

interface TrialSetup {
  c: BenchCluster;
  deps: StepDeps;
  rec: Recording;
  counter: RequestCounter;
  ns: string;
}

async function trials(
  { c, deps, rec, counter, ns }: TrialSetup,
  snap: Snapshot | undefined,
  runs: number,
): Promise<{
  sluice: number[];
  raw: number[];
  first: StepResult;
  requests: Record<string, number>;
  writes: RecordedWrite[];
  verbs: string[];
}> {
  const sluice: number[] = [];
  const raw: number[] = [];
  let first: StepResult | undefined;
  let requests: Record<string, number> = {};
  let writes: RecordedWrite[] = [];
  let verbs: string[] = [];
  const warm = 3;
  for (let i = 0; i < warm + runs; i++) {
    if (snap) await restore(c, ns, snap);
    rec.clear();
    counter.reset();
    const t0 = performance.now();
    const r = await runStep(deps, { namespace: ns, name: NAME });
    const t = performance.now() - t0;
    first ??= r;
    if (r.transition !== first.transition || r.writes !== first.writes) {
      throw new Error(
        `${ns}: pass ${i} differs from the first (${r.transition}/${r.writes} vs ${first.transition}/${first.writes})`,
      );
    }
    const reads = [...rec.reads];
    const w = [...rec.writes];
    if (i === warm) {
      requests = counter.snapshot();
      writes = w;
      verbs = [...counter.counts.keys()];
    }
    if (snap) await restore(c, ns, snap);
    const t1 = performance.now();
    const statuses = await replay(c, reads, w, `raw${i}`);
    const tr = performance.now() - t1;
    const bad = statuses.filter((s) => s < 200 || s > 299);
    if (bad.length > 0) throw new Error(`${ns}: raw replay got HTTP ${bad.join(', ')}`);
    if (i >= warm) {
      sluice.push(t);
      raw.push(tr);
    }
  }
  return { sluice, raw, first: first as StepResult, requests, writes, verbs };
}

function toCase(mode: Mode, kind: StepCase['case'], t: Awaited<ReturnType<typeof trials>>): StepCase {
  const j = judge(kind, t.writes, t.verbs);
  const sluiceMs = { p50: percentile(t.sluice, 50), p95: percentile(t.sluice, 95) };
  const rawMs = { p50: percentile(t.raw, 50), p95: percentile(t.raw, 95) };
  return {
    mode,
    case: kind,
    runs: t.sluice.length,
    transition: t.first.transition ?? 'none',
    sluiceMs,
    rawMs,
    ratio: sluiceMs.p50 / rawMs.p50,
    requests: t.requests,
    writes: t.writes.map(describe),
    objectWrites: t.writes.filter((w) => !(w.kind === 'create' && w.resource === 'events')).length,
    eventWrites: t.writes.filter((w) => w.kind === 'create' && w.resource === 'events').length,
    fullPuts: t.verbs.filter((v) => v.startsWith('update') || v.startsWith('replace')).length,
    goalMet: j.met,
    goalNote: j.note,
  };
}

/**
 * Runs passes (ReplicaSets made ready before each) until one matches `want`; returns the snapshot taken just
 * before that pass, with the namespace restored to it.
 */
async function snapshotBefore(
  c: BenchCluster,
  deps: StepDeps,
  ns: string,
  want: (r: StepResult, before: Rollout | undefined) => boolean,
): Promise<Snapshot> {
  for (let i = 0; i < 40; i++) {
    await markAllReady(c, ns);
    const snap = await snapshot(c, ns);
    const before = snap.get(`rollouts/${NAME}`) as Rollout | undefined;
    const r = await runStep(deps, { namespace: ns, name: NAME });
    if (want(r, before)) {
      await restore(c, ns, snap);
      return snap;
    }
  }
  throw new Error(`rollout ${ns}/${NAME}: the wanted pass did not come in 40 passes`);
}

/** Runs the three cases for one mode in its own namespace. */
export async function benchStepMode(c: BenchCluster, mode: Mode, runs: number): Promise<StepCase[]> {
  const ns = `bench-step-${mode}`;
  await ensureNamespace(c, ns);
  await seed(c, ns, mode, NAME, STEPS);
  const counter = new RequestCounter();
  const rec = recording(benchGateway(c, counter));
  const deps: StepDeps = { gateway: rec.gateway, now: () => new Date() };
  const setup: TrialSetup = { c, deps, rec, counter, ns };
  await settle(c, deps, ns);
  await setImage(c, ns, NAME, 'registry.example/reviews:v2');
  // (b): the pass that completes setWeight 50 (the canary Service selector was already set at setWeight 20).
  const snapB = await snapshotBefore(
    c,
    deps,
    ns,
    (r) => r.transition === 'step-completed' && r.stepBefore === 1,
  );
  const b = await trials(setup, snapB, runs);
  await restore(c, ns, snapB);
  await runStep(deps, { namespace: ns, name: NAME });
  const snapC = await snapshotBefore(c, deps, ns, (r) => r.transition === 'promoted');
  const cc = await trials(setup, snapC, runs);
  await restore(c, ns, snapC);
  await settle(c, deps, ns);
  const a = await trials(setup, undefined, runs);
  return [toCase(mode, 'nothing-due', a), toCase(mode, 'weight-change', b), toCase(mode, 'promotion', cc)];
}

/** Diagnosis: the nothing-due pass with client-node's per-request dispatcher vs one reused dispatcher. */
export async function diagnoseDispatcher(
  c: BenchCluster,
  runs: number,
): Promise<{ perRequestP50: number; cachedP50: number; savedPerRequestMs: number }> {
  const ns = 'bench-step-host';
  const plain: StepDeps = { gateway: benchGateway(c), now: () => new Date() };
  const cached: StepDeps = {
    gateway: benchGateway(c, undefined, 1000, { cacheDispatcher: true }),
    now: () => new Date(),
  };
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    for (const [deps, out] of [
      [plain, a],
      [cached, b],
    ] as const) {
      const t0 = performance.now();
      const r = await runStep(deps, { namespace: ns, name: NAME });
      if (r.writes !== 0) throw new Error(`dispatcher diagnosis: ${ns}/${NAME} is not idle`);
      if (i >= 3) out.push(performance.now() - t0);
    }
  }
  const perRequestP50 = percentile(a, 50);
  const cachedP50 = percentile(b, 50);
  // 5 requests per host-level nothing-due pass, 1 sequential + 4 parallel: 2 round trips deep.
  return { perRequestP50, cachedP50, savedPerRequestMs: (perRequestP50 - cachedP50) / 2 };
}
