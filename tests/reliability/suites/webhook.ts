/**
 * Webhook attacks on the promote function, run in-process against the real cluster (catalogue rows A1-A10, C4, I4):
 * missing, wrong, malformed or replayed signatures, stale and future timestamps, oversized and deeply nested
 * bodies. Each gets its documented status and not a single Kubernetes write; fast-check fuzzes the rest.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createPromoteHandler } from '../../../functions/promote/handler.js';
import { signRequest } from '../../../shared/app/http-api/webhook-auth.js';
import type { FunctionDeps } from '../../../shared/runtimes/lambda/deps.js';
import { recordingGateway, type Recording } from '../../support/faults/recording-gateway.js';
import { figures } from '../support/figures.js';
import { promoteDeps } from '../support/promote-api.js';
import {
  atGate,
  deployThenUpdate,
  drive,
  NAME,
  realNow,
  startScenario,
  type Scenario,
} from '../support/scenario.js';

const KEY = { id: 'k1', secret: 'reliability-secret-0123456789abcdef' };
const OLD_KEY = { id: 'k0', secret: 'reliability-old-secret-0123456789' };

const deps = (gw: Recording['gw']): FunctionDeps => promoteDeps(gw, [KEY, OLD_KEY]);

const context = {
  awsRequestId: 'req',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

interface Req {
  body: string;
  headers: Record<string, string>;
  path?: string;
}

function event(ns: string, r: Req): APIGatewayProxyEventV2 {
  return {
    rawPath: r.path ?? `/v1/clusters/test/namespaces/${ns}/rollouts/${NAME}/promote`,
    requestContext: { http: { method: 'POST' } },
    headers: r.headers,
    body: r.body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

const pathOf = (ns: string, action = 'promote'): string =>
  `/v1/clusters/test/namespaces/${ns}/rollouts/${NAME}/${action}`;
const signed = (path: string, body: string, at = new Date(), key = KEY): Record<string, string> => ({
  'content-type': 'application/json',
  ...signRequest({ secret: key.secret, keyId: key.id, method: 'POST', path, body, now: at }),
});

async function send(s: Scenario, rec: Recording, r: Req): Promise<{ statusCode: number; body: string }> {
  const handler = createPromoteHandler(async () => deps(rec.gw), { sink: () => undefined });
  return (await handler(event(s.ns, r), context)) as { statusCode: number; body: string };
}

const BODY = JSON.stringify({ expectedStep: 2, reason: 'reliability' });
const flipHex = (h: string): string => h.replace(/v1=(.)/, (_, c: string) => `v1=${c === 'a' ? 'b' : 'a'}`);
const deep = (n: number): string => `{"reason":"x","nested":${'['.repeat(n)}${']'.repeat(n)}}`;

/** A captured request respelled: each must be refused (401, or 409 on the claim) with nothing written. */
const RESPELLINGS: [name: string, respell: (r: Req & { path: string }) => Req][] = [
  ['sent again as is', (r) => r],
  ['upper-case hex', (r) => withSig(r, `v1=${sigOf(r).slice(3).toUpperCase()}`)],
  ['doubled entry', (r) => withSig(r, `${sigOf(r)},${sigOf(r)}`)],
  ['second signature header', (r) => withSig(r, `${sigOf(r)}, ${sigOf(r)}`)],
  ['junk entry first', (r) => withSig(r, `v1=${'0'.repeat(64)},${sigOf(r)}`)],
  ['Idempotency-Key added', (r) => ({ ...r, headers: { ...r.headers, 'idempotency-key': 'added' } })],
  ['path with a trailing slash', (r) => ({ ...r, path: `${r.path}/` })],
  [
    'path and body split elsewhere',
    (r) => ({ ...r, path: `${r.path}.${r.body.slice(0, 2)}`, body: r.body.slice(2) }),
  ],
];
function sigOf(r: Req): string {
  return r.headers['x-sluice-signature'] ?? '';
}
function withSig(r: Req, sig: string): Req {
  return { ...r, headers: { ...r.headers, 'x-sluice-signature': sig } };
}

type Attack = { name: string; req: (path: string) => Req; status: number; calls: 'none' | 'reads' };
const ATTACKS: Attack[] = [
  {
    name: 'no signature headers',
    req: () => ({ body: BODY, headers: { 'content-type': 'application/json' } }),
    status: 401,
    calls: 'none',
  },
  {
    name: 'wrong signature of the right length',
    req: (p) => {
      const h = signed(p, BODY);
      return { body: BODY, headers: { ...h, 'x-sluice-signature': flipHex(h['x-sluice-signature'] ?? '') } };
    },
    status: 401,
    calls: 'none',
  },
  {
    name: 'non-hex signature',
    req: (p) => ({
      body: BODY,
      headers: { ...signed(p, BODY), 'x-sluice-signature': `v1=${'z'.repeat(64)}` },
    }),
    status: 401,
    calls: 'none',
  },
  {
    name: 'short signature',
    req: (p) => ({ body: BODY, headers: { ...signed(p, BODY), 'x-sluice-signature': 'v1=abcd' } }),
    status: 401,
    calls: 'none',
  },
  {
    name: 'signature without its v1= prefix',
    req: (p) => {
      const h = signed(p, BODY);
      return {
        body: BODY,
        headers: { ...h, 'x-sluice-signature': (h['x-sluice-signature'] ?? '').slice(3) },
      };
    },
    status: 401,
    calls: 'none',
  },
  {
    name: 'body changed by one byte',
    req: (p) => ({ body: BODY.replace('2', '3'), headers: signed(p, BODY) }),
    status: 401,
    calls: 'none',
  },
  {
    name: 'body re-serialised',
    req: (p) => ({ body: JSON.stringify(JSON.parse(BODY), null, 1), headers: signed(p, BODY) }),
    status: 401,
    calls: 'none',
  },
  {
    name: 'timestamp 301 s old',
    req: (p) => ({ body: BODY, headers: signed(p, BODY, new Date(Date.now() - 301_000)) }),
    status: 401,
    calls: 'none',
  },
  {
    name: 'timestamp 301 s ahead',
    req: (p) => ({ body: BODY, headers: signed(p, BODY, new Date(Date.now() + 301_000)) }),
    status: 401,
    calls: 'none',
  },
  {
    name: 'unknown key',
    req: (p) => ({
      body: BODY,
      headers: signed(p, BODY, new Date(), { id: 'kx', secret: 'not-a-key-of-ours-0123456789' }),
    }),
    status: 401,
    calls: 'none',
  },
  {
    name: '10 MiB body',
    req: () => ({ body: 'x'.repeat(10 * 1024 * 1024), headers: { 'content-type': 'application/json' } }),
    status: 413,
    calls: 'none',
  },
  {
    name: '10 000-deep JSON, signed',
    req: (p) => ({ body: deep(10_000), headers: signed(p, deep(10_000)) }),
    status: 400,
    calls: 'none',
  },
  {
    name: 'not JSON content type, signed',
    req: (p) => ({ body: BODY, headers: { ...signed(p, BODY), 'content-type': 'text/plain' } }),
    status: 415,
    calls: 'none',
  },
  {
    name: 'negative expectedStep, signed',
    req: (p) => ({ body: '{"expectedStep":-1}', headers: signed(p, '{"expectedStep":-1}') }),
    status: 400,
    calls: 'none',
  },
  {
    name: 'promote signature replayed on /abort',
    req: (p) => ({ body: BODY, headers: signed(p, BODY), path: p.replace(/promote$/, 'abort') }),
    status: 401,
    calls: 'none',
  },
  {
    name: 'stale expectedStep, signed',
    req: (p) => ({ body: '{"expectedStep":1}', headers: signed(p, '{"expectedStep":1}') }),
    status: 409,
    calls: 'reads',
  },
];

export function webhookSuite(): void {
  describe('webhook attacks', () => {
    it('each attack gets its status and no Kubernetes write; the previous key works; a replay makes no second advance', async () => {
      const s = await startScenario('webhook');
      const wrong: string[] = [];
      try {
        await deployThenUpdate(s);
        await drive({ gateway: s.admin, now: realNow }, s.ns, atGate);
        for (const a of ATTACKS) {
          const rec = recordingGateway(s.admin);
          const res = await send(s, rec, a.req(pathOf(s.ns)));
          const calls = a.calls === 'none' ? rec.calls.length : rec.acceptedWrites().length;
          const right = res.statusCode === a.status && calls === 0;
          figures.badInput(right);
          if (!right) wrong.push(`${a.name}: ${res.statusCode} ${res.body} calls=${calls}`);
        }
        // Rotation: a request signed with the previous key is accepted, and it advances once.
        const rec = recordingGateway(s.admin);
        const req = { body: BODY, headers: signed(pathOf(s.ns), BODY, new Date(), OLD_KEY) };
        const first = await send(s, rec, req);
        expect(first.statusCode).toBe(200);
        await drive({ gateway: s.admin, now: realNow }, s.ns, (r) => r.status?.currentStepIndex === 3, {
          exact: true,
        });
        // The same signed delivery replayed within the window: 409, nothing written.
        const replay = recordingGateway(s.admin);
        const again = await send(s, replay, req);
        s.ledger.rejection('replayed promotion', () => replay.calls);
        const right = again.statusCode === 409 && replay.acceptedWrites().length === 0;
        figures.badInput(right);
        if (!right) wrong.push(`replay: ${again.statusCode} ${again.body}`);
        expect((await s.rollout()).status?.currentStepIndex).toBe(3);
        // The same capture respelled, each to a fresh container: refused, nothing written, resourceVersion kept.
        for (const [name, respell] of RESPELLINGS) {
          const version = (await s.rollout()).metadata.resourceVersion;
          const r = recordingGateway(s.admin);
          const res = await send(s, r, respell({ ...req, path: pathOf(s.ns) }));
          const kept = (await s.rollout()).metadata.resourceVersion === version;
          const refused = [401, 409].includes(res.statusCode) && r.acceptedWrites().length === 0 && kept;
          figures.replay(refused);
          if (!refused) wrong.push(`replay (${name}): ${res.statusCode} ${res.body}`);
        }
      } finally {
        await s.stop();
      }
      figures.cover('A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A10', 'C4');
      expect(wrong).toEqual([]);
      expect(figures.replays).toBe(RESPELLINGS.length);
    }, 60_000);

    it('fuzzed bodies and headers never give a 500, and a refusal never writes (a valid signed promotion may pass)', async () => {
      const s = await startScenario('webhook-fuzz');
      const wrong: string[] = [];
      try {
        await deployThenUpdate(s);
        await drive({ gateway: s.admin, now: realNow }, s.ns, atGate);
        const body = fc.oneof(
          fc.json(),
          fc.string(),
          fc
            .record(
              { expectedStep: fc.oneof(fc.integer(), fc.double(), fc.string()), reason: fc.string() },
              { requiredKeys: [] },
            )
            .map((o) => JSON.stringify(o)),
        );
        await fc.assert(
          fc.asyncProperty(
            body,
            fc.boolean(),
            fc.option(fc.string({ maxLength: 80 })),
            async (b, sign, junkSig) => {
              const headers = sign ? signed(pathOf(s.ns), b) : { 'content-type': 'application/json' };
              if (junkSig !== null) headers['x-sluice-signature'] = junkSig;
              const rec = recordingGateway(s.admin);
              const res = await send(s, rec, { body: b, headers });
              const writes = rec.acceptedWrites().length;
              figures.badInput(res.statusCode !== 500 && (res.statusCode === 200 || writes === 0));
              if (res.statusCode === 500 || (res.statusCode !== 200 && writes > 0))
                wrong.push(`${res.statusCode} ${b.slice(0, 60)}`);
              return true;
            },
          ),
          { seed: 42, numRuns: 150 },
        );
      } finally {
        await s.stop();
      }
      figures.cover('I4');
      expect(wrong).toEqual([]);
    }, 60_000);
  });
}
