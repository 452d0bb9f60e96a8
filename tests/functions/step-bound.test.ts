/**
 * The deployment-wide request bound per cluster, on a real SQS API (moto's server) and the real cluster: many
 * Rollouts due at once, each asked for twice, go through the step function's forward into the FIFO step queue and
 * are run by as many pollers as the queue's maximum concurrency, each poller a container with the production wiring
 * (its own client with its share of the bound). The request starts the cluster sees in any one-second window stay
 * within the bound (burst + qps × 1 s), and no two passes of one Rollout overlap. A timer delivered twice is
 * forwarded once, so a long timer re-arms one chain.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSEvent } from 'aws-lambda';
import { maxRequestsIn } from '../../shared/adapters/kube/cluster-bound.js';
import { readConfig, type LambdaConfig } from '../../shared/runtimes/lambda/config.js';
import { buildDeps, type AwsClients } from '../../shared/runtimes/lambda/wiring.js';
import { createStepHandler } from '../../functions/step/handler.js';
import { clusterInfo } from '../support/cluster.js';
import { awsClientConfig, useAwsServer } from '../support/aws-server.js';
import { overlaps, peakIn, runStepQueueEsm } from '../support/step-queue-esm.js';
import { startJourney, type Journey } from '../journeys/harness.js';
import { referenced, rollout } from '../../bench/lib/fixtures.js';
import { busEvent, CLUSTER, instanceLabelled, lambdaContext, quiet } from './support.js';

const INSTANCE = `fn-bound-${randomBytes(3).toString('hex')}`;
const ROLLOUTS = 12;
const BOUND = { SLUICE_CLUSTER_QPS: '20', SLUICE_CLUSTER_BURST: '20', SLUICE_STEP_MAX_CONCURRENCY: '4' };

const server = useAwsServer();
let sqs: SQSClient;
let aws: AwsClients;
let secretId: string;
beforeAll(async () => {
  const cfg = awsClientConfig(server());
  sqs = new SQSClient(cfg);
  const secrets = new SecretsManagerClient(cfg);
  secretId = `sluice/test/clusters/${INSTANCE}`;
  await secrets.send(new CreateSecretCommand({ Name: secretId, SecretString: clusterInfo().kubeconfigYaml }));
  aws = {
    secrets,
    eventBridge: new EventBridgeClient(cfg),
    sqs,
    credentials: async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' }),
  };
}, 120_000);
afterAll(() => sqs?.destroy());

async function queue(name: string, fifo: boolean): Promise<{ url: string; arn: string }> {
  const out = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}-${randomBytes(3).toString('hex')}${fifo ? '.fifo' : ''}`,
      // As deploy/aws/resources.yml declares them: a visibility timeout beyond any invocation (360 s).
      Attributes: {
        VisibilityTimeout: '360',
        ...(fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {}),
      },
    }),
  );
  const url = out.QueueUrl ?? '';
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
  return { url, arn: attrs.Attributes?.QueueArn ?? '' };
}

/** The functions' configuration: the registry (kubeconfig in moto's Secrets Manager), the queues, the bound. */
function config(steps: string | undefined, timers?: string): LambdaConfig {
  return readConfig({
    SLUICE_CLUSTERS: JSON.stringify([{ name: CLUSTER, source: 'secret', secretId }]),
    SLUICE_EVENT_BUS: 'sluice-test',
    SLUICE_INSTANCE_ID: INSTANCE,
    ...(steps ? { SLUICE_STEP_QUEUE_URL: steps } : {}),
    ...(timers ? { SLUICE_TIMER_QUEUE_URL: timers } : {}),
    ...BOUND,
  });
}

async function counts(url: string): Promise<{ visible: number; delayed: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages),
    delayed: Number(out.Attributes?.ApproximateNumberOfMessagesDelayed),
  };
}

describe('many Rollouts due at once in one cluster', () => {
  let j: Journey;
  const names = Array.from({ length: ROLLOUTS }, (_, i) => `r${i}`);
  beforeAll(async () => {
    const objects = names.flatMap((n) => [
      ...referenced('host', n),
      instanceLabelled(rollout('host', n, [{ setWeight: 50 }, { pause: {} }]) as never, INSTANCE),
    ]);
    j = await startJourney('fn-bound', objects);
  });
  afterAll(() => j?.stop());

  it('the cluster sees at most the bound per second, and one Rollout never has two passes at once', async () => {
    const steps = await queue('steps', true);
    const cfg = config(steps.url);
    // What the bus rule does: each sluice.step event invokes step, which forwards it to the step queue; every
    // Rollout is asked for twice in a row (two schedule ticks), so its group holds two passes next to each other,
    // which free pollers would take at once.
    const forwarder = createStepHandler(async () => buildDeps(cfg, aws), quiet);
    for (const rollout of names.flatMap((n) => [n, n])) {
      const out = await forwarder(
        busEvent('sluice.step', { cluster: CLUSTER, namespace: j.ns, rollout }),
        lambdaContext(),
      );
      expect(out).toHaveProperty('queued');
    }
    // Forwarding made no Kubernetes request: nothing has run yet.
    for (const n of names) expect((await j.rollout(n)).status).toBeUndefined();

    const run = await runStepQueueEsm({
      sqs,
      queueUrl: steps.url,
      queueArn: steps.arn,
      config: cfg,
      aws,
      concurrency: cfg.clusterBound.concurrency,
    });

    // Every Rollout ran (at least its two asked-for passes), one pass at a time.
    for (const n of names) {
      expect((await j.rollout(n)).status?.observedGeneration).toBeDefined();
      expect(run.passes.get(`${j.ns}/${n}`)?.length ?? 0).toBeGreaterThanOrEqual(2);
    }
    expect(overlaps(run.passes)).toEqual([]);
    // The bound, over any second: burst + qps × 1 s for the whole deployment.
    const bound = cfg.clusterBound;
    const peak = peakIn(run.requests, 1000);
    expect(run.requests.length).toBeGreaterThan(3 * bound.burst);
    expect(peak).toBeLessThanOrEqual(maxRequestsIn(1, bound));
    // and over the whole run: burst + qps × duration.
    const spanS = (Math.max(...run.requests) - Math.min(...run.requests)) / 1000;
    expect(run.requests.length).toBeLessThanOrEqual(maxRequestsIn(spanS, bound));
    expect(await counts(steps.url)).toEqual({ visible: 0, delayed: 0 });
  }, 120_000);
});

/** The timer queue's mapping delivering one timer message (`messageId`, `body`) from the queue at `arn`. */
function timerEvent(messageId: string, body: string, arn: string): SQSEvent {
  return {
    Records: [
      {
        messageId,
        receiptHandle: `rh-${messageId}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'test',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: arn,
        awsRegion: 'us-east-1',
      },
    ],
  };
}

describe('SQS timer chain dedupe', () => {
  const detail = { cluster: CLUSTER, namespace: 'shop', rollout: 'reviews', expectedStep: 1 };
  // A timer an hour away: SQS holds a message 900 s at most, so it arrives early and is armed again on arrival.
  const body = JSON.stringify({
    detail,
    at: new Date(Date.now() + 3_600_000).toISOString(),
    reason: 'pause end',
  });

  /** Delivers the same timer message twice, in two invocations (two containers), as at-least-once SQS may. */
  async function deliverTwice(cfg: LambdaConfig, arn: string): Promise<void> {
    const messageId = randomBytes(8).toString('hex');
    for (let i = 0; i < 2; i++) {
      const step = createStepHandler(async () => buildDeps(cfg, aws), quiet);
      expect(await step(timerEvent(messageId, body, arn), lambdaContext())).toEqual({
        batchItemFailures: [],
      });
    }
  }

  it('without the step queue, a duplicate delivery forks the chain (what the dedupe prevents)', async () => {
    const timers = await queue('timers', false);
    const cfg = config(undefined, timers.url);
    await deliverTwice(cfg, timers.arn);
    expect(await counts(timers.url)).toEqual({ visible: 0, delayed: 2 });
  });

  it('a long timer delivered twice is forwarded once and re-arms one chain, not two', async () => {
    const timers = await queue('timers', false);
    const steps = await queue('steps', true);
    const cfg = config(steps.url, timers.url);
    await deliverTwice(cfg, timers.arn);
    // Both deliveries were forwarded under the timer's message id: the step queue kept one.
    expect(await counts(steps.url)).toEqual({ visible: 1, delayed: 0 });
    expect(await counts(timers.url)).toEqual({ visible: 0, delayed: 0 });
    const run = await runStepQueueEsm({
      sqs,
      queueUrl: steps.url,
      queueArn: steps.arn,
      config: cfg,
      aws,
      concurrency: 2,
      idleMs: 1000,
    });
    // The one forwarded timer was early: armed again once, and nothing ran against the cluster.
    expect(run.requests).toEqual([]);
    expect(await counts(steps.url)).toEqual({ visible: 0, delayed: 0 });
    expect(await counts(timers.url)).toEqual({ visible: 0, delayed: 1 });
  });
});
