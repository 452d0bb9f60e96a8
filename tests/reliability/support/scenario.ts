/**
 * Reliability scenarios: a fresh namespace on the real API server with the host-level seed, a stand-in kubelet, an
 * invariant ledger watching everything, and a driver that invokes the step use case the way the scheduler does
 * (again and again, an invocation that fails is simply followed by the next one).
 */
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';
import { createGateway, type GatewayOptions } from '../../../shared/adapters/kube/client-gateway.js';
import { parseKubeconfig, toKubeConfig } from '../../../shared/adapters/kube/kubeconfig.js';
import type { Rollout } from '../../../shared/core/model/types.js';
import { runStep, type StepDeps, type StepResult } from '../../../shared/app/step.js';
import { adminRequest, applyObjects, clusterInfo, createNamespace } from '../../support/cluster.js';
import { startKubelet, type Kubelet } from '../../support/kubelet.js';
import { Ledger } from '../../support/ledger.js';
import { InjectedCrash } from '../../support/faults/recording-gateway.js';
import { hostSeed, IMAGE_V2 } from '../../journeys/fixtures.js';
import { figures } from './figures.js';

/** Steps used by most scenarios: two weights, a manual gate, a last weight. */
export const STEPS = [{ setWeight: 25 }, { setWeight: 50 }, { pause: {} }, { setWeight: 75 }];
export const NAME = 'reviews';

/** A gateway from a kubeconfig text (through the same allow-list parser as production). */
export function gatewayFrom(kubeconfig: string, opts: GatewayOptions = {}): KubeGateway {
  return createGateway(toKubeConfig(parseKubeconfig(kubeconfig)), opts);
}

/** Admin gateway on the real cluster. */
export function adminGateway(opts: GatewayOptions = {}): KubeGateway {
  return gatewayFrom(clusterInfo().kubeconfigYaml, opts);
}

export interface Scenario {
  ns: string;
  ledger: Ledger;
  kubelet: Kubelet;
  admin: KubeGateway;
  rollout(): Promise<Rollout>;
  stop(): Promise<void>;
}

/** A namespace with the host-level seed (Services, VirtualService, Rollout) and a ledger; not yet deployed. */
export async function startScenario(
  prefix: string,
  objects: unknown[] = hostSeed({ steps: STEPS }),
): Promise<Scenario> {
  const ns = await createNamespace(prefix);
  const ledger = await Ledger.start(ns);
  // Headless Services: namespaces are never deleted, and hundreds of scenarios would exhaust the ClusterIP range.
  await applyObjects(ns, objects.map(headless));
  const kubelet = startKubelet(ns, { delayMs: 10 });
  const admin = adminGateway();
  return {
    ns,
    ledger,
    kubelet,
    admin,
    rollout: async () => (await admin.get('rollouts', ns, NAME)) as Rollout,
    async stop() {
      await kubelet.stop();
      await ledger.settle();
      const f = ledger.check();
      ledger.stop();
      figures.addLedger(f);
    },
  };
}

function headless(o: unknown): unknown {
  const obj = o as { kind?: string; spec?: Record<string, unknown> };
  return obj.kind === 'Service' ? { ...obj, spec: { ...obj.spec, clusterIP: 'None' } } : o;
}

/** A clock the test moves. */
export const realNow = (): Date => new Date();

/**
 * Invokes runStep as the scheduler would until `done` holds and no follow-up is due. Invocations that fail (API
 * errors, injected crashes) are counted and followed by the next invocation. Throws after `timeoutMs`.
 */
export async function drive(
  deps: StepDeps,
  ns: string,
  done: (r: Rollout) => boolean,
  opts: DriveOptions = {},
): Promise<Rollout> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  const admin = adminGateway();
  let lastFollowUp = true;
  for (;;) {
    const r = (await admin.get('rollouts', ns, NAME)) as Rollout;
    if (done(r) && (opts.exact || !lastFollowUp)) return r;
    if (Date.now() > deadline) throw notSettled(ns, r, opts.failures);
    lastFollowUp = await invokeOnce(deps, ns, opts);
  }
}

interface DriveOptions {
  timeoutMs?: number;
  results?: StepResult[];
  failures?: Error[];
  exact?: boolean;
}

function notSettled(ns: string, r: Rollout, failures: Error[] | undefined): Error {
  return new Error(
    `rollout ${ns}/${NAME} did not settle: ${JSON.stringify(r.status?.conditions?.map((c) => c.message))} step ${r.status?.currentStepIndex} phase ${r.status?.phase}; failures: ${failures
      ?.slice(-2)
      .map((e) => e.message)
      .join(' | ')}`,
  );
}

/** One runStep invocation; an API error or injected crash is counted and means "invoke again". Returns followUp. */
async function invokeOnce(deps: StepDeps, ns: string, opts: DriveOptions): Promise<boolean> {
  try {
    const res = await runStep(deps, { namespace: ns, name: NAME });
    opts.results?.push(res);
    if (!res.followUp) await new Promise((ok) => setTimeout(ok, 40));
    return res.followUp;
  } catch (err) {
    if (!(err instanceof KubeApiError) && !(err instanceof InjectedCrash)) throw err;
    opts.failures?.push(err);
    await new Promise((ok) => setTimeout(ok, 40));
    return true;
  }
}

export const healthy = (r: Rollout): boolean => r.status?.phase === 'Healthy';
export const atGate = (r: Rollout): boolean =>
  r.status?.currentStepIndex === 2 && (r.status.pauseConditions?.length ?? 0) > 0;

/** Deploys v1 (Healthy), then sets the v2 image: the rollout is ready to run its steps. */
export async function deployThenUpdate(s: Scenario): Promise<void> {
  await drive({ gateway: s.admin, now: realNow }, s.ns, healthy);
  const res = await adminRequest('PATCH', `/apis/argoproj.io/v1alpha1/namespaces/${s.ns}/rollouts/${NAME}`, {
    spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE_V2 }] } } },
  });
  if (res.status !== 200) throw new Error(`set image: HTTP ${res.status}`);
}

/** The observable end state, with hashes reduced to roles so runs in different namespaces compare equal. */
export async function endState(s: Scenario): Promise<unknown> {
  const r = await s.rollout();
  const st = r.status ?? {};
  const role = (h: string | undefined): string =>
    h === undefined ? 'none' : h === st.currentPodHash ? 'canary' : h === st.stableRS ? 'stable' : 'other';
  const vs = (await s.admin.get('virtualservices', s.ns, NAME)) as {
    spec: { http: { route: { destination: { host: string }; weight: number }[] }[] };
  };
  const svc = async (n: string): Promise<string> =>
    role(
      ((await s.admin.get('services', s.ns, n))?.spec as { selector?: Record<string, string> }).selector?.[
        'rollouts-pod-template-hash'
      ],
    );
  const rss = await s.admin.list('replicasets', s.ns);
  return {
    step: st.currentStepIndex,
    phase: st.phase,
    promoted: st.stableRS === st.currentPodHash,
    pauses: st.pauseConditions?.map((p) => p.reason) ?? [],
    weights: st.canary?.weights ? [st.canary.weights.canary.weight, st.canary.weights.stable.weight] : [],
    vs: vs.spec.http[0]?.route.map((x) => [x.destination.host, x.weight]),
    canarySvc: await svc('reviews-canary'),
    stableSvc: await svc('reviews-stable'),
    rs: rss.items
      .map(
        (x) =>
          `${role(x.metadata.labels?.['rollouts-pod-template-hash'])}=${(x.spec as { replicas?: number }).replicas}`,
      )
      .sort(),
  };
}

/** RolloutStepCompleted Event counts by message (a duplicated step shows as a count above 1). */
export async function stepEvents(ns: string): Promise<Map<string, number>> {
  const res = await adminRequest('GET', `/api/v1/namespaces/${ns}/events`);
  const out = new Map<string, number>();
  for (const e of res.body.items as { reason: string; message: string; count?: number }[])
    if (e.reason === 'RolloutStepCompleted') out.set(e.message, (out.get(e.message) ?? 0) + (e.count ?? 1));
  return out;
}
