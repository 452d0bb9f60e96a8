/**
 * One side of the differential run: a namespace with the scenario's objects, the stand-in kubelet (the same
 * ReplicaSet stand-in as the journeys), every object version recorded, and its controller: Argo's (already
 * running for the namespace) or sluice's control loop (runStep in a loop, real clock).
 */
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';
import { runStep } from '../../shared/app/step.js';
import type { Rollout } from '../../shared/core/model/types.js';
import { adminRequest } from '../support/cluster.js';
import {
  clusterBackend,
  createObjects,
  startJourneyKubelet,
  type JourneyKubelet,
} from '../support/journey-backends.js';
import { rolloutEvents } from '../journeys/harness.js';
import { NamespaceRecorder } from './record.js';
import type { Driver } from './scenarios.js';

export interface Side {
  name: 'argo' | 'sluice';
  ns: string;
  recorder: NamespaceRecorder;
  driver: Driver;
  rollout(): Promise<Rollout>;
  events(): Promise<string[]>;
  /** `kubectl argo rollouts get rollout reviews --no-color` on this side: the plugin's output as printed. */
  pluginGet(): string;
  stop(): Promise<void>;
}

const QUIET_MS = 1500;

/** Starts a side in `ns` (already created) with `objects`; `plugin` runs kubectl-argo-rollouts. */
export async function startSide(
  name: Side['name'],
  ns: string,
  objects: unknown[],
  plugin: (args: string[]) => string,
): Promise<Side> {
  const backend = clusterBackend();
  const gw: KubeGateway = backend.gateway();
  const recorder = new NamespaceRecorder(gw, ns);
  await recorder.start();
  const kubelet: JourneyKubelet = startJourneyKubelet(backend, ns, { delayMs: 20 });
  let stopped = false;
  let loop: Promise<void> = Promise.resolve();
  if (name === 'sluice') {
    const deps = { gateway: gw, now: () => new Date() };
    loop = (async () => {
      while (!stopped) {
        const res = await runStep(deps, { namespace: ns, name: 'reviews' }).catch(() => undefined);
        if (!res?.followUp) await new Promise((ok) => setTimeout(ok, 100));
      }
    })();
  }
  await createObjects(backend, ns, objects);
  const rolloutPath = `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/reviews`;
  return {
    name,
    ns,
    recorder,
    driver: {
      plugin: (...args) => void plugin([...args, '-n', ns]),
      async setImage(image) {
        const res = await adminRequest('PATCH', rolloutPath, {
          spec: {
            template: { spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] } },
          },
        });
        if (res.status !== 200) throw new Error(`set image of ${ns}/reviews: HTTP ${res.status}`);
      },
      async setWorkloadImage(image) {
        const res = await adminRequest('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/reviews`, {
          spec: {
            template: { spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] } },
          },
        });
        if (res.status !== 200) throw new Error(`set image of Deployment ${ns}/reviews: HTTP ${res.status}`);
      },
    },
    async rollout() {
      const res = await adminRequest('GET', rolloutPath);
      if (res.status !== 200) throw new Error(`get rollout ${ns}/reviews: HTTP ${res.status}`);
      return res.body as Rollout;
    },
    events: async () =>
      (await rolloutEvents(backend, ns, 'reviews')).flatMap((e) =>
        Array.from({ length: e.count }, () => `${e.type} ${e.reason}: ${e.message}`),
      ),
    pluginGet: () => plugin(['get', 'rollout', 'reviews', '--no-color', '-n', ns]),
    async stop() {
      stopped = true;
      recorder.stop();
      await loop;
      await kubelet.stop();
    },
  };
}

/**
 * Waits until `until` holds for the side's Rollout and neither a new object version nor a new Event arrived for
 * {@link QUIET_MS} (Events are written after the writes they describe, so quiet objects alone may leave one
 * still to come); fails with the last status after `timeoutMs`.
 */
export async function settle(
  side: Side,
  until: (r: Rollout) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  let quietSince = Date.now();
  for (;;) {
    const r = await side.rollout();
    const count = side.recorder.versions.length + (await side.events()).length;
    if (count !== seen) {
      seen = count;
      quietSince = Date.now();
    }
    if (until(r) && Date.now() - quietSince >= QUIET_MS) return;
    if (Date.now() > deadline)
      throw new Error(
        `${side.name} (${side.ns}) did not reach "${what}": status ${JSON.stringify(r.status)}`,
      );
    await new Promise((ok) => setTimeout(ok, 100));
  }
}
