/**
 * The production wiring (`buildDeps`) against the real API server: gateway calls are bounded by the Lambda's
 * remaining time, EKS entries get in-process tokens (a fresh one after a 401), and `schedule` pins each step event
 * to the step it saw, so a duplicated scheduled event cannot make a second transition.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ClusterClients } from '../../shared/adapters/kube/cluster-registry.js';
import { KubeApiError } from '../../shared/app/kube-port/errors.js';
import { readConfig } from '../../shared/runtimes/lambda/config.js';
import { buildDeps } from '../../shared/runtimes/lambda/wiring.js';
import { createStepHandler, type StepOutcome } from '../../functions/step/handler.js';
import { createScheduleHandler } from '../../functions/schedule/handler.js';
import { clusterInfo } from '../support/cluster.js';
import { startTcpProxy, type TcpProxy } from '../support/fault-proxy.js';
import { adminGateway, setImage, startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import {
  CLUSTER,
  busEvent,
  instanceLabelled,
  lambdaContext,
  mockEventBridge,
  scheduledEvent,
  testDeps,
  quiet,
} from './support.js';

const secrets = new SecretsManagerClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'A', secretAccessKey: 'B' },
});
// Kubeconfigs by secret id (Lambda takes them from Secrets Manager only), served at the SDK boundary.
const kubeconfigSecrets = new Map<string, string>();
mockClient(secrets)
  .on(GetSecretValueCommand)
  .callsFake((input: { SecretId?: string }) => ({
    SecretString: kubeconfigSecrets.get(input.SecretId ?? ''),
  }));
const aws = {
  secrets,
  eventBridge: new EventBridgeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'A', secretAccessKey: 'B' },
  }),
  credentials: async () => ({
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  }),
};

function config(clusters: unknown[]) {
  return readConfig({
    SLUICE_CLUSTERS: JSON.stringify(clusters),
    SLUICE_EVENT_BUS: 'sluice-test',
    SLUICE_INSTANCE_ID: 'fn-wiring',
    SLUICE_WEBHOOK_SECRET_ID: 'unused',
  });
}

describe('default wiring: deadlines', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    const url = new URL(clusterInfo().server);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) }, 'blackhole');
  });
  afterAll(() => proxy.close());

  const viaSecret = (server: string) => {
    const secretId = `sluice/test/clusters/${kubeconfigSecrets.size}`;
    kubeconfigSecrets.set(secretId, clusterInfo().kubeconfigYaml.replace(/server: \S+/, `server: ${server}`));
    return { name: CLUSTER, source: 'secret', secretId };
  };

  it('a silent API server fails the step within the remaining time, not after the 10 s request timeout', async () => {
    const deps = buildDeps(config([viaSecret(`https://127.0.0.1:${proxy.port}`)]), aws);
    const step = createStepHandler(async () => deps, quiet);
    const started = Date.now();
    const run = step(
      busEvent('sluice.step', { cluster: CLUSTER, namespace: 'default', rollout: 'nothing' }),
      lambdaContext(3000),
    );
    await expect(run).rejects.toBeInstanceOf(KubeApiError);
    const took = Date.now() - started;
    // Lambda would kill it at 3 s; the middleware keeps a 1 s margin.
    expect(took).toBeLessThan(2600);
    expect(took).toBeGreaterThan(1500);
  });

  it('with time left, the same wiring reaches the cluster (positive control)', async () => {
    const deps = buildDeps(config([viaSecret(clusterInfo().server)]), aws);
    const step = createStepHandler(async () => deps, quiet);
    const r = (await step(
      busEvent('sluice.step', { cluster: CLUSTER, namespace: 'default', rollout: 'nothing' }),
      lambdaContext(30_000),
    )) as StepOutcome;
    expect(r).toMatchObject({ outcome: 'not-found', reason: 'rollout not found', writes: 0 });
  });

  it('no time left: the first call is refused before it is sent', async () => {
    const deps = buildDeps(config([viaSecret(clusterInfo().server)]), aws);
    const step = createStepHandler(async () => deps, quiet);
    await expect(
      step(
        busEvent('sluice.step', { cluster: CLUSTER, namespace: 'default', rollout: 'nothing' }),
        lambdaContext(900),
      ),
    ).rejects.toThrow(/deadline has passed/);
  });
});

describe('default wiring: EKS entries', () => {
  const eks = () => ({
    name: 'eks-1',
    source: 'eks',
    clusterName: 'prod',
    region: 'eu-west-1',
    endpoint: clusterInfo().server,
    caData: clusterInfo().caData,
  });

  it('get an in-process token (the test API server refuses it with 401, not "no eksToken source")', async () => {
    const deps = buildDeps(config([eks()]), aws);
    const gw = await deps.clusters.gateway('eks-1');
    await expect(gw!.get('rollouts', 'default', 'x')).rejects.toThrow(/401 Unauthorized/);
  });

  it('after a 401 ask for a fresh token once, then fail (no loop)', async () => {
    const calls: boolean[] = [];
    const clients = new ClusterClients([eks() as never], {
      fetchSecret: async () => '',
      eksToken: async (_entry, { fresh }) => {
        calls.push(fresh);
        return `k8s-aws-v1.${calls.length}`;
      },
    });
    const gw = await clients.getGateway('eks-1');
    await expect(gw.get('rollouts', 'default', 'x')).rejects.toThrow(/401/);
    expect(calls).toEqual([false, true]);
  });
});

describe('schedule pins step events to the step it saw', () => {
  const INSTANCE = 'fn-wiring-sched';
  let j: Journey;
  let bus: ReturnType<typeof mockEventBridge>;
  beforeAll(async () => {
    const seed = hostSeed({
      steps: [{ setWeight: 20 }, { pause: { duration: '1s' } }, { setWeight: 60 }, { pause: {} }],
    }).map((o) => (o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o));
    j = await startJourney('fn-wiring-sched', seed);
    await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
    await setImage(j.ns, 'reviews', IMAGE_V2);
    await j.drive('reviews', (r) => r.status?.currentStepIndex === 1);
    bus = mockEventBridge();
  });
  afterAll(async () => {
    bus.mock.restore();
    await j.stop();
  });

  it('a duplicated scheduled event makes exactly one transition', async () => {
    const deps = async () => testDeps(adminGateway(), INSTANCE);
    await new Promise((r) => setTimeout(r, 1200)); // the 1 s pause is over: step 1 is due
    await createScheduleHandler(deps, quiet)(scheduledEvent(), lambdaContext());
    const steps = bus.entries().filter((e) => e.detailType === 'sluice.step' && e.detail.namespace === j.ns);
    expect(steps).toHaveLength(1);
    expect(steps[0]!.detail).toEqual({
      cluster: CLUSTER,
      namespace: j.ns,
      rollout: 'reviews',
      expectedStep: 1,
    });

    const step = createStepHandler(deps, quiet);
    const event = busEvent('sluice.step', steps[0]!.detail);
    const first = (await step(event, lambdaContext())) as StepOutcome & { stepAfter?: number };
    expect(first).toMatchObject({ stepBefore: 1, stepAfter: 2 });
    // EventBridge delivers at least once: the same event again.
    const again = (await step(event, lambdaContext())) as StepOutcome;
    expect(again).toMatchObject({ outcome: 'stale', reason: 'stale event', stepBefore: 2, stepAfter: 2 });
    expect((again as { transition?: string }).transition).toBeUndefined();
    expect((await j.rollout('reviews')).status?.currentStepIndex).toBe(2);
  });
});
