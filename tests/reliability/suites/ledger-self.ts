/**
 * The ledger must be able to fail: foreign writes that break each invariant are recorded as violations. (This
 * scenario's ledger is not added to the run's figures: its violations are made on purpose.)
 */
import { describe, expect, it } from '@jest/globals';
import { applyOperatorAction } from '../../../shared/app/actions.js';
import { adminRequest } from '../../support/cluster.js';
import { Ledger } from '../../support/ledger.js';
import { atGate, deployThenUpdate, drive, NAME, realNow, startScenario } from '../support/scenario.js';

export function ledgerSelfSuite(): void {
  describe('ledger self-check', () => {
    it('flags a weight ahead of the committed step, a step moving back, a skipped step and a foreign field change', async () => {
      const s = await startScenario('ledger-self');
      let violations: string[] = [];
      try {
        await deployThenUpdate(s);
        await drive({ gateway: s.admin, now: realNow }, s.ns, (r) => r.status?.currentStepIndex === 1, {
          exact: true,
        });
        await s.kubelet.stop();
        const base = `/apis/networking.istio.io/v1/namespaces/${s.ns}/virtualservices/${NAME}`;
        const vs = (await adminRequest('GET', base)).body;
        vs.spec.http[0].route[0].weight = 10;
        vs.spec.http[0].route[1].weight = 90;
        vs.spec.http[0].retries.attempts = 9;
        expect((await adminRequest('PUT', base, vs)).status).toBe(200);
        const status = `/apis/argoproj.io/v1alpha1/namespaces/${s.ns}/rollouts/${NAME}/status`;
        expect((await adminRequest('PATCH', status, { status: { currentStepIndex: 0 } })).status).toBe(200);
        expect((await adminRequest('PATCH', status, { status: { currentStepIndex: 3 } })).status).toBe(200);
        await s.ledger.settle();
        violations = s.ledger.check().violations;
      } finally {
        s.ledger.stop();
      }
      const has = (re: RegExp): boolean => violations.some((v) => re.test(v));
      expect({
        weightAhead: has(/canary weight raised to 90 while the committed step 1 allows 50/),
        movedBack: has(/moved back from 1 to 0/),
        skipped: has(/jumped from 0 to 3/),
        foreign: has(/a field sluice does not own changed/),
      }).toEqual({ weightAhead: true, movedBack: true, skipped: true, foreign: true });
      expect(Ledger).toBeDefined();
    }, 30_000);

    it("takes an abort's reset of the step index to 0 as a new epoch, and still flags a move back or an abort that keeps its index", async () => {
      const s = await startScenario('ledger-abort');
      let afterAbort: string[] = [];
      let violations: string[] = [];
      try {
        await deployThenUpdate(s);
        const deps = { gateway: s.admin, now: realNow };
        await drive(deps, s.ns, atGate);
        const res = await applyOperatorAction(deps, {
          namespace: s.ns,
          name: NAME,
          action: 'abort',
          actor: 'test',
        });
        expect(res.ok).toBe(true);
        // The engine commits the abort: index 2 -> 0 with abortedAt (Argo's reset, not a step moving back).
        const aborted = await drive(deps, s.ns, (r) => r.status?.abortedAt !== undefined);
        expect(aborted.status?.currentStepIndex).toBe(0);
        await s.kubelet.stop();
        await s.ledger.settle();
        afterAbort = s.ledger.check().violations;
        const status = `/apis/argoproj.io/v1alpha1/namespaces/${s.ns}/rollouts/${NAME}/status`;
        for (const patch of [
          { currentStepIndex: 1 },
          { currentStepIndex: 0 },
          { abortedAt: '2030-01-01T00:00:00Z', currentStepIndex: 1 },
        ])
          expect((await adminRequest('PATCH', status, { status: patch })).status).toBe(200);
        await s.ledger.settle();
        violations = s.ledger.check().violations;
      } finally {
        s.ledger.stop();
      }
      const has = (re: RegExp): boolean => violations.some((v) => re.test(v));
      expect(afterAbort).toEqual([]);
      expect({
        movedBack: has(/moved back from 1 to 0/),
        abortKeptIndex: has(/the abort left the step index at 1, not 0/),
        namespaced: violations.every((v) => v.startsWith(`${s.ns}: rollout reviews rv `)),
      }).toEqual({ movedBack: true, abortKeptIndex: true, namespaced: true });
    }, 30_000);
  });
}
