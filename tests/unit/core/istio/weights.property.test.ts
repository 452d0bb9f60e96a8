import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { setWeight } from '../../../../shared/core/istio/virtual-service.js';
import type { KubeObject } from '../../../../shared/core/model/types.js';
import { deepFreeze } from './helpers.js';

type Dest = { destination: { host: string; subset: string }; weight: number };

const vsWith = (stable: number, canary: number, extra: number | undefined): KubeObject =>
  deepFreeze({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'vsvc', namespace: 'default' },
    spec: {
      http: [
        {
          route: [
            { destination: { host: 'svc', subset: 'stable' }, weight: stable },
            { destination: { host: 'svc', subset: 'canary' }, weight: canary },
            ...(extra === undefined
              ? []
              : [{ destination: { host: 'svc', subset: 'extra' }, weight: extra }]),
          ],
        },
      ],
    },
  });

const routeOf = (vs: KubeObject): Dest[] => (vs.spec as { http: { route: Dest[] }[] }).http[0]!.route;
const OPTS = { canarySubset: 'canary', stableSubset: 'stable', additionalSubsetNames: ['extra'] };

describe('setWeight invariants', () => {
  it('for any desired weight and starting weights: integers in 0..100, total > 0, idempotent, input untouched', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -50, max: 200 }), fc.double({ min: -10, max: 110, noNaN: true })),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
        (weight, stable, canary, extra) => {
          const vs = vsWith(stable, canary, extra);
          const first = setWeight(vs, { name: 'vsvc' }, { ...OPTS, weight });
          const route = routeOf(first.object);
          const [s, c] = route.map((d) => d.weight);
          for (const w of [s, c]) expect(Number.isInteger(w) && w! >= 0 && w! <= 100).toBe(true);
          expect(route.reduce((sum, d) => sum + d.weight, 0)).toBeGreaterThan(0);
          expect(s! + c! + (extra ?? 0)).toBeGreaterThanOrEqual(100);
          if (extra === undefined) expect(s! + c!).toBe(100);
          const second = setWeight(first.object, { name: 'vsvc' }, { ...OPTS, weight });
          expect(second.modified).toBe(false);
          expect(routeOf(vs).map((d) => d.weight)).toEqual([
            stable,
            canary,
            ...(extra === undefined ? [] : [extra]),
          ]);
        },
      ),
    );
  });
});
