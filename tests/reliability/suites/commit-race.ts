/**
 * A status commit that loses its race after an effect write landed (catalogue row C6): another client changes the
 * Rollout between a pass's effect write and its status commit, the commit's resourceVersion `test` fails, and the
 * pass re-reads and re-plans from a state where the write is already in place. The Event describing that write
 * belongs to the write: it is recorded once, whatever the commit's outcome, and the re-planned pass (which finds
 * nothing left to write) records it no second time.
 */
import { describe, expect, it } from '@jest/globals';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';
import type { Target } from '../../../shared/core/engine/types.js';
import { runStep, type StepResult } from '../../../shared/app/step.js';
import type { Rollout } from '../../../shared/core/model/types.js';
import { adminRequest } from '../../support/cluster.js';
import { commitRaceGateway } from '../../support/faults/commit-race.js';
import { hostSeed, subsetSeed } from '../../journeys/fixtures.js';
import { figures } from '../support/figures.js';
import {
  adminGateway,
  atGate,
  deployThenUpdate,
  drive,
  NAME,
  realNow,
  startScenario,
  STEPS,
} from '../support/scenario.js';

/** Hashes of the update: `h1` stable (v1), `h2` canary (v2). */
type Hashes = { h1: string; h2: string };

interface RaceCase {
  title: string;
  seed: () => unknown[];
  /** The effect write after which the commit loses. */
  landed: (t: Target) => boolean;
  /** Events that must exist exactly once after convergence ("reason: message"). */
  once: (h: Hashes) => string[];
}

const CASES: RaceCase[] = [
  {
    title: 'the DestinationRule subset switch at the new image',
    seed: () => subsetSeed(STEPS),
    landed: (t) => t.resource === 'destinationrules',
    once: ({ h1, h2 }) => [
      `UpdatedDestinationRule: DestinationRule reviews subset updated (canary: ${h2}, stable: ${h1})`,
      "Updated VirtualService: VirtualService `reviews` set to desiredWeight '25'",
      'TrafficWeightUpdated: Traffic weight updated from 0 to 25',
      'RolloutStepCompleted: Rollout step 1/4 completed (setWeight: 25)',
    ],
  },
  {
    title: 'a VirtualService weight change (setWeight 25)',
    seed: () => hostSeed({ steps: STEPS }),
    landed: (t) => t.resource === 'virtualservices',
    once: () => [
      "Updated VirtualService: VirtualService `reviews` set to desiredWeight '25'",
      'TrafficWeightUpdated: Traffic weight updated from 0 to 25',
      'RolloutStepCompleted: Rollout step 1/4 completed (setWeight: 25)',
    ],
  },
  {
    title: 'the canary Service selector switch',
    seed: () => hostSeed({ steps: STEPS }),
    landed: (t) => t.resource === 'services' && t.name === 'reviews-canary',
    once: ({ h1, h2 }) => [
      `SwitchService: Switched selector for service 'reviews-canary' from '${h1}' to '${h2}'`,
      "Updated VirtualService: VirtualService `reviews` set to desiredWeight '25'",
    ],
  },
];

/** Every Event on the Rollout, as `reason: message` → count. */
async function eventCounts(ns: string): Promise<Map<string, number>> {
  const res = await adminRequest('GET', `/api/v1/namespaces/${ns}/events`);
  const out = new Map<string, number>();
  type Ev = { reason: string; message: string; count?: number; involvedObject: { name: string } };
  for (const e of res.body.items as Ev[]) {
    if (e.involvedObject.name !== NAME) continue;
    const key = `${e.reason}: ${e.message}`;
    out.set(key, (out.get(key) ?? 0) + (e.count ?? 1));
  }
  return out;
}

/** Reasons of the Events that describe a write (they ride it), and the step's. */
const ONCE_REASONS = [
  'NewReplicaSetCreated',
  'RolloutUpdated',
  'ScalingReplicaSet',
  'SwitchService',
  'UpdatedDestinationRule',
  'Updated VirtualService',
  'RolloutStepCompleted',
];

/** Every pass delivered `n` times at once, round after round, until `done`. */
async function duplicatedPasses(ns: string, n: number, done: (r: Rollout) => boolean): Promise<number> {
  const admin = adminGateway();
  for (let round = 1; round <= 200; round++) {
    await Promise.all(
      Array.from({ length: n }, () =>
        runStep({ gateway: admin, now: realNow }, { namespace: ns, name: NAME }).catch((err: unknown) => {
          if (!(err instanceof KubeApiError)) throw err;
        }),
      ),
    );
    if (done((await admin.get('rollouts', ns, NAME)) as Rollout)) return round;
    await new Promise((ok) => setTimeout(ok, 40));
  }
  throw new Error(`rollout ${ns}/${NAME} did not reach the gate under duplicated passes`);
}

export function commitRaceSuite(): void {
  describe('status commit loses its race after an effect write landed', () => {
    it('every pass of an update delivered 4 times in parallel: each Event of a write, and each step, recorded once', async () => {
      const s = await startScenario('dup-events', subsetSeed(STEPS));
      try {
        await deployThenUpdate(s);
        const rounds = await duplicatedPasses(s.ns, 4, atGate);
        expect(rounds).toBeGreaterThan(1);
        const counts = await eventCounts(s.ns);
        const watched = [...counts].filter(([k]) => ONCE_REASONS.some((r) => k.startsWith(`${r}: `)));
        expect(watched.map(([k]) => k)).toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^UpdatedDestinationRule: /),
            "Updated VirtualService: VirtualService `reviews` set to desiredWeight '50'",
            'RolloutStepCompleted: Rollout step 2/4 completed (setWeight: 50)',
          ]),
        );
        expect(watched.filter(([, n]) => n !== 1)).toEqual([]);
      } finally {
        await s.stop();
      }
      figures.cover('C3');
    }, 60_000);

    for (const c of CASES) {
      it(`${c.title}: the write's Event is recorded exactly once`, async () => {
        const s = await startScenario('commit-race', c.seed());
        let survived = false;
        try {
          await deployThenUpdate(s);
          const h1 = (await s.rollout()).status?.stableRS ?? '';
          let bumps = 0;
          const race = commitRaceGateway(s.admin, c.landed, async () => {
            const path = `/apis/argoproj.io/v1alpha1/namespaces/${s.ns}/rollouts/${NAME}`;
            const body = { metadata: { annotations: { 'example.com/bump': String(++bumps) } } };
            const res = await adminRequest('PATCH', path, body);
            if (res.status !== 200) throw new Error(`bump rollout: HTTP ${res.status}`);
          });
          const results: StepResult[] = [];
          const r = await drive(
            { gateway: race.gw, now: realNow },
            s.ns,
            (x) => x.status?.currentStepIndex === 1,
            { exact: true, results },
          );
          expect(race.fired()).toBe(1);
          expect(race.raced()).toBeInstanceOf(KubeApiError);
          expect((race.raced() as KubeApiError).isConflict).toBe(true);
          const counts = await eventCounts(s.ns);
          const expected = c.once({ h1, h2: r.status?.currentPodHash ?? '' });
          expect(expected.map((e) => [e, counts.get(e) ?? 0])).toEqual(expected.map((e) => [e, 1]));
          expect(results.filter((x) => x.transition === 'step-completed')).toHaveLength(1);
          survived = true;
        } finally {
          await s.stop();
          figures.fault(1, survived);
        }
        figures.cover('C6');
      }, 60_000);
    }
  });
}
