/**
 * Random operator action sequences (catalogue row O1): fast-check (seeded, a bounded number of runs) draws
 * sequences of promote, promote-full, abort, retry, pause and resume, interleaved with engine passes, each run on a
 * fresh rollout on the real cluster. The ledger checks the invariants through every run (weights within 0..100 and
 * never ahead of the committed step, the index monotonic within a revision); besides, no action moves the index by
 * more than one step (promote-full excepted), and the rollout still ends Healthy once released.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { applyOperatorAction } from '../../../shared/app/actions.js';
import { OPERATOR_ACTIONS, type OperatorActionName } from '../../../shared/core/model/actions.js';
import { runStep } from '../../../shared/app/step.js';
import { hostSeed } from '../../journeys/fixtures.js';
import { figures } from '../support/figures.js';
import { deployThenUpdate, drive, healthy, NAME, realNow, startScenario } from '../support/scenario.js';

type Command = { kind: 'action'; action: OperatorActionName } | { kind: 'passes'; n: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc
    .constantFrom<OperatorActionName>(...OPERATOR_ACTIONS)
    .map((action): Command => ({ kind: 'action', action })),
  fc.integer({ min: 1, max: 4 }).map((n): Command => ({ kind: 'passes', n })),
);

const RUNS = 4;
const STEPS = [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: {} }, { setWeight: 80 }];

export function actionSequenceSuite(): void {
  describe('random operator action sequences', () => {
    it(`${RUNS} seeded sequences of actions and engine passes keep the ledger's invariants and end Healthy`, async () => {
      const wrong: string[] = [];
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 6, maxLength: 14 }), async (cmds) => {
          const s = await startScenario(`seq-${run++}`, hostSeed({ steps: STEPS }));
          try {
            await deployThenUpdate(s);
            const deps = { gateway: s.admin, now: realNow };
            for (const c of cmds) {
              const stepOf = async (): Promise<number | undefined> =>
                (await s.rollout()).status?.currentStepIndex;
              const at = await stepOf();
              if (c.kind === 'passes') {
                for (let i = 0; i < c.n; i++) await runStep(deps, { namespace: s.ns, name: NAME });
                continue;
              }
              const res = await applyOperatorAction(deps, {
                namespace: s.ns,
                name: NAME,
                action: c.action,
                actor: 'fuzz',
                ...(at === undefined ? {} : { expectedStep: at }),
              });
              const after = await stepOf();
              if (c.action !== 'promote-full' && at !== undefined && after !== undefined && after > at + 1)
                wrong.push(`${c.action} moved the index from ${at} to ${after}`);
              if (!res.ok && res.outcome !== 'conflict')
                wrong.push(`${c.action}: ${res.outcome} ${res.message}`);
            }
            // Release: whatever state the sequence left, retry + resume + promote-full reach Healthy.
            for (const action of ['retry', 'resume', 'promote-full'] as OperatorActionName[])
              await applyOperatorAction(deps, { namespace: s.ns, name: NAME, action, actor: 'fuzz' });
            await drive(deps, s.ns, healthy, { timeoutMs: 20_000 });
            figures.sequence(cmds.length);
          } finally {
            await s.stop();
          }
          return true;
        }),
        { seed: 36, numRuns: RUNS, endOnFailure: true },
      );
      figures.cover('O1');
      expect(wrong).toEqual([]);
    }, 180_000);
  });
}
