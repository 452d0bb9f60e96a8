/**
 * Every path of the signed operator API under exactly the shipped `sluice` ClusterRole
 * (deploy/rbac/workload-cluster.yaml): the promote function's Kubernetes calls go through a ServiceAccount token
 * (TokenRequest) bound to that role and nothing else. Each path answers as docs/security.md says (never 500).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { signRequest } from '../../shared/app/http-api/webhook-auth.js';
import { createPromoteHandler } from '../../functions/promote/handler.js';
import { createGateway } from '../../shared/adapters/kube/client-gateway.js';
import { parseKubeconfig, toKubeConfig } from '../../shared/adapters/kube/kubeconfig.js';
import type { HttpResponse } from '../../shared/app/http-api/response.js';
import { serviceAccountKubeconfig, WORKLOAD_MANIFEST, type PolicyRule } from '../support/rbac.js';
import { setImage, startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import {
  CLUSTER,
  SECRETS,
  countingGateway,
  httpEvent,
  instanceLabelled,
  lambdaContext,
  mockEventBridge,
  testDeps,
} from './support.js';

const INSTANCE = 'fn-shipped-role';
const quiet = { sink: () => undefined };
const [key] = SECRETS as [(typeof SECRETS)[0]];

/** The rules of the ClusterRole named `sluice` in the shipped manifest, and only those. */
function shippedRole(): PolicyRule[] {
  const docs = parseAllDocuments(readFileSync(WORKLOAD_MANIFEST, 'utf8')).map(
    (d) => d.toJS() as { kind?: string; metadata?: { name?: string }; rules?: PolicyRule[] },
  );
  const role = docs.find((d) => d?.kind === 'ClusterRole' && d.metadata?.name === 'sluice');
  if (!role?.rules) throw new Error(`no ClusterRole sluice in ${WORKLOAD_MANIFEST}`);
  return role.rules;
}

interface Sent {
  action?: string;
  body?: string;
  idempotencyKey?: string;
  at?: Date;
}

describe('the promote API under exactly the shipped role', () => {
  let j: Journey;
  let counted: ReturnType<typeof countingGateway>;
  let bus: ReturnType<typeof mockEventBridge>;
  let container: () => (s: Sent) => Promise<HttpResponse>;

  beforeAll(async () => {
    const seed = hostSeed().map((o) => (o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o));
    j = await startJourney('fn-shipped-role', seed);
    await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
    await setImage(j.ns, 'reviews', IMAGE_V2);
    await j.drive('reviews', (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused');
    const kubeconfig = await serviceAccountKubeconfig({
      namespace: `${j.ns}-sa`.slice(0, 63),
      name: 'sluice',
      rules: shippedRole(),
    });
    counted = countingGateway(createGateway(toKubeConfig(parseKubeconfig(kubeconfig))));
    bus = mockEventBridge();
    container = () => {
      const handler = createPromoteHandler(async () => testDeps(counted.gw, INSTANCE), quiet);
      return (s) => {
        const path = `/v1/clusters/${CLUSTER}/namespaces/${j.ns}/rollouts/reviews${s.action ? `/${s.action}` : ''}`;
        const method = s.action ? 'POST' : 'GET';
        const body = s.action ? (s.body ?? '{}') : '';
        const headers = signRequest({
          secret: key.secret,
          keyId: key.id,
          method,
          path,
          body,
          ...(s.idempotencyKey === undefined ? {} : { idempotencyKey: s.idempotencyKey }),
          now: s.at ?? new Date(),
        });
        const event = httpEvent(method, path, s.action ? body : undefined, {
          ...headers,
          ...(s.action ? { 'content-type': 'application/json' } : {}),
        });
        return createHandlerCall(handler, event);
      };
    };
  });
  afterAll(async () => {
    bus.mock.restore();
    await j.stop();
  });

  const createHandlerCall = (
    handler: ReturnType<typeof createPromoteHandler>,
    event: ReturnType<typeof httpEvent>,
  ): Promise<HttpResponse> => handler(event, lambdaContext()) as Promise<HttpResponse>;

  it('answers each path as documented, in order (read, claim, replay, retry, reused key, stale step, actions)', async () => {
    const a = container();
    const idempotencyKey = `shipped-${Date.now()}`;
    const promote: Sent = { action: 'promote', body: '{"expectedStep":1}', idempotencyKey };
    const unkeyed: Sent = { action: 'promote', body: '{"reason":"unkeyed"}' };
    const steps: [path: string, send: () => Promise<HttpResponse>, status: number, persisted: boolean][] = [
      ['signed read', () => a({}), 200, false],
      ['accepted action (claimed first)', () => a(promote), 200, true],
      ['replay to another container (claim found)', () => container()(promote), 409, false],
      [
        'idempotent retry, re-signed',
        () => container()({ ...promote, at: new Date(Date.now() + 1000) }),
        409,
        false,
      ],
      ['key reused for another request', () => a({ ...promote, action: 'abort' }), 422, false],
      ['stale expectedStep', () => a({ action: 'promote', body: '{"expectedStep":0}' }), 409, false],
      ['accepted action without a key (claimed on the signature)', () => a(unkeyed), 200, true],
      ['its replay to a fresh container', () => container()(unkeyed), 409, false],
      ['pause', () => a({ action: 'pause' }), 200, true],
      ['resume', () => a({ action: 'resume' }), 200, true],
      ['abort', () => a({ action: 'abort' }), 200, true],
      ['retry', () => a({ action: 'retry' }), 200, true],
      ['promote-full', () => a({ action: 'promote-full' }), 200, true],
    ];
    const answers: string[] = [];
    const expected: string[] = [];
    for (const [path, send, status, persisted] of steps) {
      const before = (await j.rollout('reviews')).metadata.resourceVersion;
      const res = await send();
      const after = (await j.rollout('reviews')).metadata.resourceVersion;
      answers.push(`${path}: ${res.statusCode}${after === before ? '' : ' (rollout changed)'}`);
      expected.push(`${path}: ${status}${persisted ? ' (rollout changed)' : ''}`);
    }
    expect(answers).toEqual(expected);
  });
});
