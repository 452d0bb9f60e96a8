/**
 * Crash points (catalogue rows F1, C5, C6): a step run or a promotion dies at its k-th write, for every k, either
 * before the write is sent or right after the API server accepted it; the next invocations converge to the end
 * state of an uninterrupted run, with no lost or duplicated step.
 */
import { describe, expect, it } from '@jest/globals';
import { applyOperatorAction } from '../../../shared/app/actions.js';
import { InjectedCrash, recordingGateway, type CrashPoint } from '../../support/faults/recording-gateway.js';
import { figures } from '../support/figures.js';
import { pool } from '../support/pool.js';
import {
  atGate,
  deployThenUpdate,
  drive,
  endState,
  healthy,
  NAME,
  realNow,
  startScenario,
  stepEvents,
  type Scenario,
} from '../support/scenario.js';

async function noDuplicateStepEvents(ns: string): Promise<boolean> {
  return [...(await stepEvents(ns)).values()].every((n) => n === 1);
}

/** Runs one crash point of the step run (v2 update to the manual gate) and returns whether it converged. */
async function stepCrash(
  point: CrashPoint,
  expected: unknown,
): Promise<{ converged: boolean; crashed: boolean }> {
  const s = await startScenario(`crash-step-${point.mode}-${point.atWrite}`);
  try {
    await deployThenUpdate(s);
    // Invocations run until one dies at the crash point; the next ones (the scheduler's next ticks) run normally.
    const rec = recordingGateway(s.admin, point, true);
    await drive({ gateway: rec.gw, now: realNow }, s.ns, atGate);
    const got = await endState(s);
    const ok = JSON.stringify(got) === JSON.stringify(expected) && (await noDuplicateStepEvents(s.ns));
    if (!ok)
      process.stderr.write(
        `crash ${point.mode}@${point.atWrite}: ${JSON.stringify(got)} != ${JSON.stringify(expected)}\n`,
      );
    return { converged: ok, crashed: rec.crashed() };
  } finally {
    await s.stop();
  }
}

/** Drives a scenario to the gate with `spec.paused` set as well, so promote writes spec, status and an Event. */
async function atGatePausedSpec(prefix: string): Promise<Scenario> {
  const s = await startScenario(prefix);
  await deployThenUpdate(s);
  await drive({ gateway: s.admin, now: realNow }, s.ns, atGate);
  await s.admin.mergePatch({ resource: 'rollouts', namespace: s.ns, name: NAME }, { spec: { paused: true } });
  return s;
}

export function crashSuite(): void {
  describe('crash points', () => {
    it('a step run that dies at its k-th write, for every k, before or after the write lands, converges', async () => {
      const ref = await startScenario('crash-ref');
      let total = 0;
      let expected: unknown;
      try {
        await deployThenUpdate(ref);
        const rec = recordingGateway(ref.admin);
        await drive({ gateway: rec.gw, now: realNow }, ref.ns, atGate);
        // Accepted writes, not attempts: a conflict the pass re-plans adds an attempt in some runs and not in
        // others, while the writes that land are the same in every run, so each point below is reached.
        total = rec.acceptedWrites().length;
        expected = await endState(ref);
      } finally {
        await ref.stop();
      }
      expect(total).toBeGreaterThan(4);
      const failed: string[] = [];
      const points = Array.from({ length: total }, (_, i) => i + 1).flatMap((k) =>
        (['before', 'after'] as const).map((mode): CrashPoint => ({ atWrite: k, mode })),
      );
      await pool(points, 6, async (point) => {
        const r = await stepCrash(point, expected);
        figures.crash(r.converged && r.crashed);
        if (!r.converged || !r.crashed)
          failed.push(`${point.mode}@${point.atWrite}${r.crashed ? '' : ' (never reached)'}`);
      });
      figures.cover('F1', 'C5', 'C6');
      expect(failed).toEqual([]);
    }, 200_000);

    it('a promotion that dies at its k-th write, for every k, is completed by the operator retrying it', async () => {
      const ref = await atGatePausedSpec('crash-promo-ref');
      let total = 0;
      let expected: unknown;
      try {
        const rec = recordingGateway(ref.admin);
        const res = await applyOperatorAction(
          { gateway: rec.gw, now: realNow },
          { namespace: ref.ns, name: NAME, action: 'promote', expectedStep: 2, actor: 'test' },
        );
        expect(res.ok).toBe(true);
        total = rec.writes();
        await drive({ gateway: ref.admin, now: realNow }, ref.ns, healthy);
        expected = await endState(ref);
      } finally {
        await ref.stop();
      }
      expect(total).toBe(3); // spec (unpause), status (clear the pause), Event
      const failed: string[] = [];
      const points = Array.from({ length: total }, (_, i) => i + 1).flatMap((k) =>
        (['before', 'after'] as const).map((mode): CrashPoint => ({ atWrite: k, mode })),
      );
      await pool(points, 3, async ({ atWrite: k, mode }) => {
        {
          const s = await atGatePausedSpec(`crash-promo-${mode}-${k}`);
          try {
            const rec = recordingGateway(s.admin, { atWrite: k, mode });
            await applyOperatorAction(
              { gateway: rec.gw, now: realNow },
              { namespace: s.ns, name: NAME, action: 'promote', expectedStep: 2, actor: 'test' },
            ).catch((e: unknown) => {
              if (!(e instanceof InjectedCrash)) throw e;
            });
            // The operator (or the webhook sender) retries the same request; a tick may run in between.
            const retry = await applyOperatorAction(
              { gateway: s.admin, now: realNow },
              { namespace: s.ns, name: NAME, action: 'promote', expectedStep: 2, actor: 'test' },
            );
            const accepted = retry.ok || retry.outcome === 'conflict';
            await drive({ gateway: s.admin, now: realNow }, s.ns, healthy);
            const got = await endState(s);
            const ok =
              accepted &&
              JSON.stringify(got) === JSON.stringify(expected) &&
              (await noDuplicateStepEvents(s.ns));
            figures.crash(ok);
            if (!ok) failed.push(`${mode}@${k}: ${retry.message} ${JSON.stringify(got)}`);
          } finally {
            await s.stop();
          }
        }
      });
      expect(failed).toEqual([]);
    }, 120_000);
  });
}
