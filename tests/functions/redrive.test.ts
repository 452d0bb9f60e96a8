/**
 * Redrive of the failure queue against the loopback AWS-API server (moto): invocation records as Lambda's
 * on-failure destination writes them. The sluice event goes back on the bus (seen by a rule that forwards the bus
 * to an observer queue), the schedule record is dropped, an unreadable record stays in the queue.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { redriveFailed } from '../../shared/adapters/aws/redrive.js';
import { awsClientConfig, useAwsServer } from '../support/aws-server.js';

const server = useAwsServer();
let sqs: SQSClient;
let bus: EventBridgeClient;

beforeAll(async () => {
  sqs = new SQSClient(awsClientConfig(server()));
  bus = new EventBridgeClient(awsClientConfig(server()));
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  bus?.destroy();
});

/** An invocation record as Lambda's on-failure destination sends it. */
function record(event: object): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: 'r1',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:sluice-ci-step:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'KubeApiError', errorMessage: 'connect ECONNREFUSED' },
  });
}

describe('npm run redrive (redriveFailed)', () => {
  it('puts sluice events back on the bus, drops schedule records, keeps what it cannot read', async () => {
    const failed = (await sqs.send(new CreateQueueCommand({ QueueName: 'sluice-ci-failed' }))).QueueUrl!;
    const observer = (await sqs.send(new CreateQueueCommand({ QueueName: 'observer' }))).QueueUrl!;
    const observerArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: observer, AttributeNames: ['QueueArn'] }))
    ).Attributes!.QueueArn!;
    await bus.send(new CreateEventBusCommand({ Name: 'sluice-ci' }));
    await bus.send(
      new PutRuleCommand({ Name: 'all', EventBusName: 'sluice-ci', EventPattern: '{"source":["sluice"]}' }),
    );
    await bus.send(
      new PutTargetsCommand({
        Rule: 'all',
        EventBusName: 'sluice-ci',
        Targets: [{ Id: 'q', Arn: observerArn }],
      }),
    );
    const detail = { cluster: 'eu-1', namespace: 'shop', rollout: 'reviews', expectedStep: 2 };
    const bodies = [
      record({ version: '0', id: 'e1', source: 'sluice', 'detail-type': 'sluice.step', detail }),
      record({ version: '0', id: 'e2', source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }),
      'not json',
    ];
    for (const b of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: failed, MessageBody: b }));

    const result = await redriveFailed(sqs, bus, failed, 'sluice-ci');
    expect(result).toEqual({ resent: 1, dropped: 1, unreadable: 1 });

    const seen = await sqs.send(new ReceiveMessageCommand({ QueueUrl: observer, MaxNumberOfMessages: 10 }));
    const events = (seen.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}'));
    expect(events.map((e) => [e.source, e['detail-type'], e.detail])).toEqual([
      ['sluice', 'sluice.step', detail],
    ]);
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: failed,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const left =
      Number(attrs.Attributes?.ApproximateNumberOfMessages) +
      Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible);
    expect(left).toBe(1); // the unreadable record, kept for a human
  });
});
