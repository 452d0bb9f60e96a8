import { describe, expect, it } from '@jest/globals';
import { plan } from '../../../../shared/core/engine/plan.js';
import type { Plan } from '../../../../shared/core/engine/types.js';
import { STEPS, World } from './support/fixtures.js';
import { drive } from './support/drive.js';

describe('invalid spec and missing references: InvalidSpec status, a Warning, zero effects', () => {
  it.each([
    {
      case: 'setWeight above 100',
      edit: (w: World) => (w.rollout.spec.strategy!.canary!.steps = [{ setWeight: 120 }]),
      text: 'SetWeight needs to be between 0 and 100',
    },
    {
      case: 'a missing VirtualService',
      edit: (w: World) => delete w.virtualServices['shop/demo-vs'],
      text: 'virtualservices.networking.istio.io "demo-vs" not found',
    },
    {
      case: 'both virtualService and virtualServices set',
      edit: (w: World) => {
        const istio = w.rollout.spec.strategy!.canary!.trafficRouting!.istio!;
        istio.virtualServices = [{ ...istio.virtualService!, routes: [] }];
      },
      text: 'istio: Internal error: either VirtualService or VirtualServices must be configured',
    },
    {
      case: 'a missing canary Service',
      edit: (w: World) => delete w.services['demo-canary'],
      text: 'services "demo-canary" not found',
    },
  ])('$case', ({ edit, text }) => {
    const w = new World('host');
    edit(w);
    const p = plan(w.observed());
    expect(p.effects).toEqual([]);
    expect(p.transition).toBe('invalid-spec');
    const cond = p.status?.conditions?.find((c) => c.type === 'InvalidSpec');
    expect(cond).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(cond?.message).toMatch(/^The Rollout "demo" is invalid: /);
    expect(cond?.message).toContain(text);
    expect(p.status?.phase).toBe('Degraded');
    expect(p.status?.message).toBe(`InvalidSpec: ${cond?.message}`);
    expect(p.events).toEqual([{ type: 'Warning', reason: 'InvalidSpec', message: cond?.message }]);
    w.apply(p);
    const again = plan(w.observed());
    expect(again).toMatchObject({ effects: [], events: [] });
    expect(again.status).toBeUndefined();
  });

  it('removes the InvalidSpec condition once the Rollout is fixed', () => {
    const w = new World('host');
    const saved = w.services['demo-canary'];
    delete w.services['demo-canary'];
    w.apply(plan(w.observed()));
    w.services['demo-canary'] = saved!;
    drive(w);
    expect(w.rollout.status?.conditions?.some((c) => c.type === 'InvalidSpec')).toBe(false);
    expect(w.rollout.status?.phase).toBe('Healthy');
  });
});

describe('idempotence: a plan applied and re-planned never repeats a write', () => {
  const ops = (p: Plan) =>
    p.effects.flatMap((e) =>
      e.op !== 'patch'
        ? [`${e.op} ${e.target.resource} ${e.target.name}`]
        : e.patch
            .filter((o) => o.op !== 'test')
            .map(
              (o) =>
                `${e.target.resource} ${e.target.namespace}/${e.target.name} ${o.op} ${o.path} ${JSON.stringify(o.value)}`,
            ),
    );

  it.each(['host', 'subset', 'tcp'] as const)(
    'every pass of a %s rollout through update, promotion and scale-down',
    (kind) => {
      const w = new World(kind);
      let passes = 0;
      const check = () => {
        for (let i = 0; i < 30; i++) {
          const p = plan(w.observed());
          if (p.effects.length === 0 && !p.status) return;
          passes++;
          w.apply(p);
          const q = plan(w.observed());
          const repeated = ops(q).filter((o) => ops(p).includes(o));
          expect(repeated).toEqual([]);
          if (!p.transition && q.transition === undefined) expect(q.effects).toEqual([]);
          w.settle();
        }
        throw new Error('no fixpoint');
      };
      check();
      w.updateImage('demo:2');
      check();
      expect(w.rollout.status?.phase).toBe('Paused');
      w.setStatus({ pauseConditions: null });
      check();
      w.now = new Date(w.now.getTime() + 120_000);
      check();
      w.now = new Date(w.now.getTime() + 120_000);
      check();
      const final = plan(w.observed());
      expect(final.effects).toEqual([]);
      expect(final.status).toBeUndefined();
      expect(w.rollout.status?.phase).toBe('Healthy');
      expect(passes).toBeGreaterThan(8);
    },
  );

  it('never writes a later step weight before that step is committed', () => {
    const w = new World('host');
    drive(w);
    w.updateImage('demo:2');
    for (let i = 0; i < 40; i++) {
      const p = plan(w.observed());
      const committed = w.rollout.status?.currentStepIndex ?? 0;
      const allowed = [
        0,
        ...STEPS.slice(0, committed + 1).flatMap((st) => (st.setWeight === undefined ? [] : [st.setWeight])),
      ];
      if (committed >= STEPS.length) allowed.push(100);
      for (const e of p.effects.filter((x) => x.target.resource === 'virtualservices' && x.op === 'patch')) {
        for (const op of e.op === 'patch' ? e.patch : []) {
          if (op.path.endsWith('/weight') && op.path.includes('/1/')) expect(allowed).toContain(op.value);
        }
      }
      w.apply(p);
      w.settle();
      if (w.rollout.status?.pauseConditions) w.setStatus({ pauseConditions: null });
      w.now = new Date(w.now.getTime() + 10_000);
    }
    expect(w.rollout.status?.stableRS).toBe(w.rollout.status?.currentPodHash);
  });
});
