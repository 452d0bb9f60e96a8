/**
 * Faults between sluice and the API server, injected by the loopback TLS fault proxy (catalogue rows F1-F6,
 * C6): scripted faults on chosen requests and seeded random faults over whole rollouts. Every scenario must end in
 * the state of an unfaulted run, with the ledger's invariants holding throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import { applyOperatorAction } from '../../../shared/app/actions.js';
import {
  startFaultProxy,
  type FaultAction,
  type FaultProxy,
  type FaultRule,
} from '../../support/faults/fault-proxy.js';
import { figures } from '../support/figures.js';
import {
  atGate,
  deployThenUpdate,
  drive,
  endState,
  gatewayFrom,
  healthy,
  NAME,
  realNow,
  startScenario,
  stepEvents,
  type Scenario,
} from '../support/scenario.js';

const FAST = { timeoutMs: 1000, maxRetries: 4, backoff: { baseMs: 20, capMs: 200, retryAfterJitterMs: 100 } };
const EXPECTED_END = {
  step: 4,
  phase: 'Healthy',
  promoted: true,
  pauses: [],
  vs: [
    ['reviews-stable', 100],
    ['reviews-canary', 0],
  ],
};

let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startFaultProxy();
});
afterAll(async () => {
  await proxy.close();
});

/** Promotes at the gate through `gw`, retrying the same request (expected step 2) until it is answered. */
async function promoteThrough(gw: KubeGateway, ns: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    try {
      const r = await applyOperatorAction(
        { gateway: gw, now: realNow },
        { namespace: ns, name: NAME, action: 'promote', expectedStep: 2, actor: 'test' },
      );
      if (r.ok || r.outcome === 'conflict') return;
      throw new Error(r.message);
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
    }
  }
  throw new Error('promotion never answered');
}

/** Runs the v2 rollout through the proxy (steps, gate, promotion, completion) and checks the end state. */
async function rolloutThroughProxy(s: Scenario, gw: KubeGateway): Promise<boolean> {
  await drive({ gateway: gw, now: realNow }, s.ns, atGate, { timeoutMs: 40_000, failures: [] });
  await promoteThrough(gw, s.ns);
  await drive({ gateway: gw, now: realNow }, s.ns, healthy, { timeoutMs: 40_000, failures: [] });
  const end = (await endState(s)) as Record<string, unknown>;
  const dup = [...(await stepEvents(s.ns)).values()].some((n) => n > 1);
  return (
    !dup &&
    JSON.stringify({
      step: end.step,
      phase: end.phase,
      promoted: end.promoted,
      pauses: end.pauses,
      vs: end.vs,
    }) === JSON.stringify(EXPECTED_END)
  );
}

export function faultSuite(): void {
  describe('fault proxy', () => {
    it('retries 5xx, 429 and resets, honours Retry-After, and never retries 403/404/409/422', async () => {
      const gw = gatewayFrom(proxy.kubeconfig(), FAST);
      const cases: { action: FaultAction; times: number; ok: boolean; attempts: number; minMs?: number }[] = [
        { action: { kind: 'status', status: 503 }, times: 2, ok: true, attempts: 3 },
        { action: { kind: 'status', status: 500 }, times: 1, ok: true, attempts: 2 },
        { action: { kind: 'reset-before' }, times: 2, ok: true, attempts: 3 },
        { action: { kind: 'hang' }, times: 1, ok: true, attempts: 2 },
        {
          action: { kind: 'status', status: 429, retryAfter: 1 },
          times: 1,
          ok: true,
          attempts: 2,
          minMs: 1000,
        },
        { action: { kind: 'status', status: 403 }, times: 1, ok: false, attempts: 1 },
        { action: { kind: 'status', status: 409 }, times: 1, ok: false, attempts: 1 },
        { action: { kind: 'status', status: 422 }, times: 1, ok: false, attempts: 1 },
        { action: { kind: 'status', status: 503 }, times: 9, ok: false, attempts: 5 },
      ];
      const wrong: string[] = [];
      for (const c of cases) {
        // A list of Events in `default` is the probe: it goes through the same retry loop as every call.
        proxy.setRules([
          { match: { path: /\/namespaces\/default\/events/ }, action: c.action, times: c.times },
        ]);
        const t0 = Date.now();
        const p0 = proxy.requests;
        let probeOk = true;
        try {
          await gw.list('events', 'default');
        } catch {
          probeOk = false;
        }
        const attempts = proxy.requests - p0;
        const ms = Date.now() - t0;
        if (probeOk !== c.ok || attempts !== c.attempts || (c.minMs !== undefined && ms < c.minMs))
          wrong.push(`${JSON.stringify(c.action)}: ok=${probeOk} attempts=${attempts} ms=${ms}`);
        figures.fault(Math.min(c.times, c.attempts), probeOk === c.ok);
      }
      proxy.setRules([]);
      figures.cover('F2', 'F4', 'F5');
      expect(wrong).toEqual([]);
    }, 60_000);

    it('a rollout with scripted faults on its writes (answer lost after the commit, resets, 409, 5xx) converges', async () => {
      const s = await startScenario('fault-scripted');
      let ok = false;
      try {
        await deployThenUpdate(s);
        const rules: FaultRule[] = [
          {
            match: { method: 'PATCH', path: /\/rollouts\/reviews\/status/ },
            action: { kind: 'reset-after' },
          },
          { match: { method: 'PATCH', path: /\/virtualservices\// }, action: { kind: 'reset-after' } },
          { match: { method: 'PATCH', path: /\/services\// }, action: { kind: 'reset-before' } },
          { match: { method: 'PATCH', path: /\/replicasets\// }, action: { kind: 'status', status: 500 } },
          {
            match: { method: 'PATCH', path: /\/virtualservices\// },
            action: { kind: 'status', status: 409 },
            skip: 1,
          },
          {
            match: { method: 'GET', path: /\/replicasets/ },
            action: { kind: 'status', status: 503 },
            skip: 2,
            times: 2,
          },
          {
            match: { method: 'PATCH', path: /\/rollouts\/reviews\/status/ },
            action: { kind: 'reset-after' },
            skip: 3,
          },
          { match: { method: 'PATCH', path: /\/rollouts\/reviews$/ }, action: { kind: 'reset-after' } },
          { match: { method: 'GET' }, action: { kind: 'latency', ms: 150 }, skip: 5, times: 5 },
        ];
        proxy.setRules(rules);
        const before = proxy.injected.length;
        ok = await rolloutThroughProxy(s, gatewayFrom(proxy.kubeconfig(), FAST));
        const injected = proxy.injected.length - before;
        proxy.setRules([]);
        expect(injected).toBeGreaterThanOrEqual(rules.length);
        figures.fault(injected, ok);
      } finally {
        proxy.setRules([]);
        await s.stop();
      }
      figures.cover('F1', 'F3', 'C6');
      expect(ok).toBe(true);
    }, 90_000);

    it.each([11, 23, 37])(
      'seed %i: random faults on every request over a whole rollout change nothing',
      async (seed) => {
        const s = await startScenario(`fault-random-${seed}`);
        let ok = false;
        try {
          await deployThenUpdate(s);
          proxy.setRandom({
            seed,
            rate: 0.2,
            max: 30,
            actions: [
              { kind: 'latency', ms: 200 },
              { kind: 'reset-before' },
              { kind: 'reset-after' },
              { kind: 'status', status: 500 },
              { kind: 'status', status: 503 },
              { kind: 'status', status: 409 },
              { kind: 'status', status: 429, retryAfter: 0 },
              { kind: 'hang' },
            ],
          });
          const before = proxy.injected.length;
          ok = await rolloutThroughProxy(s, gatewayFrom(proxy.kubeconfig(), FAST));
          const injected = proxy.injected.length - before;
          expect(injected).toBeGreaterThan(5);
          figures.fault(injected, ok);
        } finally {
          proxy.setRandom(undefined);
          await s.stop();
        }
        figures.cover('F1', 'F2', 'F3', 'F4', 'F5');
        expect(ok).toBe(true);
      },
      120_000,
    );

    it('a watch that gets 410 Gone fails with code 410 (relist), and a dropped watch ends so it can resume', async () => {
      const gw = gatewayFrom(proxy.kubeconfig(), FAST);
      proxy.setRules([{ match: { watch: true }, action: { kind: 'watch-gone' } }]);
      const gone = gw.watch('services', 'default', '1', () => undefined);
      const err = await gone.done.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KubeApiError);
      expect((err as KubeApiError).code).toBe(410);
      const list = await gw.list('services', 'default');
      proxy.setRules([{ match: { watch: true }, action: { kind: 'watch-drop', afterMs: 300 } }]);
      const started = Date.now();
      const dropped = gw.watch('services', 'default', list.resourceVersion, () => undefined);
      const outcome = await dropped.done.then(
        () => 'ended',
        (e: unknown) => (e instanceof KubeApiError ? `error ${e.code}` : 'other'),
      );
      proxy.setRules([]);
      expect(['ended', 'error 0']).toContain(outcome);
      expect(Date.now() - started).toBeLessThan(10_000);
      figures.fault(2, true);
      figures.cover('F6');
    }, 30_000);
  });
}
