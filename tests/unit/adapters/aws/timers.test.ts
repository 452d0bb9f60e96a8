/** SQS timers: the delay SQS holds a timer back for (rounded down and a second short, 0 to 900 s; the consumer waits out the rest) and the message they send. */
import { describe, expect, it } from '@jest/globals';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { delaySeconds, sqsTimers } from '../../../../shared/adapters/aws/timers.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const after = (ms: number): Date => new Date(NOW.getTime() + ms);

describe('delaySeconds', () => {
  it.each<[string, number, number]>([
    ['due now', 0, 0],
    ['overdue', -5_000, 0],
    ['a fraction of a second: at once (the consumer waits out the rest)', 200, 0],
    ['1.999 s: at once', 1_999, 0],
    ['2 s: a second, a second early', 2_000, 1],
    ['30 s: a second early, for the hops after the delay', 30_000, 29],
    ['30.999 s: rounded down and a second early, never late', 30_999, 29],
    ['the SQS maximum and a second', 901_000, 900],
    ['longer than SQS allows: the maximum (armed again on arrival)', 3_600_000, 900],
  ])('%s', (_title, ms, seconds) => {
    expect(delaySeconds(after(ms), NOW)).toBe(seconds);
  });
});

describe('sqsTimers', () => {
  it('sends one message with the timer as its body and the delay', async () => {
    const mock = mockClient(SQSClient);
    mock.on(SendMessageCommand).resolves({ MessageId: 'm1' });
    const timers = sqsTimers(new SQSClient({ region: 'us-east-1' }), 'https://sqs/timers', () => NOW);
    const detail = { cluster: 'east', namespace: 'shop', rollout: 'reviews', expectedStep: 1 };
    await timers.at(detail, after(30_000), 'requeue after 30s');
    const [call] = mock.commandCalls(SendMessageCommand);
    expect(call?.args[0].input).toEqual({
      QueueUrl: 'https://sqs/timers',
      DelaySeconds: 29,
      MessageBody: JSON.stringify({ detail, at: '2026-01-01T00:00:30.000Z', reason: 'requeue after 30s' }),
    });
    mock.on(SendMessageCommand).rejects(new Error('AccessDenied'));
    await expect(timers.at(detail, after(1_000), 'x')).rejects.toThrow(
      'arm timer for east/shop/reviews at 2026-01-01T00:00:01.000Z on https://sqs/timers: AccessDenied',
    );
    mock.restore();
  });
});
