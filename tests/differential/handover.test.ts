/**
 * Handover between Argo Rollouts' real controller and sluice, both ways, without a re-canary: when one controller
 * hands a Rollout to the other, no ReplicaSet is created, no ReplicaSet's pod template or replica count changes
 * (no pod restarts), and the step, stable/current hashes, weights and phase stay where they were.
 * Two ways to hand over are used: stopping Argo's controller and starting it again, and moving the Rollout in and
 * out of Argo's scope with the `argo-rollouts.argoproj.io/controller-instance-id` label while Argo keeps running.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { runStep } from '../../shared/app/step.js';
import type { CanaryStep, KubeObject, Rollout } from '../../shared/core/model/types.js';
import { adminRequest, createNamespace } from '../support/cluster.js';
import { clusterBackend, createObjects, startJourneyKubelet } from '../support/journey-backends.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import { argoBinaries, startArgo, type ArgoController } from './argo.js';
import { freePort } from './ports.js';
import { NamespaceRecorder } from './record.js';

const STEPS: CanaryStep[] = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }];
const INSTANCE_LABEL = 'argo-rollouts.argoproj.io/controller-instance-id';
const QUIET_MS = 3000;

const observed = (r: Rollout): boolean =>
  r.status?.observedGeneration === String(r.metadata.generation ?? '');
const healthy = (r: Rollout): boolean =>
  observed(r) && r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash;
const pausedAt = (step: number) => (r: Rollout) =>
  observed(r) && r.status?.phase === 'Paused' && r.status.currentStepIndex === step;
const aborted = (r: Rollout): boolean =>
  observed(r) && r.status?.phase === 'Degraded' && r.status.abort === true;

/** What must not change when the Rollout changes hands. */
interface Snapshot {
  replicaSets: { name: string; uid?: string; replicas?: number; template: unknown }[];
  status: Record<string, unknown>;
  virtualService: unknown;
  selectors: unknown[];
}

async function get(url: string): Promise<KubeObject & { items?: KubeObject[] }> {
  const res = await adminRequest('GET', url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.body as KubeObject & { items?: KubeObject[] };
}

class Handover {
  private argo?: ArgoController;
  private sluiceStopped = true;
  private sluiceLoop: Promise<void> = Promise.resolve();
  private constructor(
    readonly ns: string,
    private readonly bin: string,
    readonly recorder: NamespaceRecorder,
    private readonly kubelet: { stop(): Promise<void> },
  ) {}

  static async start(bin: string): Promise<Handover> {
    const ns = await createNamespace('handover');
    const backend = clusterBackend();
    const recorder = new NamespaceRecorder(backend.gateway(), ns);
    await recorder.start();
    const kubelet = startJourneyKubelet(backend, ns, { delayMs: 20 });
    const h = new Handover(ns, bin, recorder, kubelet);
    await createObjects(
      backend,
      ns,
      hostSeed({ steps: STEPS, canary: { scaleDownDelaySeconds: 2, abortScaleDownDelaySeconds: 2 } }),
    );
    return h;
  }

  private get url(): string {
    return `/apis/argoproj.io/v1alpha1/namespaces/${this.ns}/rollouts/reviews`;
  }

  async startArgo(): Promise<void> {
    this.argo = startArgo(this.bin, this.ns, { metrics: await freePort(), healthz: await freePort() });
  }

  async stopArgo(): Promise<void> {
    await this.argo?.stop();
    this.argo = undefined;
  }

  plugin(...args: string[]): void {
    if (!this.argo) throw new Error('the kubectl plugin is run through a started Argo controller');
    this.argo.plugin([...args, '-n', this.ns]);
  }

  startSluice(): void {
    this.sluiceStopped = false;
    const deps = { gateway: clusterBackend().gateway(), now: () => new Date() };
    this.sluiceLoop = (async () => {
      while (!this.sluiceStopped) {
        const res = await runStep(deps, { namespace: this.ns, name: 'reviews' }).catch(() => undefined);
        if (!res?.followUp) await new Promise((ok) => setTimeout(ok, 100));
      }
    })();
  }

  async stopSluice(): Promise<void> {
    this.sluiceStopped = true;
    await this.sluiceLoop;
  }

  async patch(body: unknown): Promise<void> {
    const res = await adminRequest('PATCH', this.url, body);
    if (res.status !== 200) throw new Error(`PATCH ${this.ns}/reviews: HTTP ${res.status}`);
  }

  rollout = async (): Promise<Rollout> => (await get(this.url)) as unknown as Rollout;

  /** Waits until `until` holds and no object changed for {@link QUIET_MS}. */
  async settle(until: (r: Rollout) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    let seen = -1;
    let quietSince = Date.now();
    for (;;) {
      const r = await this.rollout();
      if (this.recorder.versions.length !== seen) {
        seen = this.recorder.versions.length;
        quietSince = Date.now();
      }
      if (until(r) && Date.now() - quietSince >= QUIET_MS) return;
      if (Date.now() > deadline) throw new Error(`${this.ns}: not "${what}": ${JSON.stringify(r.status)}`);
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }

  async snapshot(): Promise<Snapshot> {
    const rss = (await get(`/apis/apps/v1/namespaces/${this.ns}/replicasets`)).items ?? [];
    const r = await this.rollout();
    const s = r.status ?? {};
    const vs = await get(`/apis/networking.istio.io/v1/namespaces/${this.ns}/virtualservices/reviews`);
    const selectors: unknown[] = [];
    for (const name of ['reviews-canary', 'reviews-stable']) {
      const svc = (await get(`/api/v1/namespaces/${this.ns}/services/${name}`)) as {
        spec?: { selector?: unknown };
      };
      selectors.push(svc.spec?.selector);
    }
    return {
      replicaSets: rss
        .map((rs) => ({
          name: rs.metadata.name,
          uid: rs.metadata.uid,
          replicas: (rs.spec as { replicas?: number }).replicas,
          template: (rs.spec as { template?: unknown }).template,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      status: {
        phase: s.phase,
        currentPodHash: s.currentPodHash,
        stableRS: s.stableRS,
        currentStepIndex: s.currentStepIndex,
        currentStepHash: s.currentStepHash,
        weights: s.canary?.weights,
      },
      virtualService: vs.spec,
      selectors,
    };
  }

  /** How many ReplicaSets were ever seen in the namespace. */
  replicaSetsSeen(): number {
    return new Set(this.recorder.versions.filter((v) => v.resource === 'replicasets').map((v) => v.name))
      .size;
  }

  async stop(): Promise<void> {
    await this.stopSluice();
    await this.stopArgo();
    this.recorder.stop();
    await this.kubelet.stop();
  }
}

describe('handover between Argo Rollouts and sluice: no ReplicaSet created, no step repeated', () => {
  let bin = '';
  beforeAll(() => {
    bin = argoBinaries();
  }, 3_600_000);

  it('Healthy under Argo → sluice (Argo stopped); sluice updates to a pause → Argo (started again)', async () => {
    const h = await Handover.start(bin);
    try {
      await h.startArgo();
      await h.settle(healthy, 'healthy under Argo');
      const underArgo = await h.snapshot();
      expect(underArgo.replicaSets).toHaveLength(1);
      await h.stopArgo();

      h.startSluice();
      await h.settle(healthy, 'healthy under sluice');
      expect(await h.snapshot()).toEqual(underArgo);
      expect(h.replicaSetsSeen()).toBe(1);

      await h.patch({ spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE_V2 }] } } } });
      await h.settle(pausedAt(1), 'paused at step 1 under sluice');
      const underSluice = await h.snapshot();
      expect(underSluice.replicaSets).toHaveLength(2);
      expect(underSluice.status['weights']).toMatchObject({ canary: { weight: 20 } });
      await h.stopSluice();

      await h.startArgo();
      await h.settle(pausedAt(1), 'paused at step 1 under Argo again');
      expect(await h.snapshot()).toEqual(underSluice);
      expect(h.replicaSetsSeen()).toBe(2);
      // Argo goes on from sluice's step, not from step 0.
      h.plugin('promote', 'reviews');
      await h.settle(pausedAt(3), 'paused at step 3 under Argo');
      expect(h.replicaSetsSeen()).toBe(2);
    } finally {
      await h.stop();
    }
  }, 240_000);

  it('paused mid-rollout under Argo → sluice (instance-id label) → Argo (label removed)', async () => {
    const h = await Handover.start(bin);
    try {
      await h.startArgo();
      await h.settle(healthy, 'healthy under Argo');
      await h.patch({ spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE_V2 }] } } } });
      await h.settle(pausedAt(1), 'paused at step 1 under Argo');
      const underArgo = await h.snapshot();
      expect(underArgo.replicaSets).toHaveLength(2);

      // Out of the scope of an Argo controller without an instance id; Argo keeps running.
      await h.patch({ metadata: { labels: { [INSTANCE_LABEL]: 'sluice' } } });
      h.startSluice();
      await h.settle(pausedAt(1), 'paused at step 1 under sluice');
      expect(await h.snapshot()).toEqual(underArgo);
      h.plugin('promote', 'reviews');
      await h.settle(pausedAt(3), 'paused at step 3 under sluice');
      const underSluice = await h.snapshot();
      expect(underSluice.status['weights']).toMatchObject({ canary: { weight: 50 } });
      expect(h.replicaSetsSeen()).toBe(2);
      await h.stopSluice();

      await h.patch({ metadata: { labels: { [INSTANCE_LABEL]: null } } });
      await h.settle(pausedAt(3), 'paused at step 3 under Argo again');
      expect(await h.snapshot()).toEqual(underSluice);
      h.plugin('promote', 'reviews', '--full');
      await h.settle(healthy, 'healthy under Argo');
      expect(h.replicaSetsSeen()).toBe(2);
    } finally {
      await h.stop();
    }
  }, 240_000);

  it('aborted under Argo → sluice (instance-id label), retried → Argo (label removed), promoted', async () => {
    const h = await Handover.start(bin);
    try {
      await h.startArgo();
      await h.settle(healthy, 'healthy under Argo');
      await h.patch({ spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE_V2 }] } } } });
      await h.settle(pausedAt(1), 'paused at step 1 under Argo');
      h.plugin('abort', 'reviews');
      // The canary ReplicaSet goes to 0 after abortScaleDownDelaySeconds (2 s); settle waits for it.
      await h.settle(aborted, 'aborted under Argo');
      const underArgo = await h.snapshot();
      expect(underArgo.status['weights']).toMatchObject({ canary: { weight: 0 } });

      await h.patch({ metadata: { labels: { [INSTANCE_LABEL]: 'sluice' } } });
      h.startSluice();
      await h.settle(aborted, 'aborted under sluice');
      // sluice keeps the abort as Argo left it: no ReplicaSet scaled back up, no weight moved.
      expect(await h.snapshot()).toEqual(underArgo);
      h.plugin('retry', 'rollout', 'reviews');
      await h.settle(pausedAt(1), 'paused at step 1 again under sluice');
      const underSluice = await h.snapshot();
      expect(underSluice.status['weights']).toMatchObject({ canary: { weight: 20 } });
      expect(h.replicaSetsSeen()).toBe(2);
      await h.stopSluice();

      await h.patch({ metadata: { labels: { [INSTANCE_LABEL]: null } } });
      await h.settle(pausedAt(1), 'paused at step 1 under Argo again');
      expect(await h.snapshot()).toEqual(underSluice);
      h.plugin('promote', 'reviews', '--full');
      await h.settle(healthy, 'healthy under Argo');
      expect(h.replicaSetsSeen()).toBe(2);
    } finally {
      await h.stop();
    }
  }, 240_000);
});
