/**
 * `sluice run` with no cluster: the self-contained sandbox story. Starts the in-memory API server, the simulated
 * kubelet and traffic, a Prometheus stand-in answering from that traffic, loads examples/reviews (its
 * AnalysisTemplate pointed at the stand-in), lets the engine install v1, releases v2 (new image) and runs the
 * control loop in process until the Rollout is Healthy on v2 (or aborted), printing each decision.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from '../../adapters/kube/client-gateway.js';
import type { KubeGateway } from '../../app/kube-port/gateway.js';
import { parseKubeconfig, toKubeConfig } from '../../adapters/kube/kubeconfig.js';
import { EXAMPLE_DIR, loadObjects, readManifests } from '../sandbox/example.js';
import { startFakeApiServer } from '../sandbox/fake-apiserver.js';
import { startKubelet } from '../sandbox/kubelet.js';
import { seededRandom, shareOnHash, simulateTraffic, type TrafficSample } from '../sandbox/traffic.js';
import { MeshMetrics, startMetricsEndpoint, type MetricsEndpoint } from '../sandbox/mesh-metrics.js';
import { pointPrometheusAt, SCENARIO_PLANS, type Scenario } from '../sandbox/scenario.js';
import { localMetricProviders } from '../local/metrics.js';
import type { MetricProviders } from '../../app/ports.js';
import { LABELS, type Service } from '../../core/model/types.js';
import { applyOperatorAction } from '../../app/actions.js';
import { describeRollout, type RolloutView } from '../../app/status-view.js';
import { silentLogger } from '../../app/logger.js';
import {
  compactView,
  decisionLine,
  elapsed,
  promoteHint,
  sandboxBanner,
  viewKey,
  type Observation,
} from './sandbox-view.js';
import { startKeys, type KeyAction, type KeySource } from './sandbox-keys.js';
import { SANDBOX_CLUSTER, startSandboxDashboard, type SandboxDashboard } from '../web/sandbox-dashboard.js';

/** Options of the sandbox run (from the `sluice run` flags). */
export interface SandboxOptions {
  intervalMs: number;
  /** Promote indefinite pauses automatically after `autoPromoteDelayMs`. */
  autoPromote: boolean;
  autoPromoteDelayMs: number;
  keepRunning: boolean;
  /** Give up (exit 1) after this long. */
  timeoutMs: number;
  /** Interactive keys (p/a/q) from this source, when stdin is a TTY. */
  keys?: KeySource;
  out: (line: string) => void;
  /** Requests per tick of simulated traffic. */
  requestsPerTick: number;
  /** Port of the dashboard on 127.0.0.1 (default 0: any free port; a taken port falls back to any). */
  dashboardPort?: number;
  /** The story (default `default`): `bad-canary` makes v2's requests fail so its analysis aborts it. */
  scenario?: Scenario;
}

/** The metrics endpoint's address is loopback: the sandbox cluster's allow-list names it, nothing wider. */
const SANDBOX_METRIC_ADDRESSES = ['127.0.0.1'];

const REF = { namespace: 'default', name: 'reviews' };
const NEW_IMAGE = 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.2';

type StepModule = typeof import('../../app/step.js');

async function loadStepUseCase(): Promise<StepModule> {
  try {
    return await import('../../app/step.js');
  } catch (err) {
    throw new Error(`the step engine could not be loaded (${(err as Error).message})`, { cause: err });
  }
}

/** The state the loop watches between ticks. */
interface Tracker {
  start: number;
  lastKey?: string;
  pauseShownAt?: number;
  action?: KeyAction;
  /** v1's pod-template hash once it is stable: requests to any other hash are v2's. */
  v1Hash?: string;
}

/** What a tick needs besides the options. */
type LoopOptions = SandboxOptions & {
  random: () => number;
  kubeconfigPath: string;
  mesh: MeshMetrics;
  metrics: MetricProviders;
};

function isIndefinitePause(view: RolloutView): boolean {
  return view.phase === 'Paused' && view.step !== undefined && view.steps[view.step.index]?.text === 'pause';
}

/** Failure rate by host: the scenario's rate for each host whose Service selects pods other than v1's. */
function failureRates(
  selectors: Record<string, string | undefined>,
  v1Hash: string | undefined,
  rate: number,
): Record<string, number> {
  if (v1Hash === undefined || rate === 0) return {};
  return Object.fromEntries(
    Object.entries(selectors)
      .filter(([, hash]) => hash !== undefined && hash !== v1Hash)
      .map(([host]) => [host, rate]),
  );
}

/**
 * Reads the VirtualService weights and Service selectors, sends one tick of simulated traffic (v2's requests failing
 * at the scenario's rate) and records it for the metrics endpoint.
 */
async function observeMesh(
  gw: KubeGateway,
  t: Tracker,
  opts: LoopOptions,
  hash: string | undefined,
): Promise<Observation> {
  const vs = await gw.get('virtualservices', REF.namespace, 'reviews');
  const hosts = { canaryHost: 'reviews-canary', stableHost: 'reviews-stable', route: 'primary' };
  const selectors: Record<string, string | undefined> = {};
  for (const host of [hosts.canaryHost, hosts.stableHost]) {
    const svc = (await gw.get('services', REF.namespace, host)) as Service | undefined;
    selectors[host] = svc?.spec?.selector?.[LABELS.podTemplateHash];
  }
  const rate = SCENARIO_PLANS[opts.scenario ?? 'default'].v2FailureRate;
  const failing = failureRates(selectors, t.v1Hash, rate);
  const sample: TrafficSample = simulateTraffic(vs, hosts, opts.requestsPerTick, opts.random, failing);
  opts.mesh.record(sample, Date.now());
  const route =
    (
      vs?.spec as {
        http?: { name?: string; route?: { destination?: { host?: string }; weight?: number }[] }[];
      }
    )?.http?.find((r) => r.name === 'primary')?.route ?? [];
  const weightOf = (host: string): number => route.find((d) => d.destination?.host === host)?.weight ?? 0;
  return {
    vs: { stable: weightOf(hosts.stableHost), canary: weightOf(hosts.canaryHost) },
    traffic: { total: sample.total, newShare: hash ? shareOnHash(sample, selectors, hash) : 0 },
  };
}

/** One tick: engine passes, decision lines, view when it changed, pause handling. Returns the view. */
async function tick(
  step: StepModule,
  gw: KubeGateway,
  t: Tracker,
  opts: LoopOptions,
): Promise<RolloutView | undefined> {
  const deps = {
    gateway: gw,
    now: () => new Date(),
    log: silentLogger,
    cluster: SANDBOX_CLUSTER,
    metrics: opts.metrics,
  };
  const results = await step.runUntilSettled(deps, REF);
  const stamp = (): string => elapsed(t.start, Date.now());
  for (const r of results) {
    const line = decisionLine(r);
    if (line) opts.out(`${stamp()}  ${line}`);
  }
  const view = await describeRollout(gw, REF.namespace, REF.name);
  if (!view) throw new Error(`rollout ${REF.namespace}/${REF.name} disappeared from the sandbox`);
  const seen = await observeMesh(gw, t, opts, view.currentPodHash);
  const key = `${viewKey(view)} ${seen.vs.stable}/${seen.vs.canary}`;
  if (key !== t.lastKey) {
    t.lastKey = key;
    opts.out(`${stamp()}    ${compactView(view, seen)}`);
  }
  if (isIndefinitePause(view)) await handlePause(gw, t, opts);
  else t.pauseShownAt = undefined;
  return view;
}

async function handlePause(
  gw: KubeGateway,
  t: Tracker,
  opts: SandboxOptions & { kubeconfigPath: string },
): Promise<void> {
  const ref = `${REF.namespace}/${REF.name}`;
  if (t.pauseShownAt === undefined) {
    t.pauseShownAt = Date.now();
    const lines = promoteHint(
      ref,
      opts.keys !== undefined,
      opts.autoPromote ? opts.autoPromoteDelayMs / 1000 : undefined,
    );
    lines[1] = `  from another terminal:  npx sluice promote ${ref} --kubeconfig ${opts.kubeconfigPath} --allow-loopback-http`;
    lines.forEach((l) => opts.out(`         ${l}`));
  }
  const auto = opts.autoPromote && Date.now() - t.pauseShownAt >= opts.autoPromoteDelayMs;
  const wanted = t.action === 'promote' || t.action === 'abort' ? t.action : auto ? 'promote' : undefined;
  if (!wanted) return;
  t.action = undefined;
  const actor = auto ? 'sandbox:auto-promote' : 'sandbox:keyboard';
  const res = await applyOperatorAction(
    { gateway: gw, now: () => new Date() },
    { ...REF, action: wanted, actor },
  );
  opts.out(`${elapsed(t.start, Date.now())}  ${res.message}`);
}

/** Whether the story is over: Healthy on the new version, or Degraded (aborted). */
function finished(view: RolloutView | undefined, v1Hash: string | undefined): 'done' | 'aborted' | undefined {
  if (!view) return undefined;
  if (view.phase === 'Degraded') return 'aborted';
  const onNew = view.currentPodHash !== undefined && view.currentPodHash !== v1Hash;
  return view.phase === 'Healthy' && onNew && view.stableRS === view.currentPodHash ? 'done' : undefined;
}

/** The last line of the story. */
function endLine(
  end: 'done' | 'aborted' | undefined,
  view: RolloutView | undefined,
  seconds: string,
): string {
  if (end === 'done')
    return `Rollout default/reviews is Healthy: 100% of traffic on v2 (${view?.stableRS}) after ${seconds}s. End of simulation.`;
  if (end === 'aborted')
    return `Rollout default/reviews was aborted (${view?.message ?? ''}): all traffic back on v1 (${seconds}s). End of simulation.`;
  return `Stopped after ${seconds}s before the rollout finished.`;
}

/**
 * Runs the sandbox story; resolves with the exit code: 0 when it ends as the scenario expects (default: Healthy on
 * v2; `bad-canary`: aborted by its analysis, traffic back on v1), 1 otherwise (the other ending, timed out, failed).
 * @example process.exitCode = await runSandbox({ intervalMs: 1000, autoPromote: true, ... });
 */
export async function runSandbox(opts: SandboxOptions): Promise<number> {
  const t: Tracker = { start: Date.now() };
  const api = await startFakeApiServer();
  const kubelet = startKubelet(api.store, { readyDelayMs: Math.min(1000, opts.intervalMs) });
  const dir = await mkdtemp(join(tmpdir(), 'sluice-sandbox-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const keys = opts.keys ? startKeys(opts.keys, (k) => (t.action = k)) : undefined;
  const mesh = new MeshMetrics();
  let dashboard: SandboxDashboard | undefined;
  let prometheus: MetricsEndpoint | undefined;
  try {
    await writeFile(kubeconfigPath, api.kubeconfig(), { mode: 0o600 });
    sandboxBanner(api.url).forEach((l) => opts.out(l));
    const step = await loadStepUseCase();
    prometheus = await startMetricsEndpoint(mesh);
    loadObjects(api.store, pointPrometheusAt(await readManifests(EXAMPLE_DIR), prometheus.url).objects);
    const scenario = opts.scenario ?? 'default';
    const gw = createGateway(
      toKubeConfig(parseKubeconfig(api.kubeconfig(), { allowLoopbackHttp: true })),
      {},
    );
    dashboard = await startSandboxDashboard(gw, { instanceId: 'sluice', port: opts.dashboardPort ?? 0 });
    opts.out(`Dashboard: ${dashboard.urls.operator}`);
    opts.out(`  read-only: ${dashboard.urls.viewer}`);
    const metrics = localMetricProviders(
      [{ name: SANDBOX_CLUSTER, allowMetricAddresses: SANDBOX_METRIC_ADDRESSES }],
      [],
    );
    const loopOpts: LoopOptions = { ...opts, random: seededRandom(7), kubeconfigPath, mesh, metrics };
    opts.out(`Scenario ${scenario}: ${SCENARIO_PLANS[scenario].summary}.`);
    opts.out(
      `${elapsed(t.start, Date.now())}  loaded examples/reviews: Rollout, 2 Services, VirtualService, DestinationRule, AnalysisTemplate success-rate (Prometheus: the sandbox's stand-in at ${prometheus.url})`,
    );
    const v1Hash = await installV1(step, gw, t, loopOpts);
    opts.out(`${elapsed(t.start, Date.now())}  v1 is stable (${v1Hash}). Releasing v2: image ${NEW_IMAGE}`);
    await gw.mergePatch(
      { resource: 'rollouts', ...REF },
      { spec: { template: { spec: { containers: [{ name: 'reviews', image: NEW_IMAGE }] } } } },
    );
    const view = await runPhase(step, gw, t, loopOpts, (v) => finished(v, v1Hash) !== undefined);
    const end = finished(view, v1Hash);
    if (end === 'aborted')
      view?.events
        .filter((e) => e.type === 'Warning')
        .forEach((e) => opts.out(`  Event ${e.reason}: ${e.message}`));
    opts.out(endLine(end, view, ((Date.now() - t.start) / 1000).toFixed(1)));
    if (opts.keepRunning && !t.action) {
      opts.out(
        `Sandbox API still running at ${api.url} (kubeconfig ${kubeconfigPath}); press q or Ctrl-C to stop.`,
      );
      await runPhase(step, gw, t, { ...loopOpts, timeoutMs: Number.POSITIVE_INFINITY }, () => false);
    }
    return end === SCENARIO_PLANS[scenario].expected ? 0 : 1;
  } finally {
    await dashboard?.close();
    await prometheus?.close();
    keys?.stop();
    kubelet.stop();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Lets the engine install v1 (it becomes stable without steps); returns its pod-template hash. */
async function installV1(
  step: StepModule,
  gw: KubeGateway,
  t: Tracker,
  opts: LoopOptions,
): Promise<string | undefined> {
  const view = await runPhase(
    step,
    gw,
    t,
    opts,
    (v) => v?.phase === 'Degraded' || (v?.phase === 'Healthy' && v.stableRS !== undefined),
  );
  if (view?.phase !== 'Healthy')
    throw new Error(`v1 did not become Healthy: ${view?.phase ?? 'no status'} ${view?.message ?? ''}`);
  t.v1Hash = view.stableRS;
  return t.v1Hash;
}

async function runPhase(
  step: StepModule,
  gw: KubeGateway,
  t: Tracker,
  opts: LoopOptions,
  done: (view: RolloutView | undefined) => boolean,
): Promise<RolloutView | undefined> {
  let view: RolloutView | undefined;
  while (Date.now() - t.start < opts.timeoutMs && t.action !== 'quit') {
    view = await tick(step, gw, t, opts);
    if (done(view)) return view;
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
  return view;
}
