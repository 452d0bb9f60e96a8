/**
 * Helpers for running the functions in-process with real event shapes: a write-counting gateway, a Lambda
 * context, EventBridge mocked at the SDK boundary (the real sink code runs), and the event builders.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEventV2, Context, EventBridgeEvent, ScheduledEvent } from 'aws-lambda';
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';
import { decorateGateway } from '../../shared/app/kube-port/decorate.js';
import { readConfig } from '../../shared/runtimes/lambda/config.js';
import type { FunctionDeps } from '../../shared/runtimes/lambda/deps.js';
import { eventBridgeSink } from '../../shared/runtimes/lambda/wiring.js';
import type { WebhookSecret } from '../../shared/adapters/aws/webhook-secrets.js';
import { LABELS } from '../../shared/core/model/types.js';

export const CLUSTER = 'test';
/** Handler options that drop the functions' log lines (tests assert on results, not logs). */
export const quiet = { sink: (): void => undefined };
export const BUS = 'sluice-test';
export const SECRETS: WebhookSecret[] = [
  { id: 'key-2', secret: 'current-secret-0123456789abcdef' },
  { id: 'key-1', secret: 'previous-secret-0123456789abcdef' },
];

/** A gateway that counts writes (create, patch, mergePatch) and passes everything through. */
export function countingGateway(inner: KubeGateway): { gw: KubeGateway; writes: () => number } {
  let writes = 0;
  const gw = decorateGateway(inner, {
    around: (request, send) => {
      if (request.write) writes++;
      return send(inner);
    },
  });
  return { gw, writes: () => writes };
}

/** The label that makes a Rollout sluice's. */
export function instanceLabelled<T extends { metadata: Record<string, unknown> }>(
  obj: T,
  instanceId: string,
): T {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      labels: { ...(obj.metadata.labels as object), [LABELS.instanceId]: instanceId },
    },
  };
}

/** EventBridge mocked at the SDK boundary; `entries()` returns every accepted entry's detail-type and detail. */
export function mockEventBridge() {
  const mock = mockClient(EventBridgeClient);
  mock.on(PutEventsCommand).callsFake((input: { Entries?: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: (input.Entries ?? []).map((_, i) => ({ EventId: `e${i}` })),
  }));
  const entries = () =>
    mock
      .commandCalls(PutEventsCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => ({
        bus: e.EventBusName,
        source: e.Source,
        detailType: e.DetailType ?? '',
        detail: JSON.parse(e.Detail ?? '{}'),
      }));
  return { mock, entries };
}

/** Dependencies for one test: the real cluster's gateway under the name `test`, EventBridge via the SDK. */
export function testDeps(
  gateway: KubeGateway,
  instanceId: string,
  now: () => Date = () => new Date(),
): FunctionDeps {
  const config = readConfig({
    SLUICE_CLUSTERS: JSON.stringify([{ name: CLUSTER, source: 'secret', secretId: 'unused-in-tests' }]),
    SLUICE_EVENT_BUS: BUS,
    SLUICE_INSTANCE_ID: instanceId,
    SLUICE_WEBHOOK_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sluice/webhook-abcdef',
    SLUICE_WATCH_STOP_BEFORE_SECONDS: '30',
  });
  const client = new EventBridgeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
  return {
    config,
    clusters: {
      names: () => [CLUSTER],
      gateway: async (name) => (name === CLUSTER ? gateway : undefined),
    },
    bus: eventBridgeSink(client, BUS),
    now,
    webhookSecrets: async () => SECRETS,
  };
}

/** A Lambda context with `remainingMs` left at creation. */
export function lambdaContext(remainingMs = 60_000): Context {
  const end = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'sluice-test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:sluice-test-fn',
    memoryLimitInMB: '512',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: '/aws/lambda/sluice-test-fn',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An EventBridge scheduled event, as the rule delivers it. */
export function scheduledEvent(): ScheduledEvent {
  return {
    version: '0',
    id: '89d1a02d-5ec7-412e-82f5-13505f849b41',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/sluice-test-schedule'],
    detail: {},
  };
}

/** A custom event from sluice's bus, as a rule delivers it. */
export function busEvent(detailType: string, detail: unknown): EventBridgeEvent<string, unknown> {
  return {
    version: '0',
    id: `evt-${Math.random().toString(16).slice(2)}`,
    'detail-type': detailType,
    source: 'sluice',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

/** An API Gateway HTTP API (payload 2.0) request. */
export function httpEvent(
  method: string,
  path: string,
  body: string | undefined,
  headers: Record<string, string>,
  opts: { base64?: boolean } = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'api.example', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      requestId: 'r1',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: opts.base64 ?? false,
    ...(body === undefined ? {} : { body: opts.base64 ? Buffer.from(body).toString('base64') : body }),
  };
}
