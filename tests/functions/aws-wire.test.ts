/**
 * The AWS edges on a real AWS API (moto's server on loopback), not mocked: the event patterns `serverless.yml`
 * gives the step and drift-check functions, as EventBridge rules with SQS targets, match exactly the events the
 * functions put (through the real sink: batches of at most 10 entries and 256 KiB); and the webhook-secret loader
 * reads AWSCURRENT and AWSPREVIOUS across a rotation.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { driftEvent, stepEvent, transitionEvent, type BusEvent } from '../../shared/app/contract.js';
import { webhookSecretsLoader } from '../../shared/adapters/aws/webhook-secrets.js';
import { eventBridgeSink } from '../../shared/runtimes/lambda/wiring.js';
import { awsClientConfig, useAwsServer } from '../support/aws-server.js';

const server = useAwsServer();

/** The EventBridge pattern of each function with an `eventBridge` trigger in serverless.yml. */
function functionPatterns(): Record<string, unknown> {
  const sls = parse(readFileSync('serverless.yml', 'utf8')) as {
    functions: Record<string, { events?: { eventBridge?: { pattern: unknown } }[] }>;
  };
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(sls.functions)) {
    for (const e of fn.events ?? []) if (e.eventBridge) out[name] = e.eventBridge.pattern;
  }
  return out;
}

/** Every message on the queue (the bodies, parsed), waiting until `count` arrived or nothing more comes. */
async function drain(
  sqs: SQSClient,
  url: string,
  count: number,
): Promise<{ 'detail-type': string; detail: never }[]> {
  const got: { 'detail-type': string; detail: never }[] = [];
  for (let idle = 0; got.length < count && idle < 3;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) idle++;
    for (const m of messages) got.push(JSON.parse(m.Body ?? '{}'));
    if (messages.length > 0)
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
  }
  return got;
}

describe('EventBridge: the rules of serverless.yml against the events the functions put', () => {
  it('routes sluice.step to step and sluice.drift to drift-check, nothing else, across batches', async () => {
    const patterns = functionPatterns();
    expect(Object.keys(patterns).sort()).toEqual(['drift-check', 'step']);
    const cfg = awsClientConfig(server());
    const eb = new EventBridgeClient(cfg);
    const sqs = new SQSClient(cfg);
    const bus = `sluice-wire-${randomBytes(3).toString('hex')}`;
    await eb.send(new CreateEventBusCommand({ Name: bus }));
    const queues: Record<string, string> = {};
    for (const [fn, pattern] of Object.entries(patterns)) {
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: `${bus}-${fn}` }))).QueueUrl ?? '';
      const attrs = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
      );
      await eb.send(
        new PutRuleCommand({ Name: fn, EventBusName: bus, EventPattern: JSON.stringify(pattern) }),
      );
      await eb.send(
        new PutTargetsCommand({
          Rule: fn,
          EventBusName: bus,
          Targets: [{ Id: fn, Arn: attrs.Attributes?.QueueArn ?? '' }],
        }),
      );
      queues[fn] = url;
    }

    // 23 step requests (3 calls by count), 2 drifts with a large detail (2 calls by size), 1 transition notice.
    const steps = Array.from({ length: 23 }, (_, i) =>
      stepEvent({ cluster: 'east', namespace: 'shop', rollout: `r${i}`, expectedStep: i % 4 }),
    );
    const big = 'x'.repeat(150 * 1024);
    const drifts = ['a', 'b'].map((name) => ({
      ...driftEvent({ cluster: 'east', namespace: 'shop', kind: 'Service', name, resourceVersion: '7' }),
      detail: { cluster: 'east', namespace: 'shop', kind: 'Service', name, resourceVersion: '7', note: big },
    }));
    const notice = transitionEvent('east', 'shop', {
      rollout: 'r0',
      outcome: 'ran',
      writes: 2,
      transition: 'step-completed',
      reason: 'step 0 done',
      followUp: true,
      stepBefore: 0,
      stepAfter: 1,
    }) as BusEvent;
    await eventBridgeSink(eb, bus).send([...steps, ...drifts, notice]);

    const atStep = await drain(sqs, queues.step ?? '', steps.length);
    const atDrift = await drain(sqs, queues['drift-check'] ?? '', drifts.length);
    expect(atStep.map((m) => m['detail-type'])).toEqual(steps.map(() => 'sluice.step'));
    expect(
      atStep.map((m) => m.detail).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual(steps.map((s) => s.detail).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
    expect(atDrift.map((m) => [m['detail-type'], (m.detail as { name: string }).name]).sort()).toEqual([
      ['sluice.drift', 'a'],
      ['sluice.drift', 'b'],
    ]);
    // The transition notice matched neither rule: nothing more on either queue.
    for (const url of Object.values(queues)) {
      const more = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
      expect(more.Messages ?? []).toEqual([]);
    }
    eb.destroy();
    sqs.destroy();
  });
});

describe('Secrets Manager: the webhook signing key across a rotation', () => {
  it('accepts AWSCURRENT alone at first, then AWSCURRENT and AWSPREVIOUS after a rotation', async () => {
    const sm = new SecretsManagerClient(awsClientConfig(server()));
    const name = `sluice/wire/webhook-${randomBytes(3).toString('hex')}`;
    const k1 = { id: 'k1', secret: 'first-secret-0123456789' };
    const k2 = { id: 'k2', secret: 'second-secret-0123456789' };
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(k1) }));
    expect(await webhookSecretsLoader(sm, name, 0)()).toEqual([k1]);
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify(k2) }));
    expect(await webhookSecretsLoader(sm, name, 0)()).toEqual([k2, k1]);
    sm.destroy();
  });
});
