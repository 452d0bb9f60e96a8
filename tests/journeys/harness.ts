/**
 * Journey harness: one namespace per test on the real kube-apiserver (or, per run, the sandbox's embedded fake API
 * server: see tests/support/journey-backends.ts), a stand-in kubelet, a controllable clock, and a "controller" loop
 * that calls the same use cases as the functions (runStep, applyOperatorAction).
 */
import type { KubeObject, Rollout, RolloutStatus } from '../../shared/core/model/types.js';
import type { ResourceName } from '../../shared/core/engine/types.js';
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';
import { runStep, runUntilSettled, type StepDeps, type StepResult } from '../../shared/app/step.js';
import { applyOperatorAction, type ActionResult } from '../../shared/app/actions.js';
import type { OperatorActionName } from '../../shared/core/model/actions.js';
import {
  clusterBackend,
  createObjects,
  startJourneyKubelet,
  type JourneyBackend,
  type JourneyKubelet,
} from '../support/journey-backends.js';

/** A clock the test moves forward (pauses and scale-down deadlines without sleeping). */
export class Clock {
  private ms: number;
  constructor(startMs = Date.now()) {
    this.ms = startMs;
  }
  now = (): Date => new Date(this.ms);
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** A gateway on the test cluster as admin, through the same kubeconfig path the CLI uses. */
export function adminGateway(): KubeGateway {
  return clusterBackend().gateway();
}

/** A Rollout Event as the journeys compare them. */
export interface JourneyEvent {
  type: string;
  reason: string;
  message: string;
  count: number;
}

export interface Journey {
  ns: string;
  backend: JourneyBackend;
  gw: KubeGateway;
  clock: Clock;
  kubelet: JourneyKubelet;
  deps: StepDeps;
  results: StepResult[];
  get(resource: ResourceName, name: string): Promise<KubeObject>;
  rollout(name: string): Promise<Rollout>;
  /** Calls runStep until `done(rollout)` holds and no follow-up is due; sleeps 50 ms between idle passes. */
  drive(name: string, done: (r: Rollout) => boolean, timeoutMs?: number): Promise<Rollout>;
  action(name: string, action: OperatorActionName, expectedStep?: number): Promise<ActionResult>;
  events(name: string): Promise<JourneyEvent[]>;
  /** Changes the pod template image of a Rollout (a new revision), as admin on this journey's backend. */
  setImage(name: string, image: string): Promise<void>;
  /** A merge (or `contentType`) patch as admin; `{ns}` in the path is this journey's namespace. */
  patch(path: string, body: unknown, contentType?: string): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startJourney}. */
export interface JourneyOptions {
  /** Delay of the stand-in kubelet (default 20 ms). */
  kubeletDelayMs?: number;
  /** Kubelet writes only on `kubelet.sync()` (deterministic pass sequences). */
  manualKubelet?: boolean;
  /** Where to run (default: the real test cluster). */
  backend?: JourneyBackend;
  /** Start of the controllable clock (epoch ms; default now). */
  clockStartMs?: number;
  /** ReplicaSets get Ready pods (`tests/support/pod-kubelet.ts`); for the tests that need pods (restarts). */
  pods?: boolean;
}

/** Starts a journey in a fresh namespace with `objects` created. */
export async function startJourney(
  prefix: string,
  objects: unknown[],
  opts: JourneyOptions = {},
): Promise<Journey> {
  const backend = opts.backend ?? clusterBackend();
  const ns = await backend.createNamespace(prefix);
  await createObjects(backend, ns, objects);
  const gw = backend.gateway();
  const clock = new Clock(opts.clockStartMs);
  const kubelet = startJourneyKubelet(backend, ns, {
    delayMs: opts.kubeletDelayMs ?? 20,
    ...(opts.manualKubelet ? { manual: true } : {}),
    ...(opts.pods ? { pods: true } : {}),
  });
  const results: StepResult[] = [];
  const deps: StepDeps = { gateway: gw, now: clock.now };
  const get = async (resource: ResourceName, name: string): Promise<KubeObject> => {
    const o = await gw.get(resource, ns, name);
    if (!o) throw new Error(`${resource} ${ns}/${name} not found`);
    return o;
  };
  const rollout = async (name: string): Promise<Rollout> => (await get('rollouts', name)) as Rollout;
  const patch = async (path: string, body: unknown, contentType?: string): Promise<void> => {
    const res = await backend.request('PATCH', path.replace('{ns}', ns), body, contentType);
    if (res.status !== 200)
      throw new Error(`patch ${path} on the ${backend.name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  };
  return {
    ns,
    backend,
    gw,
    clock,
    kubelet,
    deps,
    results,
    get,
    rollout,
    patch,
    setImage: (name, image) =>
      patch(`/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/${name}`, {
        spec: { template: { spec: { containers: [{ name: 'app', image }] } } },
      }),
    async drive(name, done, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await rollout(name);
        if (done(r)) {
          // Like a controller, keep going until nothing more is due now (derived effects of the last commit).
          const settled = await runUntilSettled(deps, { namespace: ns, name });
          results.push(...settled);
          const after = await rollout(name);
          if (done(after)) return after;
          continue;
        }
        if (Date.now() > deadline) {
          throw new Error(
            `rollout ${ns}/${name} did not reach the expected state; status: ${JSON.stringify(r.status)}; last results: ${JSON.stringify(results.slice(-3))}`,
          );
        }
        const res = await runStep(deps, { namespace: ns, name });
        results.push(res);
        if (!res.followUp) await new Promise((ok) => setTimeout(ok, 50));
      }
    },
    action: (name, action, expectedStep) =>
      applyOperatorAction(
        { gateway: gw, now: clock.now },
        {
          namespace: ns,
          name,
          action,
          actor: 'journey',
          ...(expectedStep !== undefined ? { expectedStep } : {}),
        },
      ),
    events: (name) => rolloutEvents(backend, ns, name),
    stop: () => kubelet.stop(),
  };
}

/** The Events of one Rollout, in the order the API server lists them (by name, i.e. by time). */
export async function rolloutEvents(
  backend: JourneyBackend,
  ns: string,
  name: string,
): Promise<JourneyEvent[]> {
  const res = await backend.request('GET', `/api/v1/namespaces/${ns}/events`);
  if (res.status !== 200) throw new Error(`list events in ${ns}: HTTP ${res.status}`);
  const items = (
    res.body as {
      items: {
        involvedObject: { name: string; kind: string };
        type: string;
        reason: string;
        message: string;
        count?: number;
      }[];
    }
  ).items;
  return items
    .filter((e) => e.involvedObject.kind === 'Rollout' && e.involvedObject.name === name)
    .map((e) => ({ type: e.type, reason: e.reason, message: e.message, count: e.count ?? 1 }));
}

/** Current step index, phase, weights: the fields most assertions look at. */
export function brief(s: RolloutStatus | undefined): {
  step?: number;
  phase?: string;
  canary?: number;
  stable?: number;
} {
  const out: { step?: number; phase?: string; canary?: number; stable?: number } = {};
  if (s?.currentStepIndex !== undefined) out.step = s.currentStepIndex;
  if (s?.phase) out.phase = s.phase;
  if (s?.canary?.weights) {
    out.canary = s.canary.weights.canary.weight;
    out.stable = s.canary.weights.stable.weight;
  }
  return out;
}

/** `[[host, weight], …]` of every destination of one route section of a VirtualService. */
export function routeWeights(
  vs: KubeObject,
  section: 'http' | 'tcp' | 'tls' = 'http',
  index = 0,
): [string, number][] {
  const routes =
    ((
      vs.spec as Record<
        string,
        { route?: { destination: { host: string; subset?: string }; weight?: number }[] }[]
      >
    )[section] ?? [])[index]?.route ?? [];
  return routes.map((d) => [
    d.destination.subset ? `${d.destination.host}/${d.destination.subset}` : d.destination.host,
    d.weight ?? 0,
  ]);
}

/** Service selector value of the pod-template-hash label. */
export function selectorHash(svc: KubeObject): string | undefined {
  return (svc.spec as { selector?: Record<string, string> }).selector?.['rollouts-pod-template-hash'];
}

/** Changes the pod template image (a new revision) as admin on the test cluster. */
export async function setImage(ns: string, name: string, image: string): Promise<void> {
  const res = await clusterBackend().request(
    'PATCH',
    `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/${name}`,
    { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } },
  );
  if (res.status !== 200) throw new Error(`set image of ${ns}/${name}: HTTP ${res.status}`);
}

/** A merge patch as admin on the test cluster (a GitOps sync); `{ns}` in the path is replaced by `ns`. */
export async function patchAsAdmin(ns: string, path: string, body: unknown): Promise<void> {
  const res = await clusterBackend().request('PATCH', path.replace('{ns}', ns), body);
  if (res.status !== 200) throw new Error(`patch ${path}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}
