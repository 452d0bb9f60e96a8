/**
 * Property-based fuzzing (catalogue rows I1, I2, I4): arbitrary Rollout steps and VirtualServices through the pure
 * planner (many runs), and a few arbitrary specs through runStep on the real cluster. No unhandled exception; a
 * rejection (InvalidSpec) always means zero effect writes; every weight written is within 0..100.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { plan } from '../../../shared/core/engine/plan.js';
import { validationError } from '../../../shared/core/engine/validation.js';
import type { Observed } from '../../../shared/core/engine/types.js';
import type { Rollout, Service } from '../../../shared/core/model/types.js';
import { runStep } from '../../../shared/app/step.js';
import { recordingGateway } from '../../support/faults/recording-gateway.js';
import { hostRollout, hostVirtualService, service } from '../../journeys/fixtures.js';
import { figures } from '../support/figures.js';
import { NAME, realNow, startScenario } from '../support/scenario.js';

const step = fc.oneof(
  fc.record({ setWeight: fc.integer({ min: -20, max: 130 }) }),
  fc.record({
    pause: fc.oneof(
      fc.constant({}),
      fc.record({
        duration: fc.oneof(
          fc.integer({ min: -5, max: 100 }),
          fc.constantFrom('10s', '-1s', '1h', 'abc', '0s'),
        ),
      }),
    ),
  }),
  fc.record({ setWeight: fc.integer({ min: 0, max: 100 }), pause: fc.constant({}) }),
  fc.constant({}),
  fc.record({ setCanaryScale: fc.record({ weight: fc.integer({ min: -5, max: 105 }) }) }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
);
const destination = fc.record({
  destination: fc.record(
    {
      host: fc.constantFrom('reviews-stable', 'reviews-canary', 'other', ''),
      subset: fc.option(fc.constantFrom('stable', 'canary'), { nil: undefined }),
    },
    { requiredKeys: ['host'] },
  ),
  weight: fc.option(fc.integer({ min: -10, max: 120 }), { nil: undefined }),
});
const vsSpec = fc.oneof(
  fc.constant(hostVirtualService().spec as unknown),
  fc.record(
    {
      hosts: fc.constant(['reviews']),
      http: fc.array(
        fc.record(
          {
            name: fc.constantFrom('primary', 'other', undefined),
            route: fc.array(destination, { maxLength: 3 }),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
    },
    { requiredKeys: ['hosts'] },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);
const canaryExtra = fc.record(
  {
    stableService: fc.constantFrom('reviews-stable', 'reviews-canary', '', 'missing'),
    maxSurge: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom('25%', '-1%', 'x')),
  },
  { requiredKeys: [] },
);

function observed(steps: unknown[], extra: object, vs: unknown): Observed {
  const r = hostRollout({
    steps: steps as never,
    canary: extra as Record<string, unknown>,
  }) as unknown as Rollout;
  r.metadata = { ...r.metadata, namespace: 'fuzz', uid: 'u1', generation: 1, resourceVersion: '10' };
  const svc = (n: string): Service => ({
    ...(service(n) as unknown as Service),
    metadata: { name: n, namespace: 'fuzz', resourceVersion: '3' },
  });
  return {
    rollout: r,
    replicaSets: [],
    services: { 'reviews-canary': svc('reviews-canary'), 'reviews-stable': svc('reviews-stable') },
    virtualServices: [
      {
        key: { namespace: 'fuzz', name: 'reviews' },
        index: 0,
        object: {
          ...hostVirtualService(),
          metadata: { name: 'reviews', namespace: 'fuzz', resourceVersion: '4' },
          spec: vs,
        } as never,
      },
    ],
    now: new Date('2026-01-01T00:00:00Z'),
  };
}

export function fuzzSuite(): void {
  describe('fuzzing', () => {
    it('the planner never throws on arbitrary specs and VirtualServices, and a rejection plans zero effects', () => {
      let runs = 0;
      fc.assert(
        fc.property(fc.array(step, { maxLength: 6 }), canaryExtra, vsSpec, (steps, extra, vs) => {
          const o = observed(steps, extra, vs);
          const invalid = validationError(o);
          const p = plan(o);
          runs++;
          if (invalid !== undefined) {
            figures.badInput(p.effects.length === 0);
            expect(p.effects).toEqual([]);
            expect(p.transition === 'invalid-spec' || p.transition === undefined).toBe(true);
          }
          for (const w of p.effects)
            if (w.op === 'patch')
              for (const op of w.patch)
                if (/\/weight$/.test(op.path)) expect(op.value as number).toBeGreaterThanOrEqual(0);
        }),
        { seed: 7, numRuns: 400 },
      );
      expect(runs).toBe(400);
      figures.cover('I4');
    });

    it('arbitrary step lists on the real cluster: InvalidSpec means no effect write, valid ones deploy', async () => {
      const samples = fc.sample(fc.array(step, { minLength: 1, maxLength: 4 }), { seed: 99, numRuns: 8 });
      const wrong: string[] = [];
      for (const [i, steps] of samples.entries()) {
        const objects = [
          service('reviews-canary'),
          service('reviews-stable'),
          hostVirtualService(),
          hostRollout({ steps: steps as never }),
        ];
        let s;
        try {
          s = await startScenario(`fuzz-${i}`, objects);
        } catch (e) {
          // Refused by the CRD schema on create: rejected by the API server, nothing for sluice to do.
          figures.badInput(/HTTP 422/.test(String(e)));
          continue;
        }
        try {
          const rec = recordingGateway(s.admin);
          const res = await runStep({ gateway: rec.gw, now: realNow }, { namespace: s.ns, name: NAME });
          const effects = rec
            .acceptedWrites()
            .filter((w) => w.resource !== 'rollouts' && w.resource !== 'events');
          if (res.transition === 'invalid-spec') {
            figures.badInput(effects.length === 0);
            if (effects.length > 0) wrong.push(`${JSON.stringify(steps)}: ${effects.length} effects`);
          } else if (res.transition !== 'initialized')
            wrong.push(`${JSON.stringify(steps)}: ${res.transition} ${res.reason}`);
        } finally {
          await s.stop();
        }
      }
      expect(wrong).toEqual([]);
      figures.cover('I1', 'I4');
    }, 60_000);
  });
}
