/**
 * Dry run (catalogue row O3): `sluice plan` at each stage of a rollout prints the plan and sends every write with
 * dryRun=All; the API server validates them and persists nothing (resourceVersions unchanged, the ledger's watch
 * sees no new version).
 */
import { describe, expect, it } from '@jest/globals';
import { main as planMain } from '../../../shared/runtimes/cli/plan.js';
import type { ResourceName } from '../../../shared/core/engine/types.js';
import { recordingGateway } from '../../support/faults/recording-gateway.js';
import { figures } from '../support/figures.js';
import { deployThenUpdate, drive, NAME, realNow, startScenario, type Scenario } from '../support/scenario.js';

const KINDS: ResourceName[] = ['rollouts', 'replicasets', 'services', 'virtualservices'];

async function versions(s: Scenario): Promise<string[]> {
  const out: string[] = [];
  for (const k of KINDS)
    for (const o of (await s.admin.list(k, s.ns)).items)
      out.push(`${k}/${o.metadata.name}@${o.metadata.resourceVersion}`);
  return out.sort();
}

/** Runs `sluice plan` through a recording gateway; returns its output and the writes it sent. */
async function plan(
  s: Scenario,
): Promise<{ code: number; out: string; writes: number; dry: number; sample: string }> {
  const rec = recordingGateway(s.admin);
  const lines: string[] = [];
  const io = { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(l), env: {} };
  const code = await planMain([`${s.ns}/${NAME}`], io, async () => ({ gateway: rec.gw }));
  const writes = rec.calls.filter((c) => ['create', 'patch', 'mergePatch', 'delete'].includes(c.verb));
  return {
    code,
    out: lines.join('\n'),
    writes: writes.length,
    dry: writes.filter((c) => c.dryRun === true && c.ok).length,
    sample: writes.map((c) => `${c.verb} ${c.resource}`).join(', '),
  };
}

export function dryRunSuite(): void {
  describe('dry run', () => {
    it('sluice plan at each stage: the plan printed, every write sent with dryRun=All, nothing persisted', async () => {
      const s = await startScenario('dry-run');
      const wrong: string[] = [];
      let stages = 0;
      let dryWrites = 0;
      try {
        const check = async (stage: string, expectWrites: boolean): Promise<void> => {
          await s.ledger.settle();
          const rvs = await versions(s);
          const seen = s.ledger.count();
          const p = await plan(s);
          await s.ledger.settle();
          stages++;
          dryWrites += p.dry;
          const unchanged =
            JSON.stringify(await versions(s)) === JSON.stringify(rvs) && s.ledger.count() === seen;
          figures.dryRun(p.writes, unchanged ? 0 : p.writes);
          const right =
            p.code === 0 &&
            /^reason: /.test(p.out) &&
            p.out.includes(`server dry run: ${p.writes} write(s) accepted, nothing persisted`) &&
            p.dry === p.writes &&
            (!expectWrites || p.writes > 0) &&
            unchanged;
          figures.badInput(right);
          if (!right)
            wrong.push(`${stage}: code ${p.code}, ${p.dry}/${p.writes} dry (${p.sample})\n${p.out}`);
        };
        await check('new rollout (first ReplicaSet)', true);
        await deployThenUpdate(s);
        await check('new revision (canary ReplicaSet)', true);
        await drive({ gateway: s.admin, now: realNow }, s.ns, (r) => r.status?.currentStepIndex === 1, {
          exact: true,
        });
        await check('mid-step (weights)', false);
        await drive(
          { gateway: s.admin, now: realNow },
          s.ns,
          (r) => (r.status?.pauseConditions?.length ?? 0) > 0,
        );
        await check('at the gate (no writes)', false);
      } finally {
        await s.stop();
      }
      expect(stages).toBe(4);
      expect(dryWrites).toBeGreaterThan(2);
      figures.cover('O3');
      expect(wrong).toEqual([]);
    }, 60_000);
  });
}
