/**
 * The notification examples of docs/deploy.md ("Notifications"), on a real AWS API (moto's server on loopback) and
 * the real test cluster: each documented EventBridge rule (a fenced `json notice-rule=<name>` block, read from the
 * doc) is put on a bus with an SQS target; the step function's code drives a Rollout through a new revision, its
 * first step, a pause for promotion and an operator abort, publishing its transition notices with the real sink;
 * and each rule's queue must hold exactly the events of the doc's `json notice-receives=<name>` block. The doc's
 * examples name cluster `eu-1` and namespace `shop`; the test runs in cluster `test` and a fresh namespace, so the
 * patterns are pointed there and the received details mapped back before comparing. The same patterns left on
 * `eu-1` / `shop` (the rules that name one) must receive nothing.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
import { createStepHandler } from '../../functions/step/handler.js';
import type { StepResult } from '../../shared/app/step.js';
import type { Rollout } from '../../shared/core/model/types.js';
import { eventBridgeSink } from '../../shared/runtimes/lambda/wiring.js';
import { awsClientConfig, useAwsServer } from '../support/aws-server.js';
import { startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import { busEvent, CLUSTER, instanceLabelled, lambdaContext, quiet, testDeps } from './support.js';

const DOC_CLUSTER = 'eu-1';
const DOC_NAMESPACE = 'shop';
const INSTANCE = `fn-notice-${randomBytes(3).toString('hex')}`;

type Received = { 'detail-type': string; detail: Record<string, unknown> };

/** The doc's fenced `json notice-<kind>=<name>` blocks, by name. */
function docBlocks(kind: 'rule' | 'receives'): Record<string, unknown> {
  const doc = readFileSync('docs/deploy.md', 'utf8');
  const out: Record<string, unknown> = {};
  for (const m of doc.matchAll(
    new RegExp(`^\`\`\`json notice-${kind}=([a-z-]+)\\n([\\s\\S]*?)^\`\`\`$`, 'gm'),
  ))
    out[m[1]!] = JSON.parse(m[2]!);
  return out;
}

/** `value` with every string equal to a key of `map`, or starting with it and a `/`, replaced by its value. */
function swap<T>(value: T, map: Record<string, string>): T {
  const one = (v: string): string => {
    for (const [from, to] of Object.entries(map)) {
      if (v === from) return to;
      if (v.startsWith(`${from}/`)) return `${to}${v.slice(from.length)}`;
    }
    return v;
  };
  return JSON.parse(JSON.stringify(value), (_k, v: unknown) => (typeof v === 'string' ? one(v) : v)) as T;
}

const server = useAwsServer();
let eb: EventBridgeClient;
let sqs: SQSClient;
let j: Journey;
beforeAll(async () => {
  eb = new EventBridgeClient(awsClientConfig(server()));
  sqs = new SQSClient(awsClientConfig(server()));
  const seed = hostSeed({ steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }] });
  j = await startJourney(
    'fn-notice',
    seed.map((o) => (o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o)),
  );
}, 120_000);
afterAll(async () => {
  await j?.stop();
  eb?.destroy();
  sqs?.destroy();
});

/** A bus rule with an SQS target; resolves to the queue URL. */
async function ruleToQueue(bus: string, name: string, pattern: unknown): Promise<string> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: `${bus}-${name}` }))).QueueUrl ?? '';
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  await eb.send(new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
  await eb.send(
    new PutTargetsCommand({
      Rule: name,
      EventBusName: bus,
      Targets: [{ Id: name, Arn: attrs.Attributes?.QueueArn ?? '' }],
    }),
  );
  return url;
}

/** Every message on the queue until nothing more comes for two polls, in arrival order. */
async function drain(url: string): Promise<Received[]> {
  const got: Received[] = [];
  for (let idle = 0; idle < 2;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) idle++;
    for (const m of messages) got.push(JSON.parse(m.Body ?? '{}') as Received);
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

describe('docs/deploy.md notification rules against the notices the step function publishes', () => {
  it('delivers to each documented rule exactly the events the doc shows, and nothing elsewhere', async () => {
    const rules = docBlocks('rule');
    const receives = docBlocks('receives');
    expect(Object.keys(rules).sort()).toEqual(['aborts', 'new-revisions', 'paused-in-namespace']);
    expect(Object.keys(receives).sort()).toEqual(Object.keys(rules).sort());

    await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
    const bus = `sluice-notice-${randomBytes(3).toString('hex')}`;
    await eb.send(new CreateEventBusCommand({ Name: bus }));
    const toTest = { [DOC_CLUSTER]: CLUSTER, [DOC_NAMESPACE]: j.ns };
    const queues: Record<string, string> = {};
    const elsewhere: Record<string, string> = {};
    for (const [name, pattern] of Object.entries(rules)) {
      const here = swap(pattern, toTest);
      queues[name] = await ruleToQueue(bus, name, here);
      // A rule that names a cluster or namespace, left on the doc's: it must receive nothing.
      if (JSON.stringify(here) !== JSON.stringify(pattern))
        elsewhere[name] = await ruleToQueue(bus, `${name}-elsewhere`, pattern);
    }

    const step = createStepHandler(
      async () => ({ ...testDeps(j.gw, INSTANCE), bus: eventBridgeSink(eb, bus) }),
      quiet,
    );
    const pass = async (): Promise<StepResult> =>
      (await step(
        busEvent('sluice.step', { cluster: CLUSTER, namespace: j.ns, rollout: 'reviews' }),
        lambdaContext(),
      )) as StepResult;
    const until = async (done: (r: Rollout) => boolean): Promise<void> => {
      for (const deadline = Date.now() + 15_000; !done(await j.rollout('reviews'));) {
        if (Date.now() > deadline)
          throw new Error(`reviews: ${JSON.stringify((await j.rollout('reviews')).status)}`);
        if (!(await pass()).followUp) await new Promise((ok) => setTimeout(ok, 50));
      }
    };
    await j.setImage('reviews', IMAGE_V2);
    await until((r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1);
    expect(await j.action('reviews', 'abort')).toMatchObject({ outcome: 'accepted' });
    await until((r) => r.status?.phase === 'Degraded');

    const toDoc = { [CLUSTER]: DOC_CLUSTER, [j.ns]: DOC_NAMESPACE };
    const got: Record<string, unknown> = {};
    const strays: Record<string, unknown> = {};
    for (const name of Object.keys(rules)) {
      const events = (await drain(queues[name]!)).map((m) => swap(m, toDoc));
      got[name] = events.map((m) => ({ 'detail-type': m['detail-type'], detail: m.detail }));
      if (elsewhere[name]) strays[name] = await drain(elsewhere[name]);
    }
    expect(got).toEqual(receives);
    // Every field a notice carried is in the doc's schema table.
    const doc = readFileSync('docs/deploy.md', 'utf8');
    const documented = new Set([...doc.matchAll(/`detail\.([a-zA-Z]+)`/g)].map((m) => m[1]));
    const carried = Object.values(got).flatMap((events) =>
      (events as Received[]).flatMap((e) => Object.keys(e.detail)),
    );
    expect(carried.filter((k) => !documented.has(k))).toEqual([]);
    expect(carried.length).toBeGreaterThan(0);
    expect(strays).toEqual({ 'new-revisions': [], 'paused-in-namespace': [] });
  });
});
