/**
 * A concurrent writer (catalogue row C1): another client edits the VirtualService between sluice's read and its
 * patch. The patch's resourceVersion `test` fails, sluice re-reads and re-plans, and re-applies the weights on the
 * new version: the foreign route and field are kept, the step is made once.
 */
import { describe, expect, it } from '@jest/globals';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';
import type { StepResult } from '../../../shared/app/step.js';
import { adminRequest } from '../../support/cluster.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { foreignWriterGateway } from '../../support/faults/foreign-writer.js';
import { figures } from '../support/figures.js';
import {
  atGate,
  deployThenUpdate,
  drive,
  NAME,
  realNow,
  startScenario,
  stepEvents,
} from '../support/scenario.js';

type Http = { name?: string; timeout?: string; route: { destination: { host: string }; weight?: number }[] };

const FOREIGN_ROUTE = {
  name: 'foreign-debug',
  match: [{ headers: { 'x-debug': { exact: '1' } } }],
  route: [{ destination: { host: 'reviews-stable' } }],
};

export function concurrentWriterSuite(): void {
  describe('concurrent VirtualService writer', () => {
    it('a foreign edit between read and patch: the guarded patch conflicts, sluice re-reads and re-applies, the foreign route and field are kept, one transition', async () => {
      const s = await startScenario('conc-writer');
      const logs = recordingLogger();
      let survived = false;
      try {
        await deployThenUpdate(s);
        const path = `/apis/networking.istio.io/v1/namespaces/${s.ns}/virtualservices/${NAME}`;
        const fw = foreignWriterGateway(
          s.admin,
          (t) => t.resource === 'virtualservices' && t.name === NAME,
          async () => {
            // Another team adds a debug route in front of sluice's route and a timeout on it.
            const vs = (await adminRequest('GET', path)).body as { spec: { http: Http[] } };
            const primary = vs.spec.http.find((h) => h.name === 'primary');
            if (primary) primary.timeout = '7s';
            vs.spec.http.unshift(FOREIGN_ROUTE as unknown as Http);
            const res = await adminRequest('PUT', path, vs);
            if (res.status !== 200) throw new Error(`foreign write: HTTP ${res.status}`);
          },
        );
        s.ledger.allowForeignChange('virtualservices', NAME);
        const results: StepResult[] = [];
        await drive(
          { gateway: fw.gw, now: realNow, log: logs.log },
          s.ns,
          (r) => r.status?.currentStepIndex === 1,
          { exact: true, results },
        );
        expect(fw.fired()).toBe(1);
        const raced = fw.raced();
        expect(raced).toBeInstanceOf(KubeApiError);
        expect((raced as KubeApiError).isConflict).toBe(true);
        expect(logs.messages).toContain('conflict: re-reading and re-planning');
        expect(logs.entries.find((e) => e.msg.startsWith('conflict'))?.level).toBe('debug');
        // One transition for step 0 (setWeight 25), then on to the gate: later patches keep the foreign edit too.
        await drive({ gateway: fw.gw, now: realNow }, s.ns, atGate, { results });
        const vs = (await adminRequest('GET', path)).body as { spec: { http: Http[] } };
        const primary = vs.spec.http.find((h) => h.name === 'primary');
        expect(vs.spec.http[0]).toEqual(FOREIGN_ROUTE);
        expect(primary?.timeout).toBe('7s');
        expect(primary?.route.map((r) => [r.destination.host, r.weight])).toEqual([
          ['reviews-stable', 50],
          ['reviews-canary', 50],
        ]);
        const events = await stepEvents(s.ns);
        expect([...events.values()].every((c) => c === 1)).toBe(true);
        expect(results.filter((r) => r.transition === 'step-completed')).toHaveLength(2);
        survived = true;
      } finally {
        await s.stop();
        figures.fault(1, survived);
      }
      figures.cover('C1');
    }, 60_000);
  });
}
