/**
 * The step queue's event source mapping, played on a real SQS API (moto) against a real cluster: `concurrency`
 * pollers, each one "container" with its own production dependencies (`buildDeps`: its own client, so its own share
 * of the cluster bound), each handing what it receives to the step function as Lambda would (an SQS event with the
 * MessageGroupId attribute), deleting what succeeded. Follow-up `sluice.step` events go back through the step
 * function's forward (what the bus rule does on AWS), or, with `viaBus`, out on the configured EventBridge bus
 * itself (the caller plays the rule). Records every request attempt's start time and each pass's
 * span per Rollout, to check the bound and that one Rollout's passes never overlap.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { BusEvent } from '../../shared/app/contract.js';
import { decorateGateway } from '../../shared/app/kube-port/decorate.js';
import type { LambdaConfig } from '../../shared/runtimes/lambda/config.js';
import type { FunctionDeps } from '../../shared/runtimes/lambda/deps.js';
import { buildDeps, type AwsClients } from '../../shared/runtimes/lambda/wiring.js';
import { forwardStep } from '../../shared/runtimes/lambda/step-queue-batch.js';
import { createStepHandler } from '../../functions/step/handler.js';

/** What the pollers saw. */
export interface EsmRun {
  /** Start time (epoch ms) of every Kubernetes request attempt, in order of completion. */
  requests: number[];
  /** Per Rollout (`namespace/name`): each pass's [first call, last answer] in epoch ms. */
  passes: Map<string, [number, number][]>;
  wallMs: number;
}

/** The most request starts in any window of `windowMs` (sliding, anchored at each start). */
export function peakIn(starts: number[], windowMs: number): number {
  const t = [...starts].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while ((t[j] as number) <= (t[i] as number) - windowMs) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

/** Pairs of passes of one Rollout whose spans overlap (none expected). */
export function overlaps(passes: Map<string, [number, number][]>): string[] {
  const out: string[] = [];
  for (const [rollout, spans] of passes) {
    const s = [...spans].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < s.length; i++)
      if ((s[i] as [number, number])[0] < (s[i - 1] as [number, number])[1]) out.push(rollout);
  }
  return out;
}

const quiet = { sink: (): void => undefined };

function lambdaContext(): Parameters<ReturnType<typeof createStepHandler>>[1] {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'sluice-test-step',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:sluice-test-step',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/sluice-test-step',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function sqsEvent(messages: Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: '0',
        ...(m.Attributes?.MessageGroupId ? { MessageGroupId: m.Attributes.MessageGroupId } : {}),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}

/** One container's dependencies: the production wiring, its passes' spans recorded, follow-ups forwarded. */
function containerDeps(config: LambdaConfig, aws: AwsClients, run: EsmRun, viaBus: boolean): FunctionDeps {
  const built = buildDeps(config, aws, config.clusters, {
    onRequest: (info) => run.requests.push(Date.now() - info.ms),
  });
  const queue = built.stepQueue;
  if (!queue) throw new Error('step queue ESM: SLUICE_STEP_QUEUE_URL is not set');
  const gateway = async (cluster: string) => {
    const inner = await built.clusters.gateway(cluster);
    if (!inner) return undefined;
    let span: [number, number] | undefined;
    return decorateGateway(inner, {
      around: async (req, send) => {
        const start = Date.now();
        try {
          return await send(inner);
        } finally {
          if (req.resource === 'rollouts' && req.method === 'get' && !span) {
            span = [start, Date.now()];
            const key = `${req.namespace}/${req.name}`;
            run.passes.set(key, [...(run.passes.get(key) ?? []), span]);
          }
          if (span) span[1] = Date.now();
        }
      },
    });
  };
  const bus = {
    send: async (events: BusEvent[]) => {
      for (const e of events)
        if (e.detailType === 'sluice.step')
          await forwardStep(queue, { id: randomUUID() } as never, e.detail as never);
    },
  };
  return { ...built, clusters: { ...built.clusters, gateway }, bus: viaBus ? built.bus : bus };
}

/**
 * Runs `concurrency` pollers on the FIFO queue until it stays empty for `idleMs` with nothing in flight (or, given
 * `signal`, until it is aborted); returns what they recorded.
 */
export async function runStepQueueEsm(opts: {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  config: LambdaConfig;
  aws: AwsClients;
  concurrency: number;
  /** Messages per invocation (serverless.yml's batchSize for the step queue: 1). */
  batchSize?: number;
  idleMs?: number;
  /** Poll until this is aborted instead of until idle. */
  signal?: AbortSignal;
  /** Send follow-up `sluice.step` events on the configured bus instead of forwarding them to the queue. */
  viaBus?: boolean;
}): Promise<EsmRun> {
  const run: EsmRun = { requests: [], passes: new Map(), wallMs: 0 };
  const t0 = Date.now();
  // moto's server answers concurrent FIFO receives with a 500 now and then (its in-flight bookkeeping is not
  // thread-safe): the pollers take turns calling SQS. Each call stays what it is on AWS (atomic), and a pass runs
  // outside the turn, so the passes still run concurrently.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(call: () => Promise<T>): Promise<T> => {
    const next = turn.then(call);
    turn = next.catch(() => undefined);
    return next;
  };
  let busy = 0;
  let lastWork = Date.now();
  const poller = async (): Promise<void> => {
    const deps = containerDeps(opts.config, opts.aws, run, opts.viaBus ?? false);
    const handler = createStepHandler(async () => deps, quiet);
    const more = (): boolean =>
      opts.signal ? !opts.signal.aborted : busy > 0 || Date.now() - lastWork < (opts.idleMs ?? 3000);
    while (more()) {
      const got = await inTurn(() =>
        opts.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: opts.queueUrl,
            MaxNumberOfMessages: opts.batchSize ?? 1,
            MessageSystemAttributeNames: ['All'],
          }),
        ),
      );
      const messages = got.Messages ?? [];
      if (messages.length === 0) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      busy++;
      try {
        const out = (await handler(sqsEvent(messages, opts.queueArn), lambdaContext())) as SQSBatchResponse;
        const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
        const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
        if (done.length > 0)
          await inTurn(() =>
            opts.sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: opts.queueUrl,
                Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
              }),
            ),
          );
      } finally {
        busy--;
        lastWork = Date.now();
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, poller));
  run.wallMs = Date.now() - t0;
  return run;
}
