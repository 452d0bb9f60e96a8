/**
 * A captured signed request replayed in every spelling, to the container that accepted it, to another container
 * and to a fresh one (a restart), against the real cluster: each replay is 401 or 409, writes nothing and leaves
 * the Rollout's resourceVersion unchanged.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApiHandler } from '../../shared/app/http-api/promote.js';
import { entryLogger } from '../../shared/app/logger.js';
import { apiDeps } from '../../shared/runtimes/lambda/deps.js';
import { startApiServer } from '../../shared/runtimes/local/http-api.js';
import { signRequest } from '../../shared/app/http-api/webhook-auth.js';
import { createPromoteHandler } from '../../functions/promote/handler.js';
import type { HttpResponse } from '../../shared/app/http-api/response.js';
import { adminGateway, setImage, startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import {
  CLUSTER,
  SECRETS,
  countingGateway,
  httpEvent,
  instanceLabelled,
  lambdaContext,
  mockEventBridge,
  quiet,
  testDeps,
} from './support.js';

const INSTANCE = 'fn-replay';
const [key] = SECRETS as [(typeof SECRETS)[0]];

/** One captured request: what was sent, exactly. */
interface Captured {
  path: string;
  body: string;
  headers: Record<string, string>;
}

type Spelling = [title: string, respell: (c: Captured) => Captured];

const sigOf = (c: Captured): string => c.headers['x-sluice-signature'] ?? '';
const withHeaders = (c: Captured, over: Record<string, string>): Captured => ({
  ...c,
  headers: { ...c.headers, ...over },
});
const without = (c: Captured, name: string): Captured => ({
  ...c,
  headers: Object.fromEntries(Object.entries(c.headers).filter(([k]) => k !== name)),
});

/** Respellings of any captured request: each must be refused with 401 before Kubernetes is called. */
const RESPELLED: Spelling[] = [
  [
    'upper-case hex',
    (c) => withHeaders(c, { 'x-sluice-signature': `v1=${sigOf(c).slice(3).toUpperCase()}` }),
  ],
  ['the entry doubled', (c) => withHeaders(c, { 'x-sluice-signature': `${sigOf(c)},${sigOf(c)}` })],
  // API Gateway joins a repeated header with ',', node:http with ', '.
  [
    'a second signature header (API Gateway)',
    (c) => withHeaders(c, { 'x-sluice-signature': `${sigOf(c)},${sigOf(c)}` }),
  ],
  [
    'a second signature header (node:http)',
    (c) => withHeaders(c, { 'x-sluice-signature': `${sigOf(c)}, ${sigOf(c)}` }),
  ],
  [
    'a junk entry before the signature',
    (c) => withHeaders(c, { 'x-sluice-signature': `v1=${'0'.repeat(64)},${sigOf(c)}` }),
  ],
  ['an Idempotency-Key changed', (c) => withHeaders(c, { 'idempotency-key': 'another-key' })],
  ['the path with a trailing slash (same route)', (c) => ({ ...c, path: `${c.path}/` })],
  // The old `.` ambiguity: `<path>.<body>` split elsewhere.
  [
    'the path and body split elsewhere',
    (c) => ({ ...c, path: `${c.path}.${c.body.slice(0, 2)}`, body: c.body.slice(2) }),
  ],
];

describe('replays of a captured signed request (promote function, real cluster)', () => {
  let j: Journey;
  let counted: ReturnType<typeof countingGateway>;
  let bus: ReturnType<typeof mockEventBridge>;
  const container = () => {
    const handler = createPromoteHandler(async () => testDeps(counted.gw, INSTANCE), quiet);
    return (c: Captured) =>
      handler(httpEvent('POST', c.path, c.body, c.headers), lambdaContext()) as Promise<HttpResponse>;
  };
  let first: ReturnType<typeof container>;
  const route = (action: string) => `/v1/clusters/${CLUSTER}/namespaces/${j.ns}/rollouts/reviews/${action}`;
  const capture = (action: string, body: string, idempotencyKey?: string): Captured => ({
    path: route(action),
    body,
    headers: {
      'content-type': 'application/json',
      ...signRequest({
        secret: key.secret,
        keyId: key.id,
        method: 'POST',
        path: route(action),
        body,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        now: new Date(),
      }),
    },
  });

  beforeAll(async () => {
    const seed = hostSeed().map((o) => (o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o));
    j = await startJourney('fn-replay', seed);
    await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
    await setImage(j.ns, 'reviews', IMAGE_V2);
    await j.drive('reviews', (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused');
    counted = countingGateway(adminGateway());
    bus = mockEventBridge();
    first = container();
  });
  afterAll(async () => {
    bus.mock.restore();
    await j.stop();
  });

  /** Sends `c` to `to`; expects `status`, then zero persisted writes and the Rollout untouched. */
  async function refused(to: ReturnType<typeof container>, c: Captured, statuses: number[]): Promise<number> {
    const before = await j.rollout('reviews');
    const writes = counted.writes();
    const events = (await j.gw.list('events', j.ns)).items.length;
    const res = await to(c);
    expect(statuses).toContain(res.statusCode);
    // A 401 calls nothing; a 409 tried one write, the claim, which the API server refused (AlreadyExists).
    expect(counted.writes()).toBe(writes + (res.statusCode === 409 ? 1 : 0));
    expect((await j.gw.list('events', j.ns)).items.length).toBe(events);
    expect((await j.rollout('reviews')).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    return res.statusCode;
  }

  describe('a promote without an Idempotency-Key', () => {
    let promote: Captured;
    beforeAll(async () => {
      promote = capture('promote', JSON.stringify({ reason: 'captured' }));
      expect((await first(promote)).statusCode).toBe(200);
    });

    it('sent again as is: 401 at the container that accepted it, 409 at another and after a restart', async () => {
      expect(await refused(first, promote, [401])).toBe(401);
      expect(await refused(container(), promote, [409])).toBe(409);
      expect(await refused(container(), promote, [409])).toBe(409);
    });

    it.each<Spelling>([
      ...RESPELLED,
      ['an Idempotency-Key added', (c) => withHeaders(c, { 'idempotency-key': 'added-key' })],
    ])('respelled (%s): 401 everywhere', async (_title, respell) => {
      for (const to of [first, container(), container()]) {
        expect(await refused(to, respell(promote), [401])).toBe(401);
      }
    });
  });

  describe('a second promote, sent with an Idempotency-Key', () => {
    let keyed: Captured;
    beforeAll(async () => {
      keyed = capture('promote', JSON.stringify({ reason: 'captured with a key' }), `replay-${Date.now()}`);
      expect((await first(keyed)).statusCode).toBe(200);
    });

    it('sent again as is: 401 at the container that accepted it, 409 at another and after a restart', async () => {
      expect(await refused(first, keyed, [401])).toBe(401);
      expect(await refused(container(), keyed, [409])).toBe(409);
      expect(await refused(container(), keyed, [409])).toBe(409);
    });

    it.each<Spelling>([...RESPELLED, ['the Idempotency-Key removed', (c) => without(c, 'idempotency-key')]])(
      'respelled (%s): 401 everywhere',
      async (_title, respell) => {
        for (const to of [first, container(), container()]) {
          expect(await refused(to, respell(keyed), [401])).toBe(401);
        }
      },
    );

    it("through sluice run's node:http server: two signature headers 401, sent as is 409", async () => {
      const api = createApiHandler(async () => apiDeps(testDeps(counted.gw, INSTANCE)));
      const log = entryLogger('error', () => undefined);
      const server = await startApiServer({ host: '127.0.0.1', port: 0, handler: (req) => api(req, log) });
      try {
        const send = (headers: Record<string, string | string[]>) => async () => {
          const res = await new Promise<number>((resolve, reject) => {
            const req = request(`${server.url}${keyed.path}`, { method: 'POST', headers }, (r) => {
              r.resume();
              r.on('end', () => resolve(r.statusCode ?? 0));
            });
            req.on('error', reject);
            req.end(keyed.body);
          });
          return { statusCode: res, headers: {}, body: '' } as HttpResponse;
        };
        const sig = sigOf(keyed);
        expect(
          await refused(send({ ...keyed.headers, 'x-sluice-signature': [sig, sig] }), keyed, [401]),
        ).toBe(401);
        expect(await refused(send(keyed.headers), keyed, [409])).toBe(409);
      } finally {
        await server.close();
      }
    });
  });
});
