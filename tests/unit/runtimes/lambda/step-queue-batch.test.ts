/**
 * The step function's step-queue side without AWS: a batch runs different Rollouts in parallel and one Rollout's
 * records in order, reporting a failed record and the rest of its group; delivered timers are forwarded under their
 * message id, a malformed one dropped, a refused one reported back.
 */
import { describe, expect, it } from '@jest/globals';
import type { SQSEvent } from 'aws-lambda';
import type { StepQueueEntry } from '../../../../shared/adapters/aws/step-queue.js';
import type { LoopDeps } from '../../../../shared/app/ports.js';
import {
  forwardTimers,
  isFifoBatch,
  runStepQueueBatch,
} from '../../../../shared/runtimes/lambda/step-queue-batch.js';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent } as never;

function event(arn: string, records: { id: string; group?: string; body: string }[]): SQSEvent {
  return {
    Records: records.map((r) => ({
      messageId: r.id,
      receiptHandle: r.id,
      body: r.body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 's',
        ApproximateFirstReceiveTimestamp: '0',
        ...(r.group ? { MessageGroupId: r.group } : {}),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
      awsRegion: 'us-east-1',
    })),
  };
}

const FIFO = 'arn:aws:sqs:us-east-1:123456789012:sluice-prod-steps.fifo';
const TIMERS = 'arn:aws:sqs:us-east-1:123456789012:sluice-prod-timers';
const pass = (cluster: string, rollout: string) =>
  JSON.stringify({ detail: { cluster, namespace: 'shop', rollout } });

describe('isFifoBatch', () => {
  it('tells the step queue from the timer queue by the ARN', () => {
    expect(isFifoBatch(event(FIFO, [{ id: 'a', body: '{}' }]))).toBe(true);
    expect(isFifoBatch(event(TIMERS, [{ id: 'a', body: '{}' }]))).toBe(false);
    expect(isFifoBatch({ Records: [] })).toBe(false);
  });
});

describe('runStepQueueBatch', () => {
  it('reports a failed record and the rest of its Rollout; other Rollouts and malformed bodies are done', async () => {
    const asked: string[] = [];
    const deps = {
      instanceId: 'sluice',
      bus: { send: async () => undefined },
      now: () => new Date(),
      clusters: {
        names: () => ['bad', 'gone'],
        // "bad" fails the pass (a transport retry may fix it); "gone" is an unknown cluster (skipped, nothing run).
        gateway: async (cluster: string) => {
          asked.push(cluster);
          if (cluster === 'bad') throw new Error('API server unreachable');
          return undefined;
        },
      },
    } as unknown as LoopDeps;
    const out = await runStepQueueBatch(
      deps,
      event(FIFO, [
        { id: 'a1', group: 'bad/shop/a', body: pass('bad', 'a') },
        { id: 'a2', group: 'bad/shop/a', body: pass('bad', 'a') },
        { id: 'b1', group: 'gone/shop/b', body: pass('gone', 'b') },
        { id: 'c1', group: 'gone/shop/c', body: 'not json' },
      ]),
      silent,
    );
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'a1' }, { itemIdentifier: 'a2' }]);
    // a2 never ran: its Rollout's earlier pass failed, so it waits for the redelivery, in order.
    expect(asked.sort()).toEqual(['bad', 'gone']);
  });
});

describe('forwardTimers', () => {
  it('forwards each timer under its message id, drops a malformed one, reports a refused one', async () => {
    const sent: StepQueueEntry[] = [];
    const queue = {
      send: async (e: StepQueueEntry) => {
        if (e.message.detail.rollout === 'refused') throw new Error('ThrottlingException');
        sent.push(e);
      },
    };
    const timer = (rollout: string) =>
      JSON.stringify({
        detail: { cluster: 'east', namespace: 'shop', rollout },
        at: '2026-01-01T00:00:00Z',
        reason: 'pause end',
      });
    const out = await forwardTimers(
      queue,
      event(TIMERS, [
        { id: 'm1', body: timer('reviews') },
        { id: 'm1', body: timer('reviews') },
        { id: 'm2', body: '{"detail":{}}' },
        { id: 'm3', body: timer('refused') },
      ]),
      silent,
      () => new Date('2026-01-01T00:00:05Z'),
    );
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm3' }]);
    // The duplicate delivery (same message id) is sent under the same deduplication id: SQS keeps one.
    expect(sent.map((e) => e.dedupeId)).toEqual(['timer-m1', 'timer-m1']);
    expect(sent[0]?.message).toEqual({
      detail: { cluster: 'east', namespace: 'shop', rollout: 'reviews' },
      at: '2026-01-01T00:00:00Z',
      reason: 'pause end',
    });
  });

  it('holds a timer that came less than the wait bound early until its time, then forwards it', async () => {
    const sentAt: number[] = [];
    const queue = { send: async () => void sentAt.push(Date.now()) };
    const at = Date.now() + 400;
    const body = JSON.stringify({
      detail: { cluster: 'east', namespace: 'shop', rollout: 'reviews' },
      at: new Date(at).toISOString(),
      reason: 'pause end',
    });
    const out = await forwardTimers(queue, event(TIMERS, [{ id: 'm1', body }]), silent, () => new Date());
    expect(out.batchItemFailures).toEqual([]);
    expect(sentAt).toHaveLength(1);
    expect(sentAt[0]).toBeGreaterThanOrEqual(at - 2); // setTimeout may fire a millisecond early
  });

  it('forwards at once a timer that came earlier than the wait bound (its consumer arms it again)', async () => {
    const sentAt: number[] = [];
    const queue = { send: async () => void sentAt.push(Date.now()) };
    const started = Date.now();
    const body = JSON.stringify({
      detail: { cluster: 'east', namespace: 'shop', rollout: 'reviews' },
      at: new Date(started + 600_000).toISOString(),
      reason: 'pause end',
    });
    await forwardTimers(queue, event(TIMERS, [{ id: 'm1', body }]), silent, () => new Date());
    expect(sentAt).toHaveLength(1);
    expect((sentAt[0] ?? 0) - started).toBeLessThan(1_000);
  });
});
