/**
 * The dashboard on AWS: the promote function in-process with API Gateway v2 events carrying the claims its JWT
 * authorizer verified, against the real cluster. Claims map to roles through the cluster registry's access
 * rules; every refused request is checked for its status AND for zero Kubernetes writes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPromoteHandler } from '../../functions/promote/handler.js';
import type { HttpResponse } from '../../shared/app/http-api/response.js';
import { readConfig } from '../../shared/runtimes/lambda/config.js';
import { accessOfRegistry } from '../../shared/runtimes/lambda/deps.js';
import { parseClusterRegistry } from '../../shared/adapters/kube/cluster-registry.js';
import { adminGateway, setImage, startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import {
  CLUSTER,
  countingGateway,
  httpEvent,
  instanceLabelled,
  lambdaContext,
  mockEventBridge,
  testDeps,
  quiet,
} from '../functions/support.js';

const INSTANCE = 'fn-dashboard';
const ISSUER = 'https://issuer.example';
const ORIGIN = 'https://api.example'; // httpEvent's domain name

describe('dashboard routes of the promote function, behind the JWT authorizer', () => {
  let j: Journey;
  let counted: ReturnType<typeof countingGateway>;
  let bus: ReturnType<typeof mockEventBridge>;
  let call: (
    method: string,
    path: string,
    claims?: Record<string, unknown>,
    opts?: { body?: string; origin?: string },
  ) => Promise<HttpResponse>;
  let detailPath = '';

  const claims = (sub: string, groups: string[], change: Record<string, unknown> = {}) => ({
    iss: ISSUER,
    aud: 'sluice',
    sub,
    email: `${sub}@example.com`,
    exp: String(Math.floor(Date.now() / 1000) + 600),
    groups: `[${groups.join(' ')}]`, // as API Gateway hands a list claim over
    ...change,
  });
  const OPERATOR = claims('alice', ['shop-devs']);
  const VIEWER = claims('bob', ['sre']);
  const OUTSIDER = claims('eve', ['nobody']);

  beforeAll(async () => {
    const seed = hostSeed().map((o) => (o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o));
    j = await startJourney('fn-dashboard', seed);
    await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
    await setImage(j.ns, 'reviews', IMAGE_V2);
    await j.drive('reviews', (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused');
    counted = countingGateway(adminGateway());
    bus = mockEventBridge();
    const registry = [
      {
        name: CLUSTER,
        source: 'secret',
        secretId: 'unused-in-tests',
        access: [
          { claim: 'groups', value: 'shop-devs', role: 'operator', namespaces: [j.ns] },
          { claim: 'groups', value: 'sre', role: 'viewer' },
        ],
      },
    ];
    const base = testDeps(counted.gw, INSTANCE);
    const config = readConfig({
      SLUICE_CLUSTERS: JSON.stringify(registry),
      SLUICE_EVENT_BUS: base.config.eventBusName,
      SLUICE_INSTANCE_ID: INSTANCE,
      SLUICE_WEBHOOK_SECRET_ID: base.config.webhookSecretId,
      SLUICE_DASHBOARD_JWT_ISSUER: ISSUER,
      SLUICE_DASHBOARD_JWT_AUDIENCE: 'sluice',
    });
    const access = accessOfRegistry(parseClusterRegistry(registry));
    const handler = createPromoteHandler(async () => ({ ...base, config, access }), quiet);
    call = (method, path, jwt, opts = {}) => {
      const headers: Record<string, string> = opts.body ? { 'content-type': 'application/json' } : {};
      if (opts.origin) headers.origin = opts.origin;
      const event = httpEvent(method, path, opts.body, headers);
      if (jwt) Object.assign(event.requestContext, { authorizer: { jwt: { claims: jwt, scopes: null } } });
      return handler(event, lambdaContext()) as Promise<HttpResponse>;
    };
    detailPath = `/ui/v1/clusters/${CLUSTER}/namespaces/${j.ns}/rollouts/reviews`;
  });
  afterAll(async () => {
    bus.mock.restore();
    await j.stop();
  });

  const promote = (jwt: Record<string, unknown> | undefined, body: string, origin = ORIGIN) =>
    call('POST', `${detailPath}/promote`, jwt, { body, origin });
  const mine = (res: HttpResponse) =>
    (JSON.parse(res.body) as { rows: { namespace: string }[] }).rows.filter((r) => r.namespace === j.ns);

  it('serves the page without a token; the data only with verified claims of the configured issuer', async () => {
    const page = await call('GET', '/dashboard');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<meta name="sluice-mode" content="jwt">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    // This in-process build carries no page script (the packaged promote bundle does).
    expect((await call('GET', '/dashboard/app.js')).statusCode).toBe(503);
    expect((await call('GET', '/ui/v1/fleet')).statusCode).toBe(401);
    const other = await call('GET', '/ui/v1/fleet', { ...OPERATOR, iss: 'https://evil.example' });
    expect([other.statusCode, JSON.parse(other.body).message]).toEqual([
      401,
      'token issuer is not the configured issuer',
    ]);
    const expired = await call('GET', '/ui/v1/fleet', { ...OPERATOR, exp: '1000' });
    expect(expired.statusCode).toBe(401);
  });

  it('shows each caller only what its role covers', async () => {
    const before = counted.writes();
    expect(mine(await call('GET', '/ui/v1/fleet', VIEWER))).toHaveLength(1);
    expect(mine(await call('GET', '/ui/v1/fleet', OPERATOR))).toHaveLength(1);
    expect(mine(await call('GET', '/ui/v1/fleet', OUTSIDER))).toHaveLength(0);
    const viewer = await call('GET', detailPath, VIEWER);
    expect(viewer.statusCode).toBe(200);
    expect(JSON.parse(viewer.body)).toMatchObject({ canAct: false, waitingFor: 'a promotion' });
    expect(JSON.parse((await call('GET', detailPath, OPERATOR)).body).canAct).toBe(true);
    expect((await call('GET', detailPath, OUTSIDER)).statusCode).toBe(404);
    const session = JSON.parse((await call('GET', '/ui/v1/session', OPERATOR)).body);
    expect(session).toEqual({ actor: 'oidc:alice (alice@example.com)', csrf: null });
    expect(counted.writes()).toBe(before);
  });

  it.each([
    ['a viewer', () => VIEWER, '{"expectedStep":1}', ORIGIN, 403],
    ['a caller without a role', () => OUTSIDER, '{"expectedStep":1}', ORIGIN, 403],
    ['an operator from another origin', () => OPERATOR, '{"expectedStep":1}', 'https://evil.example', 403],
    ['an operator without an expected step', () => OPERATOR, '{}', ORIGIN, 400],
    ['an operator with a stale step', () => OPERATOR, '{"expectedStep":0}', ORIGIN, 409],
    ['no claims', () => undefined, '{"expectedStep":1}', ORIGIN, 401],
  ])('refuses %s and writes nothing', async (_title, who, body, origin, status) => {
    const before = counted.writes();
    const res = await promote(who(), body, origin);
    expect(res.statusCode).toBe(status);
    expect(counted.writes()).toBe(before);
    expect((await j.rollout('reviews')).status?.currentStepIndex).toBe(1);
  });

  it("promotes for an operator and records the caller's identity in the OperatorAction Event", async () => {
    const res = await promote(OPERATOR, '{"expectedStep":1}');
    // The pause condition is lifted; the next pass moves the step.
    expect([res.statusCode, JSON.parse(res.body).after?.pauseConditions]).toEqual([200, 0]);
    const actions = (await j.events('reviews')).filter((e) => e.reason === 'OperatorAction');
    expect(actions.map((e) => e.message)).toEqual([
      expect.stringMatching(/^promote by oidc:alice \(alice@example\.com\): step 1\//),
    ]);
  });
});
