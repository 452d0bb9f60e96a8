/** The step queue's message: one message group per Rollout, the sender's deduplication id, SQS's 128-character limit. */
import { describe, expect, it } from '@jest/globals';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsStepQueue, stepDedupeId, stepGroupId } from '../../../../shared/adapters/aws/step-queue.js';

const detail = { cluster: 'east', namespace: 'shop', rollout: 'reviews', expectedStep: 2 };

describe('stepGroupId and stepDedupeId', () => {
  it.each<[string, { cluster: string; namespace: string; rollout: string }, string | RegExp]>([
    ['cluster/namespace/name', detail, 'east/shop/reviews'],
    [
      'the expected step is not part of it (one group per Rollout)',
      { ...detail, rollout: 'reviews' },
      'east/shop/reviews',
    ],
    ['hashed past 128 characters', { ...detail, rollout: 'r'.repeat(200) }, /^[0-9a-f]{64}$/],
  ])('%s', (_title, d, want) => {
    const id = stepGroupId(d);
    if (typeof want === 'string') expect(id).toBe(want);
    else expect(id).toMatch(want);
    expect(id.length).toBeLessThanOrEqual(128);
  });

  it('keeps two long Rollouts apart and a short id as it is', () => {
    expect(stepGroupId({ ...detail, rollout: 'a'.repeat(200) })).not.toBe(
      stepGroupId({ ...detail, rollout: 'b'.repeat(200) }),
    );
    expect(stepDedupeId('event-1234')).toBe('event-1234');
    expect(stepDedupeId(`timer-${'x'.repeat(200)}`)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('sqsStepQueue', () => {
  it('sends the message in the Rollout group with the deduplication id', async () => {
    const mock = mockClient(SQSClient);
    mock.on(SendMessageCommand).resolves({ MessageId: 'm1' });
    const queue = sqsStepQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs/steps.fifo');
    await queue.send({ message: { detail }, dedupeId: 'event-e1' });
    expect(mock.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueueUrl: 'https://sqs/steps.fifo',
        MessageBody: JSON.stringify({ detail }),
        MessageGroupId: 'east/shop/reviews',
        MessageDeduplicationId: 'event-e1',
      },
    ]);
    mock.restore();
  });

  it('names the Rollout and the queue when SQS refuses the message', async () => {
    const mock = mockClient(SQSClient);
    mock.on(SendMessageCommand).rejects(new Error('AccessDenied'));
    const queue = sqsStepQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs/steps.fifo');
    await expect(queue.send({ message: { detail }, dedupeId: 'event-e1' })).rejects.toThrow(
      'enqueue a pass of east/shop/reviews on https://sqs/steps.fifo: AccessDenied',
    );
    mock.restore();
  });
});
