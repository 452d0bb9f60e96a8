/**
 * A rollout through the functions alone, in the shape they are deployed, with the AWS transport on a real AWS API
 * (moto's server on loopback): the watch function's code watches the cluster, its `sluice.step` events go through
 * EventBridge (the rule `serverless.yml` gives the step function, with an SQS target standing in for the Lambda
 * invocation), the step function forwards each to the FIFO step queue, whose event source mapping (played by
 * tests/support/step-queue-esm.ts: as many pollers as its maximum concurrency, each a container with the production
 * wiring and its default share of the cluster bound) runs the passes; their follow-ups go out on the bus again, and
 * their timers go through the SQS timer queue back to the step function, which forwards them to the step queue too.
 * No schedule tick. A 6-step rollout with two 10 s pauses completes on that transport alone within 10 % of Argo
 * Rollouts' timeline (the 20 s of pauses plus the time the rest took: pod readiness and the steps between), each
 * pause lasting its 10 s (the pass that starts a pause arms its end plus a slack over its commit's latency; the
 * timer's sub-second remainder is waited out by the consumer).
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createStepHandler } from '../../functions/step/handler.js';
import { createWatchHandler } from '../../functions/watch/handler.js';
import { readConfig } from '../../shared/runtimes/lambda/config.js';
import { buildDeps, type AwsClients } from '../../shared/runtimes/lambda/wiring.js';
import { DEFAULT_CLUSTER_BOUND } from '../../shared/adapters/kube/cluster-bound.js';
import type { RolloutStatus } from '../../shared/core/model/types.js';
import { clusterInfo } from '../support/cluster.js';
import { awsClientConfig, useAwsServer } from '../support/aws-server.js';
import { overlaps, runStepQueueEsm } from '../support/step-queue-esm.js';
import { startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import { CLUSTER, instanceLabelled, lambdaContext, scheduledEvent, quiet } from './support.js';

const INSTANCE = `fn-awsj-${randomBytes(3).toString('hex')}`;
const STEPS = [
  { setWeight: 20 },
  { pause: { duration: '10s' } },
  { setWeight: 40 },
  { pause: { duration: '10s' } },
  { setWeight: 60 },
  { setWeight: 80 },
];
/** The pauses of Argo Rollouts' timeline for STEPS. */
const ARGO_PAUSES_MS = 20_000;

const server = useAwsServer();
let eb: EventBridgeClient;
let sqs: SQSClient;
let aws: AwsClients;
let secretId: string;
beforeAll(async () => {
  const cfg = awsClientConfig(server());
  eb = new EventBridgeClient(cfg);
  sqs = new SQSClient(cfg);
  const secrets = new SecretsManagerClient(cfg);
  secretId = `sluice/test/clusters/${INSTANCE}`;
  await secrets.send(new CreateSecretCommand({ Name: secretId, SecretString: clusterInfo().kubeconfigYaml }));
  aws = {
    secrets,
    eventBridge: eb,
    sqs,
    credentials: async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' }),
  };
}, 120_000);
afterAll(async () => {
  eb?.destroy();
  sqs?.destroy();
});

/** A queue as deploy/aws/resources.yml declares it (the step queue FIFO, a visibility timeout beyond any run). */
async function createQueue(name: string, fifo = false): Promise<{ url: string; arn: string }> {
  const attributes = {
    VisibilityTimeout: '360',
    ...(fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {}),
  };
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}${fifo ? '.fifo' : ''}`, Attributes: attributes }),
  );
  const url = created.QueueUrl ?? '';
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: attrs.Attributes?.QueueArn ?? '' };
}

/** Receives from `url` until aborted, handing each batch to `deliver`; deletes what it did not report failed. */
async function pump(
  url: string,
  signal: AbortSignal,
  deliver: (messages: Message[]) => Promise<string[]>,
): Promise<void> {
  while (!signal.aborted) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) continue;
    const failed = new Set(await deliver(messages));
    for (const m of messages.filter((x) => !failed.has(x.MessageId ?? ''))) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

/** The new revision is stable, every step done. */
function promoted(s: RolloutStatus, v1: string | undefined): boolean {
  const stable = s.stableRS !== v1 && s.stableRS === s.currentPodHash;
  return stable && s.phase === 'Healthy' && s.currentStepIndex === STEPS.length;
}

/** Polls until the new revision is fully promoted (or 40 s passed); the states seen, with their times. */
async function untilPromoted(
  j: Journey,
  v1: string | undefined,
  t0: number,
): Promise<{ done: boolean; took: number; timeline: string[]; pauses: number[] }> {
  const deadline = t0 + 40_000;
  let done = false;
  const timeline: string[] = [];
  const pauses: number[] = [];
  let pausedAt: { step: number; ms: number } | undefined;
  while (!done && Date.now() < deadline) {
    const r = await j.rollout('reviews');
    const s = r.status ?? {};
    const ms = Date.now() - t0;
    const seen = `step ${s.currentStepIndex} ${s.phase} ${s.canary?.weights?.canary.weight ?? ''}`;
    if (!timeline.at(-1)?.endsWith(seen)) timeline.push(`${ms} ms ${seen}`);
    const step = s.currentStepIndex ?? 0;
    if (!pausedAt && s.phase === 'Paused') pausedAt = { step, ms };
    if (pausedAt && step > pausedAt.step) [pauses[pauses.length], pausedAt] = [ms - pausedAt.ms, undefined];
    done = promoted(s, v1);
    if (!done) await new Promise((res) => setTimeout(res, 50));
  }
  const took = Date.now() - t0;
  return { done, took, timeline, pauses };
}

describe('the functions alone on the AWS transport', () => {
  let j: Journey;
  beforeAll(async () => {
    const seed = hostSeed({ steps: STEPS }).map((o) =>
      o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o,
    );
    j = await startJourney('fn-awsj', seed);
  });
  afterAll(async () => {
    await j.stop();
  });

  it('runs a 6-step rollout with two 10 s pauses through watch, EventBridge, the step queue and SQS timers', async () => {
    const v1 = (await j.drive('reviews', (r) => r.status?.phase === 'Healthy')).status?.stableRS;
    const tag = randomBytes(3).toString('hex');
    const bus = `sluice-${tag}`;
    await eb.send(new CreateEventBusCommand({ Name: bus }));
    const invocations = await createQueue(`${bus}-step-invocations`);
    const stepQueue = await createQueue(`${bus}-steps`, true);
    const timerQueue = await createQueue(`${bus}-timers`);
    const sls = parse(readFileSync('serverless.yml', 'utf8')) as {
      functions: { step: { events: { eventBridge?: { pattern: unknown } }[] } };
    };
    const pattern = sls.functions.step.events.find((e) => e.eventBridge)?.eventBridge?.pattern;
    await eb.send(
      new PutRuleCommand({ Name: 'step', EventBusName: bus, EventPattern: JSON.stringify(pattern) }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: 'step',
        EventBusName: bus,
        Targets: [{ Id: 'step', Arn: invocations.arn }],
      }),
    );

    // The functions' configuration as deployed: the registry in Secrets Manager, both queues, the default bound.
    const config = readConfig({
      SLUICE_CLUSTERS: JSON.stringify([{ name: CLUSTER, source: 'secret', secretId }]),
      SLUICE_EVENT_BUS: bus,
      SLUICE_INSTANCE_ID: INSTANCE,
      SLUICE_WATCH_STOP_BEFORE_SECONDS: '30',
      SLUICE_STEP_QUEUE_URL: stepQueue.url,
      SLUICE_TIMER_QUEUE_URL: timerQueue.url,
    });
    expect(config.clusterBound).toEqual(DEFAULT_CLUSTER_BOUND);
    const deps = buildDeps(config, aws);
    const step = createStepHandler(async () => deps, quiet);
    const watch = createWatchHandler(async () => deps, quiet, new Map());
    const stop = new AbortController();
    const errors: unknown[] = [];
    const forwarded: unknown[] = [];
    const pumps = [
      // The rule's invocations of step: each forwards its event to the step queue.
      pump(invocations.url, stop.signal, async (messages) => {
        await Promise.all(
          messages.map((m) =>
            Promise.resolve(step(JSON.parse(m.Body ?? '{}'), lambdaContext()))
              .then((out) => forwarded.push(out))
              .catch((e) => errors.push(e)),
          ),
        );
        return [];
      }),
      // The timer queue's mapping: step forwards each delivered timer to the step queue.
      pump(timerQueue.url, stop.signal, async (messages) => {
        const event: SQSEvent = {
          Records: messages.map((m) => ({
            messageId: m.MessageId ?? '',
            body: m.Body ?? '',
            eventSource: 'aws:sqs',
            eventSourceARN: timerQueue.arn,
          })),
        } as unknown as SQSEvent;
        const out = (await step(event, lambdaContext())) as SQSBatchResponse;
        return out.batchItemFailures.map((f) => f.itemIdentifier);
      }),
    ];
    // The step queue's mapping: its maximum concurrency of pollers, passes' follow-ups out on the bus.
    const esm = runStepQueueEsm({
      sqs,
      queueUrl: stepQueue.url,
      queueArn: stepQueue.arn,
      config,
      aws,
      concurrency: config.clusterBound.concurrency,
      signal: stop.signal,
      viaBus: true,
    });
    // The watch function's invocation: 45 s of watching (30 s are held back before its limit).
    const watching = watch(scheduledEvent(), lambdaContext(75_000));
    await new Promise((r) => setTimeout(r, 1000)); // it lists and connects

    const t0 = Date.now();
    await j.setImage('reviews', IMAGE_V2);
    const { done, took, timeline, pauses } = await untilPromoted(j, v1, t0);
    stop.abort();
    await Promise.all(pumps);
    const run = await esm;
    await watching;
    // Within 40 s without any schedule tick (the timeline is in the failure message).
    expect({ done, timeline }).toMatchObject({ done: true });
    expect(errors).toEqual([]);
    // Every pass ran from the step queue: each invocation by the rule only forwarded, one Rollout's passes in turn.
    expect(forwarded.length).toBeGreaterThan(0);
    expect(forwarded.every((out) => typeof (out as { queued?: unknown }).queued === 'string')).toBe(true);
    expect(run.passes.get(`${j.ns}/reviews`)?.length ?? 0).toBeGreaterThanOrEqual(STEPS.length);
    expect(overlaps(run.passes)).toEqual([]);
    // Each pause lasts its 10 s as seen from outside, never less (less one 50 ms poll) and within a second over.
    const honoured = pauses.length === 2 && pauses.every((ms) => ms >= 9_950 && ms <= 11_000);
    expect(honoured ? 'honoured' : { pauses, timeline }).toBe('honoured');
    // The whole rollout within 10 % of Argo's timeline: the pauses plus what the rest took here.
    const rest = took - pauses.reduce((a, b) => a + b, 0);
    const goal = Math.ceil(1.1 * (ARGO_PAUSES_MS + rest));
    expect(took).toBeLessThanOrEqual(goal);
    expect(took).toBeGreaterThanOrEqual(ARGO_PAUSES_MS);
  });
});
