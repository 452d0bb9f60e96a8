/**
 * Timers on a real SQS API (moto's server on loopback) and the real cluster: a delayed message arrives one to two
 * seconds before its time (the delay is rounded down, less a second of lead; the step function waits out the
 * rest); a step invocation that ends abruptly right after arming its timer (no retry, no tick) still gets
 * the pass at the pause's end from a fresh container consuming the queue; and that timer delivered twice (in one
 * batch, so the two passes race) makes exactly one transition.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { sqsTimers } from '../../shared/adapters/aws/timers.js';
import type { Timers } from '../../shared/app/ports.js';
import type { StepDetail } from '../../shared/app/contract.js';
import { createStepHandler } from '../../functions/step/handler.js';
import { awsClientConfig, useAwsServer } from '../support/aws-server.js';
import { startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import { busEvent, instanceLabelled, lambdaContext, mockEventBridge, testDeps, quiet } from './support.js';

const INSTANCE = `fn-timers-${randomBytes(3).toString('hex')}`;

const server = useAwsServer();
let sqs: SQSClient;
beforeAll(async () => {
  sqs = new SQSClient(awsClientConfig(server()));
}, 120_000);
afterAll(async () => {
  sqs?.destroy();
});

async function queue(name: string): Promise<string> {
  const out = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-${randomBytes(3).toString('hex')}` }),
  );
  if (!out.QueueUrl) throw new Error(`create queue ${name}: no QueueUrl`);
  return out.QueueUrl;
}

/** Long-polls until a message arrives (or throws after `timeoutMs`); returns it with its arrival time. */
async function receive(url: string, timeoutMs: number): Promise<{ message: Message; at: number }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    const message = out.Messages?.[0];
    if (message) return { message, at: Date.now() };
  }
  throw new Error(`no message on ${url} within ${timeoutMs} ms`);
}

const detail = (rollout: string, expectedStep?: number): StepDetail => ({
  cluster: 'test',
  namespace: 'shop',
  rollout,
  ...(expectedStep === undefined ? {} : { expectedStep }),
});

describe('SQS timers', () => {
  it('a delayed timer arrives one to two seconds before its time; a due one at once', async () => {
    const url = await queue('delays');
    const timers = sqsTimers(sqs, url);
    const asked = Date.now();
    const at = new Date(asked + 3_000);
    await timers.at(detail('later', 4), at, 'pause end');
    await timers.at(detail('now'), new Date(asked - 1_000), 'overdue');
    const first = await receive(url, 10_000);
    expect(JSON.parse(first.message.Body ?? '')).toMatchObject({ detail: detail('now'), reason: 'overdue' });
    expect(first.at - asked).toBeLessThan(2_000);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.message.ReceiptHandle }));
    const second = await receive(url, 10_000);
    // Held back a second or two (the 3 s rounded down, less the second of lead): never more than two seconds
    // before its time, and held back (not delivered at once).
    expect(second.at).toBeGreaterThanOrEqual(at.getTime() - 2_000);
    expect(second.at - asked).toBeGreaterThanOrEqual(1_000);
    expect(JSON.parse(second.message.Body ?? '')).toEqual({
      detail: detail('later', 4),
      at: at.toISOString(),
      reason: 'pause end',
    });
  });
});

/** An SQS event as the event source mapping delivers it: the same message once per entry of `messageIds`. */
function sqsEvent(message: Message, messageIds: string[]): SQSEvent {
  return {
    Records: messageIds.map((messageId) => ({
      messageId,
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:timers',
      awsRegion: 'us-east-1',
    })),
  };
}

describe('a step function killed after arming its timer', () => {
  let j: Journey;
  let bus: ReturnType<typeof mockEventBridge>;
  beforeAll(async () => {
    const steps = [{ setWeight: 20 }, { pause: { duration: '3s' } }, { setWeight: 60 }];
    const seed = hostSeed({ steps }).map((o) => (o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o));
    j = await startJourney('fn-timers', seed);
    bus = mockEventBridge();
  });
  afterAll(async () => {
    bus.mock.restore();
    await j.stop();
  });

  it('still gets the pass at the pause end, and two deliveries of it make one transition', async () => {
    await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
    await j.setImage('reviews', IMAGE_V2);
    const paused = await j.drive(
      'reviews',
      (r) => r.status?.currentStepIndex === 1 && (r.status.pauseConditions ?? []).length > 0,
    );
    const pauseEnd = Date.parse(paused.status?.pauseConditions?.[0]?.startTime ?? '') + 3_000;
    const url = await queue('timers');

    // The invocation dies as soon as SQS accepted its timer: no return, no retry, no schedule tick.
    const real = sqsTimers(sqs, url);
    const dying: Timers = {
      at: async (d, at, reason) => {
        await real.at(d, at, reason);
        throw new Error('killed');
      },
    };
    const first = createStepHandler(async () => ({ ...testDeps(j.gw, INSTANCE), timers: dying }), quiet);
    const ask = { cluster: 'test', namespace: j.ns, rollout: 'reviews', expectedStep: 1 };
    await expect(first(busEvent('sluice.step', ask), lambdaContext())).rejects.toThrow('killed');
    expect((await j.rollout('reviews')).status?.currentStepIndex).toBe(1);

    // A fresh container consumes the queue: the timer, set for the pause's end or later and pinned to the pause
    // step, arrives at most two seconds before its time (sent a second early), and the pass waits for that time.
    const { message, at } = await receive(url, 15_000);
    const timer = JSON.parse(message.Body ?? '') as { detail: unknown; at: string };
    expect(timer.detail).toEqual(ask);
    expect(Date.parse(timer.at)).toBeGreaterThanOrEqual(pauseEnd);
    expect(at).toBeGreaterThanOrEqual(Date.parse(timer.at) - 2_000);
    const fresh = createStepHandler(async () => ({ ...testDeps(j.gw, INSTANCE), timers: real }), quiet);
    const seen = bus.entries().length;
    const out = (await fresh(sqsEvent(message, ['m-1', 'm-1-again']), lambdaContext())) as SQSBatchResponse;
    expect(out.batchItemFailures).toEqual([]);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(timer.at));

    const after = await j.rollout('reviews');
    expect(after.status?.currentStepIndex).toBe(2);
    expect(after.status?.pauseConditions ?? []).toEqual([]);
    const completed = bus
      .entries()
      .slice(seen)
      .filter((e) => e.detailType === 'sluice.step-completed' && e.detail.namespace === j.ns);
    expect(completed.map((e) => [e.detail.stepBefore, e.detail.stepAfter])).toEqual([[1, 2]]);
  });
});
