/**
 * Calls the promote function's HTTP handler in-process, with signed requests, against a gateway of the test's
 * choosing (usually a recording gateway on the real cluster).
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createPromoteHandler } from '../../../functions/promote/handler.js';
import { signRequest } from '../../../shared/app/http-api/webhook-auth.js';
import { readConfig } from '../../../shared/runtimes/lambda/config.js';
import type { FunctionDeps } from '../../../shared/runtimes/lambda/deps.js';
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import { realNow } from './scenario.js';

const KEY = { id: 'k1', secret: 'reliability-secret-0123456789abcdef' };
const context = { awsRequestId: 'req', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

/** Promote-function dependencies over `gw`, accepting the given signing keys (default: the one test key). */
export function promoteDeps(gw: KubeGateway, keys: { id: string; secret: string }[] = [KEY]): FunctionDeps {
  return {
    config: readConfig({
      SLUICE_CLUSTERS: JSON.stringify([{ name: 'test', kubeconfigSecret: 'unused' }]),
      SLUICE_EVENT_BUS: 'bus',
      SLUICE_INSTANCE_ID: 'reliability',
      SLUICE_WEBHOOK_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sluice/webhook-abcdef',
    }),
    clusters: { names: () => ['test'], gateway: async (n) => (n === 'test' ? gw : undefined) },
    bus: { send: async () => undefined },
    now: realNow,
    webhookSecrets: async () => keys,
  };
}

/** A signed POST of `action` (or a signed GET when `action` is undefined) on `/v1/clusters/<cluster>/…`. */
export async function callPromoteApi(
  gw: KubeGateway,
  where: { cluster?: string; namespace: string; name: string; action?: string },
  body: object = { reason: 'reliability' },
): Promise<{ statusCode: number; json: { message?: string } }> {
  const path = `/v1/clusters/${where.cluster ?? 'test'}/namespaces/${where.namespace}/rollouts/${where.name}${where.action ? `/${where.action}` : ''}`;
  const method = where.action ? 'POST' : 'GET';
  const text = where.action ? JSON.stringify(body) : '';
  const headers = {
    'content-type': 'application/json',
    ...signRequest({ secret: KEY.secret, keyId: KEY.id, method, path, body: text, now: new Date() }),
  };
  const handler = createPromoteHandler(async () => promoteDeps(gw), { sink: () => undefined });
  const res = (await handler(
    {
      rawPath: path,
      requestContext: { http: { method } },
      headers,
      body: text,
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2,
    context,
  )) as { statusCode: number; body: string };
  return { statusCode: res.statusCode, json: JSON.parse(res.body || '{}') as { message?: string } };
}
