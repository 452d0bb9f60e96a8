/**
 * The step function with Istio on a primary cluster: TWO real API servers. The rollout cluster (the test cluster)
 * holds the Rollout, Services, ReplicaSets and the `istio.argoproj.io/primary-cluster` Secret; the primary (a second
 * API server) holds the VirtualService and DestinationRule. Weights and subsets must change in the primary only.
 * A misconfigured Secret (two labelled Secrets, two keys and none named) gives a clear reason and zero writes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PrimaryGateways } from '../../shared/adapters/kube/primary-gateways.js';
import { createGateway } from '../../shared/adapters/kube/client-gateway.js';
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';
import { decorateGateway } from '../../shared/app/kube-port/decorate.js';
import { parseKubeconfig, toKubeConfig } from '../../shared/adapters/kube/kubeconfig.js';
import { PRIMARY_CLUSTER_LABEL } from '../../shared/adapters/kube/primary-cluster.js';
import { readConfig } from '../../shared/runtimes/lambda/config.js';
import type { FunctionDeps } from '../../shared/runtimes/lambda/deps.js';
import type { Rollout } from '../../shared/core/model/types.js';
import { createStepHandler, type StepOutcome } from '../../functions/step/handler.js';
import { createDriftCheckHandler } from '../../functions/drift-check/handler.js';
import { adminConnection, readClusterFile } from '../../tools/test-cluster/cluster.js';
import { kubeRequest, type Connection } from '../../tools/test-cluster/kube-http.js';
import { applyObjects, createNamespace, startExtraCluster, type ExtraCluster } from '../support/cluster.js';
import { startKubelet, type Kubelet } from '../support/kubelet.js';
import { adminGateway, routeWeights, setImage } from '../journeys/harness.js';
import { hostRollout, hostVirtualService, IMAGE_V2, service, subsetSeed } from '../journeys/fixtures.js';
import {
  CLUSTER,
  busEvent,
  instanceLabelled,
  lambdaContext,
  mockEventBridge,
  testDeps,
  quiet,
} from './support.js';

// Unique per run: Rollouts other runs left on a shared cluster must not be listed, ticked or watched here.
const INSTANCE = `fn-primary-${randomBytes(3).toString('hex')}`;
const SECRET_NAME = 'istio-primary';
const STEPS = [{ setWeight: 20 }, { pause: {} }];

/** Wraps a gateway and records every write (`verb resource`) and every secrets call. */
function recording(inner: KubeGateway) {
  const writes: string[] = [];
  const secretCalls: string[] = [];
  const gw = decorateGateway(inner, {
    around: (request, send) => {
      if (request.write) writes.push(`${request.method} ${request.resource}`);
      else if (request.resource === 'secrets') secretCalls.push(request.method);
      return send(inner);
    },
  });
  return { gw, writes, secretCalls };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

function primarySecret(name: string, data: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, labels: { [PRIMARY_CLUSTER_LABEL]: 'true' } },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

describe('step function with the Istio primary cluster on a second API server', () => {
  let extra: ExtraCluster;
  let extraConn: Connection;
  let primaryGw: KubeGateway;
  let local: ReturnType<typeof recording>;
  let bus: ReturnType<typeof mockEventBridge>;
  const kubelets: Kubelet[] = [];

  /** Creates `objects` in namespace `ns` of the primary cluster (the namespace too). */
  async function applyInPrimary(ns: string, objects: { kind: string; metadata: { name: string } }[]) {
    const nsRes = await kubeRequest(extraConn, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    if (nsRes.status !== 201 && nsRes.status !== 409) throw new Error(`namespace ${ns}: ${nsRes.status}`);
    for (const o of objects) {
      const plural = o.kind === 'VirtualService' ? 'virtualservices' : 'destinationrules';
      const res = await kubeRequest(
        extraConn,
        'POST',
        `/apis/networking.istio.io/v1/namespaces/${ns}/${plural}`,
        o,
      );
      if (res.status !== 201) throw new Error(`create ${o.kind} in primary: ${res.status}`);
    }
  }

  /** Deps whose `istioGateway` comes from the primary-cluster Secret, configured through the environment. */
  function depsWith(env: Record<string, string>): FunctionDeps {
    const base = testDeps(local.gw, INSTANCE);
    const config = readConfig({
      SLUICE_CLUSTERS: '[]',
      SLUICE_EVENT_BUS: 'sluice-test',
      SLUICE_INSTANCE_ID: INSTANCE,
      SLUICE_WEBHOOK_SECRET_ID: 'unused',
      ...env,
    });
    const primaries = new PrimaryGateways(base.clusters.gateway, config.istioPrimary!);
    return {
      ...base,
      config: { ...base.config, ...(config.istioPrimary ? { istioPrimary: config.istioPrimary } : {}) },
      clusters: { ...base.clusters, istioGateway: (c) => primaries.gateway(c) },
    };
  }

  async function rolloutOf(ns: string, name = 'reviews'): Promise<Rollout> {
    return (await local.gw.get('rollouts', ns, name)) as Rollout;
  }

  /** Delivers sluice.step events to the step function until `done` holds and no follow-up is due. */
  async function drive(
    deps: FunctionDeps,
    ns: string,
    done: (r: Rollout) => boolean,
  ): Promise<StepOutcome[]> {
    const step = createStepHandler(async () => deps, quiet);
    const out: StepOutcome[] = [];
    for (let i = 0; i < 200; i++) {
      const r = (await step(
        busEvent('sluice.step', { cluster: CLUSTER, namespace: ns, rollout: 'reviews' }),
        lambdaContext(),
      )) as StepOutcome;
      out.push(r);
      if ('skipped' in r) throw new Error(`step skipped: ${r.skipped}`);
      if (!r.followUp && done(await rolloutOf(ns))) return out;
      if (!r.followUp) await new Promise((ok) => setTimeout(ok, 50));
    }
    throw new Error(`rollout ${ns}/reviews did not settle: ${JSON.stringify((await rolloutOf(ns)).status)}`);
  }

  beforeAll(async () => {
    extra = await startExtraCluster();
    extraConn = adminConnection(readClusterFile(extra.dir));
    primaryGw = createGateway(toKubeConfig(parseKubeconfig(extra.kubeconfigYaml)));
    local = recording(adminGateway());
    bus = mockEventBridge();
  }, 60_000);
  afterAll(async () => {
    bus.mock.restore();
    for (const k of kubelets) await k.stop();
    await extra?.stop();
  });

  it('host-level: weights move in the primary VirtualService; the rollout cluster gets no Istio write', async () => {
    const ns = await createNamespace('fn-primary-host');
    const sys = await createNamespace('fn-primary-sys');
    await applyObjects(sys, [primarySecret(SECRET_NAME, { kubeconfig: extra.kubeconfigYaml })]);
    // A decoy with the same name in the rollout cluster: it must not be touched.
    const [decoy] = await applyObjects(ns, [
      service('reviews-canary'),
      service('reviews-stable'),
      hostVirtualService(),
      instanceLabelled(hostRollout({ steps: STEPS }), INSTANCE),
    ]).then((all) => all.filter((o) => o.kind === 'VirtualService'));
    await applyInPrimary(ns, [hostVirtualService()]);
    kubelets.push(startKubelet(ns));
    const deps = depsWith({ SLUICE_ISTIO_PRIMARY_SECRET: `${sys}/${SECRET_NAME}` });
    const writesBefore = local.writes.length;

    await drive(deps, ns, (r) => r.status?.phase === 'Healthy');
    await setImage(ns, 'reviews', IMAGE_V2);
    await drive(deps, ns, (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused');

    const primaryVs = (await primaryGw.get('virtualservices', ns, 'reviews'))!;
    expect(routeWeights(primaryVs)).toEqual([
      ['reviews-stable', 80],
      ['reviews-canary', 20],
    ]);
    const localVs = (await local.gw.get('virtualservices', ns, 'reviews'))!;
    expect(localVs.metadata.resourceVersion).toBe(decoy!.metadata.resourceVersion);
    expect(routeWeights(localVs)).toEqual([
      ['reviews-stable', 100],
      ['reviews-canary', 0],
    ]);
    const mine = local.writes.slice(writesBefore);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.filter((w) => /virtualservices|destinationrules/.test(w))).toEqual([]);
    // The Secret was addressed by name: `get` only, never `list`.
    expect(local.secretCalls).not.toContain('list');
    expect(local.secretCalls).toContain('get');
  });

  it('subset-level: the DestinationRule subsets and VS weights change in the primary only', async () => {
    const ns = await createNamespace('fn-primary-subset');
    const sys = await createNamespace('fn-primary-sys');
    await applyObjects(sys, [primarySecret(SECRET_NAME, { config: extra.kubeconfigYaml })]);
    const seed = subsetSeed(STEPS);
    const istio = seed.filter((o) => o.kind === 'VirtualService' || o.kind === 'DestinationRule');
    const rest = seed
      .filter((o) => !istio.includes(o))
      .map((o) => (o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o));
    await applyObjects(ns, rest);
    await applyInPrimary(ns, istio as { kind: string; metadata: { name: string } }[]);
    kubelets.push(startKubelet(ns));
    const deps = depsWith({ SLUICE_ISTIO_PRIMARY_SECRET: `${sys}/${SECRET_NAME}` });
    const writesBefore = local.writes.length;

    await drive(deps, ns, (r) => r.status?.phase === 'Healthy');
    await setImage(ns, 'reviews', IMAGE_V2);
    await drive(deps, ns, (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused');

    const status = (await rolloutOf(ns)).status!;
    const dr = (await primaryGw.get('destinationrules', ns, 'reviews'))!;
    const subsets = (dr.spec as { subsets: { name: string; labels: Record<string, string> }[] }).subsets;
    const hash = (n: string) => subsets.find((s) => s.name === n)?.labels['rollouts-pod-template-hash'];
    expect(hash('canary')).toBe(status.currentPodHash);
    expect(hash('stable')).toBe(status.stableRS);
    expect(hash('canary')).not.toBe(hash('stable'));
    expect(routeWeights((await primaryGw.get('virtualservices', ns, 'reviews'))!)).toEqual([
      ['reviews/stable', 80],
      ['reviews/canary', 20],
    ]);
    expect(
      local.writes.slice(writesBefore).filter((w) => /virtualservices|destinationrules/.test(w)),
    ).toEqual([]);
    expect(await local.gw.get('destinationrules', ns, 'reviews')).toBeUndefined();
  });

  describe('a misconfigured primary-cluster Secret: a clear reason in the result, zero writes', () => {
    const cases: {
      title: string;
      secrets: () => ReturnType<typeof primarySecret>[];
      env: (sys: string) => Record<string, string>;
      reason: RegExp;
    }[] = [
      {
        title: 'two labelled Secrets (found by label)',
        secrets: () => [
          primarySecret('primary-a', { kubeconfig: extra.kubeconfigYaml }),
          primarySecret('primary-b', { kubeconfig: extra.kubeconfigYaml }),
        ],
        env: (sys) => ({ SLUICE_ISTIO_PRIMARY_SECRET: sys }),
        reason:
          /2 Secrets in \S+ are labelled istio\.argoproj\.io\/primary-cluster=true \(primary-a, primary-b\)/,
      },
      {
        title: 'one Secret with two data keys and none named',
        secrets: () => [
          primarySecret(SECRET_NAME, { east: extra.kubeconfigYaml, west: extra.kubeconfigYaml }),
        ],
        env: (sys) => ({ SLUICE_ISTIO_PRIMARY_SECRET: `${sys}/${SECRET_NAME}` }),
        reason: /Secret \S+\/istio-primary has 2 data keys \(east, west\); name the one to use/,
      },
    ];

    it.each(cases)('$title', async ({ secrets, env, reason }) => {
      const ns = await createNamespace('fn-primary-bad');
      const sys = await createNamespace('fn-primary-sys');
      await applyObjects(sys, secrets());
      await applyObjects(ns, [
        service('reviews-canary'),
        service('reviews-stable'),
        instanceLabelled(hostRollout({ steps: STEPS }), INSTANCE),
      ]);
      await applyInPrimary(ns, [hostVirtualService()]);
      const primaryBefore = (await primaryGw.get('virtualservices', ns, 'reviews'))!.metadata.resourceVersion;
      const deps = depsWith(env(sys));
      const writesBefore = local.writes.length;
      const sentBefore = bus.entries().length;

      const step = createStepHandler(async () => deps, quiet);
      const result = (await step(
        busEvent('sluice.step', { cluster: CLUSTER, namespace: ns, rollout: 'reviews' }),
        lambdaContext(),
      )) as StepOutcome;
      expect(result).toEqual({ skipped: expect.stringMatching(reason) });
      expect((result as { skipped: string }).skipped).toContain(`Istio primary cluster of ${CLUSTER}`);

      const drift = createDriftCheckHandler(async () => deps, quiet);
      const driftResult = await drift(
        busEvent('sluice.drift', {
          cluster: CLUSTER,
          namespace: ns,
          kind: 'VirtualService',
          name: 'reviews',
          resourceVersion: '1',
        }),
        lambdaContext(),
      );
      expect(driftResult).toEqual({ skipped: expect.stringMatching(reason) });

      expect(local.writes.slice(writesBefore)).toEqual([]);
      expect(bus.entries().length).toBe(sentBefore);
      expect((await rolloutOf(ns)).status).toBeUndefined();
      expect((await local.gw.list('replicasets', ns)).items).toEqual([]);
      expect((await primaryGw.get('virtualservices', ns, 'reviews'))!.metadata.resourceVersion).toBe(
        primaryBefore,
      );
    });
  });
});
