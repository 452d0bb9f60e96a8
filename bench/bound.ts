/**
 * `--only bound`: the peak request rate one cluster sees with N Rollouts due at once (default 500, `--rollouts N`),
 * against the configured bound. The step queue on moto's SQS, played by as many pollers as its maximum concurrency
 * (tests/support/step-queue-esm.ts: each poller one container with the production wiring and its share of the
 * bound); each Rollout asked for once through the step function's forward, its follow-ups forwarded the same way.
 * No kubelet: each Rollout's passes end waiting for its pods (its first pass creates the ReplicaSet and the status).
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { maxRequestsIn } from '../shared/adapters/kube/cluster-bound.js';
import { readConfig } from '../shared/runtimes/lambda/config.js';
import { buildDeps } from '../shared/runtimes/lambda/wiring.js';
import { createStepHandler } from '../functions/step/handler.js';
import { awsClientConfig, startAwsServer } from '../tests/support/moto.js';
import { overlaps, peakIn, runStepQueueEsm } from '../tests/support/step-queue-esm.js';
import { ensureNamespace, pool, type BenchCluster } from './lib/cluster.js';
import { admin } from './lib/cluster.js';
import { collection, referenced, rollout } from './lib/fixtures.js';
import type { Row } from './lib/stats.js';

/** What one run measured. */
export interface BoundRun {
  rollouts: number;
  bound: { qps: number; burst: number; concurrency: number };
  requests: number;
  passes: number;
  overlapping: number;
  peakPerSecond: number;
  boundPerSecond: number;
  meanPerSecond: number;
  wallSeconds: number;
}

const INSTANCE = 'bench-bound';

export async function benchBound(
  c: BenchCluster,
  rollouts: number,
  log: (m: string) => void,
): Promise<BoundRun> {
  const server = await startAwsServer();
  try {
    const cfgAws = awsClientConfig(server);
    const sqs = new SQSClient(cfgAws);
    const secrets = new SecretsManagerClient(cfgAws);
    await secrets.send(new CreateSecretCommand({ Name: 'bench/bound', SecretString: c.kubeconfigYaml }));
    const q = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'bench-steps.fifo',
        Attributes: { FifoQueue: 'true', VisibilityTimeout: '360' },
      }),
    );
    const url = q.QueueUrl ?? '';
    const arn =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
        .Attributes?.QueueArn ?? '';
    const config = readConfig({
      SLUICE_CLUSTERS: JSON.stringify([{ name: 'bench', source: 'secret', secretId: 'bench/bound' }]),
      SLUICE_EVENT_BUS: 'bench',
      SLUICE_INSTANCE_ID: INSTANCE,
      SLUICE_STEP_QUEUE_URL: url,
    });
    const aws = {
      secrets,
      sqs,
      eventBridge: new EventBridgeClient(cfgAws),
      credentials: async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' }),
    };
    const ns = 'bench-bound';
    await ensureNamespace(c, ns);
    const names = Array.from({ length: rollouts }, (_, i) => `b${i}`);
    log(`bound: creating ${rollouts} Rollouts`);
    const labels = { 'argo-rollouts.argoproj.io/controller-instance-id': INSTANCE };
    await pool(names, 8, async (n) => {
      for (const o of [
        ...referenced('host', n),
        rollout('host', n, [{ setWeight: 50 }, { pause: {} }], { labels }),
      ])
        await admin(c, 'POST', collection((o as { kind: string }).kind, ns), o);
    });
    const forwarder = createStepHandler(async () => buildDeps(config, aws), { sink: () => undefined });
    for (const [i, rollout] of names.entries()) {
      const event = {
        id: `bench-${i}`,
        'detail-type': 'sluice.step',
        source: 'sluice',
        detail: { cluster: 'bench', namespace: ns, rollout },
      };
      await forwarder(
        event as never,
        { getRemainingTimeInMillis: () => 60_000, awsRequestId: `r${i}` } as never,
      );
    }
    log(`bound: ${rollouts} passes queued; running ${config.clusterBound.concurrency} pollers`);
    const run = await runStepQueueEsm({
      sqs,
      queueUrl: url,
      queueArn: arn,
      config,
      aws,
      concurrency: config.clusterBound.concurrency,
    });
    const span = (Math.max(...run.requests) - Math.min(...run.requests)) / 1000;
    return {
      rollouts,
      bound: config.clusterBound,
      requests: run.requests.length,
      passes: [...run.passes.values()].reduce((n, p) => n + p.length, 0),
      overlapping: overlaps(run.passes).length,
      peakPerSecond: peakIn(run.requests, 1000),
      boundPerSecond: maxRequestsIn(1, config.clusterBound),
      meanPerSecond: run.requests.length / span,
      wallSeconds: run.wallMs / 1000,
    };
  } finally {
    await server.stop();
  }
}

/** The bench rows of a bound run. */
export function boundRows(b: BoundRun): Row[] {
  const section = `9 bound, ${b.rollouts} due at once`;
  return [
    {
      section,
      metric: `peak requests in any 1 s (${b.bound.concurrency} invocations, ${b.bound.qps}/${b.bound.burst})`,
      value: String(b.peakPerSecond),
      goal: `≤ ${b.boundPerSecond} (burst + qps × 1 s)`,
      met: b.peakPerSecond <= b.boundPerSecond,
    },
    {
      section,
      metric: `mean rate over ${b.requests} requests, ${b.passes} passes, ${b.wallSeconds.toFixed(0)} s`,
      value: `${b.meanPerSecond.toFixed(1)}/s`,
      goal: `≤ ${b.bound.qps}/s sustained`,
      met: b.meanPerSecond <= b.bound.qps + b.bound.burst / Math.max(1, b.wallSeconds),
    },
    {
      section,
      metric: 'Rollouts with overlapping passes',
      value: String(b.overlapping),
      goal: '0',
      met: b.overlapping === 0,
    },
  ];
}
