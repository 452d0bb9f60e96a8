/**
 * Same-step operator actions (catalogue row C8): N operator actions carrying the same expected step, all decided
 * from the same state (a barrier holds each action's first read until all N have read), at a manual pause. Exactly
 * one wins, the others get `conflict`; the step index moves by at most one; every later manual pause gets its own
 * `RolloutPaused`. A second promote of the same step after the first finished is a conflict with zero writes. The
 * same through the signed HTTP API handler (one 200, the rest 409) and two `sluice promote --expect-step 1` processes
 * (one exit 0, one exit 1).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import { applyOperatorAction, type ActionResult } from '../../../shared/app/actions.js';
import type { OperatorActionName } from '../../../shared/core/model/actions.js';
import type { Rollout } from '../../../shared/core/model/types.js';
import { adminRequest, clusterInfo } from '../../support/cluster.js';
import { recordingGateway } from '../../support/faults/recording-gateway.js';
import { hostSeed } from '../../journeys/fixtures.js';
import { figures } from '../support/figures.js';
import { callPromoteApi } from '../support/promote-api.js';
import { deployThenUpdate, drive, NAME, realNow, startScenario, type Scenario } from '../support/scenario.js';

/** Two manual pauses: crossing the first must not cross the second. */
const TWO_GATES = [{ setWeight: 25 }, { pause: {} }, { setWeight: 50 }, { pause: {} }, { setWeight: 75 }];
const pausedAt =
  (index: number) =>
  (r: Rollout): boolean =>
    r.status?.currentStepIndex === index && (r.status.pauseConditions?.length ?? 0) > 0;

/** Wraps `gw` so that the first read of the Rollout by each of `n` gateways returns only once all `n` have read. */
function barrierGateways(gw: KubeGateway, n: number): KubeGateway[] {
  let arrived = 0;
  let release: () => void = () => undefined;
  const all = new Promise<void>((ok) => (release = ok));
  return Array.from({ length: n }, () => {
    let first = true;
    const wrapped: KubeGateway = Object.create(gw) as KubeGateway;
    wrapped.get = async (...args: Parameters<KubeGateway['get']>) => {
      const res = await gw.get(...args);
      if (first && args[0] === 'rollouts') {
        first = false;
        if (++arrived === n) release();
        await all;
      }
      return res;
    };
    return wrapped;
  });
}

async function race(s: Scenario, actions: OperatorActionName[]): Promise<ActionResult[]> {
  const gws = barrierGateways(s.admin, actions.length);
  return Promise.all(
    actions.map((action, i) =>
      applyOperatorAction(
        { gateway: gws[i] as KubeGateway, now: realNow },
        { namespace: s.ns, name: NAME, action, expectedStep: 1, actor: `test-${i}` },
      ),
    ),
  );
}

async function pausedEvents(ns: string): Promise<number> {
  const res = await adminRequest('GET', `/api/v1/namespaces/${ns}/events`);
  return (res.body.items as { reason: string; count?: number }[])
    .filter((e) => e.reason === 'RolloutPaused')
    .reduce((n, e) => n + (e.count ?? 1), 0);
}

/** Exactly one accepted, the rest conflicts; recorded in the figures before the assertion. */
function expectOneWinner(results: ActionResult[]): void {
  const won = results.filter((r) => r.ok).length;
  const others = results.filter((r) => !r.ok).map((r) => r.outcome);
  figures.sameStepRace(won === 1 && others.every((o) => o === 'conflict'));
  expect({ won, others }).toEqual({ won: 1, others: others.map(() => 'conflict') });
}

async function atFirstGate(prefix: string): Promise<Scenario> {
  const s = await startScenario(prefix, hostSeed({ steps: TWO_GATES }));
  await deployThenUpdate(s);
  await drive({ gateway: s.admin, now: realNow }, s.ns, pausedAt(1));
  return s;
}

/** The CLI launcher run as its own process; resolves with its exit code. */
async function cliPromote(ns: string): Promise<number> {
  const node = join(process.cwd(), 'node_modules', '.bin', 'node');
  const args = ['bin/sluice.mjs', 'promote', `${ns}/${NAME}`, '--expect-step', '1'];
  try {
    await promisify(execFile)(node, [...args, '--kubeconfig', clusterInfo().kubeconfigPath], {
      cwd: process.cwd(),
    });
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

export function sameStepActionsSuite(): void {
  describe('same-step operator actions', () => {
    it.each([2, 6])(
      '%i promotes of step 1 at once: one wins, the next manual pause still pauses with its own RolloutPaused',
      async (n) => {
        const s = await atFirstGate(`same-step-${n}`);
        try {
          const results = await race(
            s,
            Array.from({ length: n }, (): OperatorActionName => 'promote'),
          );
          expectOneWinner(results);
          expect((await s.rollout()).status?.currentStepIndex).toBe(1);
          const r = await drive({ gateway: s.admin, now: realNow }, s.ns, pausedAt(3));
          expect(r.status?.currentStepIndex).toBe(3);
          expect(await pausedEvents(s.ns)).toBe(2);
        } finally {
          await s.stop();
        }
        figures.cover('A10', 'C4', 'C8');
      },
      60_000,
    );

    it.each([2, 6])(
      '%i signed promote requests of step 1 at once through the HTTP API handler: one 200, the rest 409',
      async (n) => {
        const s = await atFirstGate(`same-step-api-${n}`);
        try {
          const gws = barrierGateways(s.admin, n);
          const codes = await Promise.all(
            gws.map(async (gw, i) => {
              const where = { namespace: s.ns, name: NAME, action: 'promote' };
              return (await callPromoteApi(gw, where, { expectedStep: 1, reason: `race ${i}` })).statusCode;
            }),
          );
          const sorted = [...codes].sort();
          figures.sameStepRace(sorted.filter((c) => c === 200).length === 1 && sorted.at(-1) === 409);
          expect(sorted).toEqual([200, ...Array.from({ length: n - 1 }, () => 409)]);
          const r = await drive({ gateway: s.admin, now: realNow }, s.ns, pausedAt(3));
          expect(r.status?.currentStepIndex).toBe(3);
          expect(await pausedEvents(s.ns)).toBe(2);
        } finally {
          await s.stop();
        }
        figures.cover('A10', 'C8');
      },
      60_000,
    );

    it('two `sluice promote --expect-step 1` processes at once: one exits 0, the other 1 (conflict)', async () => {
      const s = await atFirstGate('same-step-cli');
      try {
        const codes = (await Promise.all([cliPromote(s.ns), cliPromote(s.ns)])).sort();
        figures.sameStepRace(codes[0] === 0 && codes[1] === 1);
        expect(codes).toEqual([0, 1]);
        const r = await drive({ gateway: s.admin, now: realNow }, s.ns, pausedAt(3));
        expect(r.status?.currentStepIndex).toBe(3);
        expect(await pausedEvents(s.ns)).toBe(2);
      } finally {
        await s.stop();
      }
      figures.cover('C8');
    }, 60_000);

    it('six different actions with the same expected step at once: one wins, the index moves by at most one', async () => {
      const s = await atFirstGate('same-step-mixed');
      try {
        const results = await race(s, ['promote', 'promote-full', 'abort', 'pause', 'resume', 'promote']);
        expectOneWinner(results);
        expect((await s.rollout()).status?.currentStepIndex).toBe(1);
      } finally {
        await s.stop();
      }
      figures.cover('C8');
    }, 60_000);

    it('a second promote of step 1 after the first finished (engine not yet advanced): 409, zero writes', async () => {
      const s = await atFirstGate('same-step-late');
      try {
        const first = await race(s, ['promote']);
        expect(first.map((r) => r.outcome)).toEqual(['accepted']);
        const rec = recordingGateway(s.admin);
        const late = await applyOperatorAction(
          { gateway: rec.gw, now: realNow },
          { namespace: s.ns, name: NAME, action: 'promote', expectedStep: 1, actor: 'late' },
        );
        expect(late.outcome).toBe('conflict');
        expect(rec.acceptedWrites()).toEqual([]);
        s.ledger.rejection('second promote of a promoted pause', () => rec.calls);
        const r = await drive({ gateway: s.admin, now: realNow }, s.ns, pausedAt(3));
        expect(r.status?.currentStepIndex).toBe(3);
        expect(await pausedEvents(s.ns)).toBe(2);
      } finally {
        await s.stop();
      }
      figures.cover('A10', 'C8');
    }, 60_000);
  });
}
