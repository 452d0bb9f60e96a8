/**
 * Concurrency (catalogue rows C2, C3, C4): the same step delivered 2-10 times in parallel, duplicate promotions in
 * parallel and after the advance, and a promotion racing scheduler ticks. Each makes exactly one transition.
 */
import { describe, expect, it } from '@jest/globals';
import { runStep } from '../../../shared/app/step.js';
import { applyOperatorAction } from '../../../shared/app/actions.js';
import { recordingGateway } from '../../support/faults/recording-gateway.js';
import { figures } from '../support/figures.js';
import {
  atGate,
  deployThenUpdate,
  drive,
  healthy,
  NAME,
  realNow,
  startScenario,
  stepEvents,
} from '../support/scenario.js';

const promote = (gw: Parameters<typeof applyOperatorAction>[0]['gateway'], ns: string) =>
  applyOperatorAction(
    { gateway: gw, now: realNow },
    { namespace: ns, name: NAME, action: 'promote', expectedStep: 2, actor: 'test' },
  );

export function concurrencySuite(): void {
  describe('concurrency', () => {
    it.each([2, 5, 10])(
      'the same step event delivered %i times in parallel makes exactly one transition',
      async (n) => {
        const s = await startScenario(`conc-step-${n}`);
        try {
          await deployThenUpdate(s);
          await drive({ gateway: s.admin, now: realNow }, s.ns, atGate);
          // The gate is released (the pause condition cleared, as a promotion does): completing step 2 is now due, and
          // the scheduler's event for it arrives n times at once.
          await s.admin.mergePatch(
            { resource: 'rollouts', namespace: s.ns, name: NAME, subresource: 'status' },
            { status: { pauseConditions: null } },
          );
          const results = await Promise.all(
            Array.from({ length: n }, () =>
              runStep({ gateway: s.admin, now: realNow }, { namespace: s.ns, name: NAME, expectedStep: 2 }),
            ),
          );
          const transitions = results.filter(
            (r) => r.transition !== undefined && r.transition !== 'status-only',
          );
          expect(transitions).toHaveLength(1);
          expect((await s.rollout()).status?.currentStepIndex).toBe(3);
          expect([...(await stepEvents(s.ns)).values()].every((c) => c === 1)).toBe(true);
        } finally {
          await s.stop();
        }
        figures.cover('C2', 'C3');
      },
      60_000,
    );

    it('five duplicate promotions in parallel, then one after the advance, move past the gate once', async () => {
      const s = await startScenario('conc-promo');
      try {
        await deployThenUpdate(s);
        await drive({ gateway: s.admin, now: realNow }, s.ns, atGate);
        const results = await Promise.all(Array.from({ length: 5 }, () => promote(s.admin, s.ns)));
        expect(results.filter((r) => r.ok).length).toBe(1);
        expect(results.every((r) => r.ok || r.outcome === 'conflict')).toBe(true);
        await drive({ gateway: s.admin, now: realNow }, s.ns, (r) => r.status?.currentStepIndex === 3, {
          exact: true,
        });
        // The same promotion delivered again after the advance: 409 and not a single write.
        const rec = recordingGateway(s.admin);
        const late = await promote(rec.gw, s.ns);
        expect(late.outcome).toBe('conflict');
        expect(rec.acceptedWrites()).toEqual([]);
        s.ledger.rejection('late duplicate promotion', () => rec.calls);
        const r = await s.rollout();
        expect(r.status?.currentStepIndex).toBe(3);
      } finally {
        await s.stop();
      }
      figures.cover('A10', 'C4');
    }, 60_000);

    it('a promotion racing three scheduler ticks makes one transition past the gate', async () => {
      const s = await startScenario('conc-race');
      try {
        await deployThenUpdate(s);
        await drive({ gateway: s.admin, now: realNow }, s.ns, atGate);
        const tick = () =>
          runStep({ gateway: s.admin, now: realNow }, { namespace: s.ns, name: NAME }).catch((e: Error) => e);
        const [p] = await Promise.all([promote(s.admin, s.ns), tick(), tick(), tick()]);
        expect(p.ok).toBe(true);
        const end = await drive({ gateway: s.admin, now: realNow }, s.ns, healthy);
        expect(end.status?.currentStepIndex).toBe(4);
        expect([...(await stepEvents(s.ns)).values()].every((c) => c === 1)).toBe(true);
      } finally {
        await s.stop();
      }
      figures.cover('C3', 'C4');
    }, 60_000);
  });
}
