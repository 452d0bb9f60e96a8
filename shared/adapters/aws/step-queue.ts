/**
 * The step queue: an SQS FIFO queue every engine pass on AWS goes through. Its message group is the Rollout
 * (`cluster/namespace/name`), so two passes of one Rollout never run at once (SQS hands out a group's next
 * message only after the previous one is deleted), and the event source mapping's `MaximumConcurrency` caps the
 * step invocations that run passes, which is what bounds the requests one cluster receives (cluster-bound.ts). Each
 * message carries a deduplication id its sender derives from what it forwards (an EventBridge event id, a timer's
 * SQS message id): the same request forwarded twice within SQS's 5-minute window is one message.
 */
import { createHash } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { StepDetail } from '../../app/contract.js';
import type { StepQueueMessage } from '../../app/timers.js';

/** One pass to enqueue: what to run, and the id that makes a second copy of the same request a no-op. */
export interface StepQueueEntry {
  message: StepQueueMessage;
  /** Same request, same id (at most 128 characters; longer ones are hashed). */
  dedupeId: string;
}

/** Sends passes to the step queue. */
export interface StepQueue {
  /** Enqueues one pass; rejects naming the Rollout and the queue when SQS refuses it. */
  send(entry: StepQueueEntry): Promise<void>;
}

/** SQS's limit on MessageGroupId and MessageDeduplicationId. */
const MAX_ID = 128;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const fit = (id: string): string => (id.length <= MAX_ID ? id : sha256(id));

/** The Rollout's message group: `cluster/namespace/name`, or its SHA-256 when longer than 128 characters. */
export function stepGroupId(detail: StepDetail): string {
  return fit(`${detail.cluster}/${detail.namespace}/${detail.rollout}`);
}

/** The deduplication id SQS gets for `id`: itself, or its SHA-256 when longer than 128 characters. */
export function stepDedupeId(id: string): string {
  return fit(id);
}

/**
 * {@link StepQueue} on the FIFO queue at `queueUrl`.
 *
 * @example
 * const queue = sqsStepQueue(new SQSClient({}), process.env.SLUICE_STEP_QUEUE_URL);
 * await queue.send({ message: { detail }, dedupeId: `event-${event.id}` });
 */
export function sqsStepQueue(client: SQSClient | (() => Promise<SQSClient>), queueUrl: string): StepQueue {
  let built: Promise<SQSClient> | undefined;
  const sqs = (): Promise<SQSClient> =>
    typeof client === 'function' ? (built ??= client()) : Promise.resolve(client);
  return {
    send: async ({ message, dedupeId }) => {
      try {
        const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
        await (
          await sqs()
        ).send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify(message),
            MessageGroupId: stepGroupId(message.detail),
            MessageDeduplicationId: stepDedupeId(dedupeId),
          }),
        );
      } catch (err) {
        const d = message.detail;
        throw new Error(
          `enqueue a pass of ${d.cluster}/${d.namespace}/${d.rollout} on ${queueUrl}: ${(err as Error).message}`,
          { cause: err },
        );
      }
    },
  };
}
