/**
 * Bad Rollouts, VirtualServices and DestinationRules (catalogue rows I1, I2): each gets the InvalidSpec condition
 * with its documented message and an Event, and zero writes to ReplicaSets, Services, VirtualServices and
 * DestinationRules; a second pass writes nothing at all (nothing follows a rejection).
 */
import { describe, expect, it } from '@jest/globals';
import { runStep } from '../../../shared/app/step.js';
import { recordingGateway } from '../../support/faults/recording-gateway.js';
import { hostRollout, hostVirtualService, service } from '../../journeys/fixtures.js';
import { figures } from '../support/figures.js';
import { NAME, realNow, startScenario } from '../support/scenario.js';

type Case = { name: string; objects: unknown[]; message: RegExp };

const seedWith = (rollout: object, vs: object = hostVirtualService()): unknown[] => [
  service('reviews-canary'),
  service('reviews-stable'),
  vs,
  rollout,
];
const steps = (s: unknown[]) => hostRollout({ steps: s as never });
const vsSpec = (spec: object) => ({ ...hostVirtualService(), spec });
const CASES: Case[] = [
  {
    name: 'setWeight below 0',
    objects: seedWith(steps([{ setWeight: -10 }])),
    message: /steps\[0\]\.setWeight.*-10/,
  },
  {
    name: 'setWeight above 100',
    objects: seedWith(steps([{ setWeight: 101 }])),
    message: /steps\[0\]\.setWeight.*101/,
  },
  {
    name: 'a step with no action',
    objects: seedWith(steps([{}])),
    message: /Step must have one of the following set/,
  },
  {
    name: 'a step with two actions',
    objects: seedWith(steps([{ setWeight: 10, pause: {} }])),
    message: /Step must have one of the following set/,
  },
  {
    name: 'a negative pause',
    objects: seedWith(steps([{ pause: { duration: '-5s' } }])),
    message: /steps\[0\]\.pause\.duration/,
  },
  {
    name: 'stable Service equal to the canary Service',
    objects: seedWith(hostRollout({ canary: { stableService: 'reviews-canary' } })),
    message: /stableService/,
  },
  {
    name: 'a route the VirtualService does not have',
    objects: seedWith(
      hostRollout({
        canary: { trafficRouting: { istio: { virtualService: { name: 'reviews', routes: ['nope'] } } } },
      }),
    ),
    message: /nope/,
  },
  {
    name: 'a VirtualService without http',
    objects: seedWith(hostRollout(), vsSpec({ hosts: ['reviews'] })),
    message: /VirtualService/,
  },
  {
    name: 'a VirtualService route without the canary destination',
    objects: seedWith(
      hostRollout(),
      vsSpec({
        hosts: ['reviews'],
        http: [{ name: 'primary', route: [{ destination: { host: 'reviews-stable' }, weight: 100 }] }],
      }),
    ),
    message: /canary|destination/i,
  },
  {
    name: 'a missing VirtualService',
    objects: [service('reviews-canary'), service('reviews-stable'), hostRollout()],
    message: /not found/,
  },
];

const EFFECT_RESOURCES = new Set(['replicasets', 'services', 'virtualservices', 'destinationrules']);

export function badRolloutSuite(): void {
  describe('bad Rollouts, VirtualServices and DestinationRules', () => {
    it.each(CASES)(
      '$name: InvalidSpec with its message, no effect written, nothing after',
      async (c) => {
        const s = await startScenario(`bad-${c.name.replace(/\W+/g, '-').slice(0, 30)}`, c.objects);
        let right = false;
        try {
          const rec = recordingGateway(s.admin);
          const first = await runStep({ gateway: rec.gw, now: realNow }, { namespace: s.ns, name: NAME });
          const effects = rec.acceptedWrites().filter((w) => EFFECT_RESOURCES.has(w.resource));
          const cond = (await s.rollout()).status?.conditions?.find((x) => x.type === 'InvalidSpec');
          s.ledger.rejection(c.name, () => rec.calls);
          const second = await runStep({ gateway: rec.gw, now: realNow }, { namespace: s.ns, name: NAME });
          right =
            first.transition === 'invalid-spec' &&
            effects.length === 0 &&
            cond?.status === 'True' &&
            c.message.test(cond.message ?? '') &&
            second.writes === 0;
          if (!right)
            process.stderr.write(
              `${c.name}: ${first.transition} ${JSON.stringify(effects)} ${cond?.message} ${second.writes}\n`,
            );
        } finally {
          await s.stop();
        }
        figures.badInput(right);
        figures.cover('I1', 'I2');
        expect(right).toBe(true);
      },
      30_000,
    );
  });
}
